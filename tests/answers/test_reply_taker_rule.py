"""`taker_by_reply`: who a reply "OK <code>" takes the alert for, as a table."""

from __future__ import annotations

import uuid

import pytest

from app.answers.rules import NOBODY, PagedMember, Taker, TakerKind, taker_by_reply

TEAM = uuid.UUID(int=1)
OTHER_TEAM = uuid.UUID(int=2)
ADA = uuid.UUID(int=10)
BO = uuid.UUID(int=11)
NUMBER = "+4791000001"
FALLBACK = "+4790000009"


def paged(
    member_id: uuid.UUID = ADA,
    *,
    team_id: uuid.UUID = TEAM,
    mobile: str = NUMBER,
    active: bool = True,
) -> PagedMember:
    return PagedMember(id=member_id, team_id=team_id, mobile=mobile, active=active)


@pytest.mark.parametrize(
    ("number", "pages", "fallback", "expected"),
    [
        pytest.param(NUMBER, [paged()], None, Taker(TakerKind.MEMBER, ADA), id="paged-member"),
        pytest.param(NUMBER, [paged(active=False)], None, NOBODY, id="deactivated"),
        pytest.param(NUMBER, [paged(team_id=OTHER_TEAM)], None, NOBODY, id="moved-team"),
        pytest.param(NUMBER, [paged(mobile="+4791000002")], None, NOBODY, id="new-mobile"),
        pytest.param(NUMBER, [], None, NOBODY, id="not-paged"),
        pytest.param(NUMBER, [], NUMBER, NOBODY, id="fallback-not-paged"),
        pytest.param(
            NUMBER,
            [paged(active=False), paged(BO)],
            None,
            Taker(TakerKind.MEMBER, BO),
            id="the-paged-member-still-there",
        ),
        pytest.param(FALLBACK, [None], FALLBACK, Taker(TakerKind.FALLBACK), id="fallback"),
        pytest.param(FALLBACK, [None], "+4790000008", NOBODY, id="fallback-since-changed"),
        pytest.param(FALLBACK, [None], None, NOBODY, id="fallback-since-removed"),
        pytest.param(
            NUMBER,
            [paged(active=False)],
            NUMBER,
            Taker(TakerKind.FALLBACK),
            id="deactivated-but-the-fallback-number",
        ),
        pytest.param(
            NUMBER, [paged(), None], NUMBER, Taker(TakerKind.MEMBER, ADA), id="member-first"
        ),
    ],
)
def test_who_a_reply_takes_the_alert_for(
    number: str, pages: list[PagedMember | None], fallback: str | None, expected: Taker
) -> None:
    taker = taker_by_reply(number=number, team_id=TEAM, pages=pages, fallback_number=fallback)
    assert taker == expected
