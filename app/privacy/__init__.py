"""Protection of personal data at rest (BRIEF §7, Normen)."""
