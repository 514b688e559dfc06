"""Machine clients (OAuth2 client credentials -> JWT) and, later, staff identity."""
