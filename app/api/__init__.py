"""HTTP pieces shared by the routers of several domains (admin prefix, scopes, answers)."""
