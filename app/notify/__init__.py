"""Notifications: the SMS seam, its senders and the outbox."""
