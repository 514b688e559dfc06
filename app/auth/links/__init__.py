"""Links sent by SMS: one random token per staff member and alert, stored only as a hash."""
