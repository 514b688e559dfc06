"""The duty to tell the person what was shared without their consent (pbrl § 3-6).

Imports no alert code: the alert intake opens duties here, so the dependency runs one way.
"""
