"""Key rotation: every sealed value re-sealed under the active key, and the national-id
hashes re-hashed under a new hash key (`odvarsel keys rotate`; docs/rules.md, "Key rotation").

A sub-package of its own: it reads every domain's sealed columns, which all import
`app.privacy.crypto`, so it cannot live in `app.privacy` itself without a package cycle."""
