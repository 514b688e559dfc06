"""Anonymous statistics for the municipality's local mapping (issue 22 item 3, seed 003)."""
