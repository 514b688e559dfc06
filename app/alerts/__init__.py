"""Alert intake from dispatch systems."""
