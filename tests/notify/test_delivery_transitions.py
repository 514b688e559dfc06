"""`status_after_report`: delivery reports move an outbox message forward only, as a table."""

from __future__ import annotations

import pytest

from app.notify.delivery import status_after_report
from app.notify.models import OutboxStatus as O
from app.notify.sms import DeliveryState as D

# current status: what a report of ACCEPTED, SENT, DELIVERED, FAILED makes of it (None: stays)
TABLE: dict[O, tuple[O | None, O | None, O | None, O | None]] = {
    O.PENDING: (None, None, O.DELIVERED, O.FAILED),  # a report on an earlier attempt
    O.SENDING: (None, None, O.DELIVERED, O.FAILED),  # the report came before the send returned
    O.SENT: (None, None, O.DELIVERED, O.FAILED),
    O.DELIVERED: (None, None, None, None),
    O.FAILED: (None, None, None, None),  # a late or replayed "delivered" included
    O.CANCELLED: (None, None, None, None),
}
REPORTS = (D.ACCEPTED, D.SENT, D.DELIVERED, D.FAILED)


def test_the_table_covers_every_status_and_report() -> None:
    assert set(TABLE) == set(O) and set(REPORTS) == set(D)


@pytest.mark.parametrize(
    ("current", "reported", "expected"),
    [
        pytest.param(current, reported, expected, id=f"{current}-{reported}")
        for current, row in TABLE.items()
        for reported, expected in zip(REPORTS, row, strict=True)
    ],
)
def test_a_report_moves_a_message_forward_only(current: O, reported: D, expected: O | None) -> None:
    assert status_after_report(current, reported) == expected
