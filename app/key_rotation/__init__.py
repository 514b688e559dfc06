"""Key rotation: every sealed value re-sealed under the active key, and the national-id
hashes re-hashed under a new hash key (`odvarsel keys rotate`; docs/rules.md, "Key rotation").

A package above the domains, not part of `app.privacy`: it reads every domain's sealed
columns (with each domain's own context), and the shared layer imports no domain."""
