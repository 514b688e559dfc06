"""Norwegian conventions: national identity numbers, phone numbers, municipality numbers."""
