"""Webhooks to dispatch systems: acknowledgements and answers, signed, through an outbox."""
