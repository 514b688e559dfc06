"""Staff pages: a mounted sub-app with HTML pages, its own error pages, CSRF and headers."""
