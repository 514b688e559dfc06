"""Drug warnings: drafted by the leader from a signal or a concern report, approved and sent
to the contact list and the neighbouring municipalities, reviewed when they expire."""
