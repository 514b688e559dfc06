"""A step's note at rest and in answers: sealed, checked, and shown only with details access.

A note is the staff's free text about one step of a person's follow-up. It may hold no
national id, phone number or the person's name (`changes` refuses them, checked against the
name in the case's alert), yet free text about a known person's follow-up can still say more
than it should. So it is kept like the alert's personal data: sealed (AES-256-GCM, the
service's keys, `app.privacy.crypto`) in `followup_step.note_sealed` and
`followup_event.note_sealed`, and its text is shown only where the person's data may be
(details access, `access`); with summary access an answer says only that a note exists.

A token is bound to its case (`followup_case:<case id>:note`): copied to another case's row it
does not open. Within a case every note is about the same person, and the step's note and
its history's copy are the same text, so the case is the binding that matters.
"""

from __future__ import annotations

import uuid

from app.privacy.crypto import FieldCipher


def context_of(case_id: uuid.UUID) -> str:
    return f"followup_case:{case_id}:note"


def seal(cipher: FieldCipher, *, case_id: uuid.UUID, note: str | None) -> str | None:
    """The column value of `note` on case `case_id` (None without a note)."""
    if note is None:
        return None
    return cipher.seal(note, context=context_of(case_id))


def shown(cipher: FieldCipher | None, *, case_id: uuid.UUID, token: str | None) -> str | None:
    """The note's text for a reader with details access (`cipher`); None without a note or
    for a reader without that access (`cipher` None)."""
    if cipher is None or token is None:
        return None
    return cipher.open(token, context=context_of(case_id))
