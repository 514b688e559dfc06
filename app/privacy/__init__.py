"""Protection of personal data at rest (Normen; docs/rules.md, "Privacy at rest")."""
