"""A municipality's warning settings: who its warnings reach, and its cluster rules and
districts (settings documents of the admin API)."""
