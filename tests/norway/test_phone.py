"""Phone numbers: E.164 from what people type; letters are refused, never turned into digits."""

from __future__ import annotations

import httpx
import pytest

from app.norway.phone import InvalidPhoneNumber, to_e164, to_norwegian_mobile
from tests.factories import Factory, alert_body
from tests.problems import assert_problem


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("912 34 567", "+4791234567"),
        ("+47 912 34 567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("69 00 00 00", "+4769000000"),
        ("+46 70 123 45 67", "+46701234567"),
        ("(+47) 912-34-567", "+4791234567"),
    ],
)
def test_numbers_become_e164(raw: str, e164: str):
    assert to_e164(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "4123abcd",  # phonenumbers would read the letters as keypad digits: +4741232223
        "9123ABCD",
        "+47 912 34 ABC",
        "91234567 ext 12",
        "91234567x12",
        "912 34 567 Kari",
        "Ⅸ1234567",
        "",
        "12",
    ],
)
def test_anything_but_a_number_is_refused(raw: str):
    with pytest.raises(InvalidPhoneNumber) as refused:
        to_e164(raw)
    assert raw not in str(refused.value) or not raw


@pytest.mark.parametrize(
    ("raw", "ok"),
    [("912 34 567", True), ("41234567", True), ("69000000", False), ("4123abcd", False)],
)
def test_norwegian_mobiles(raw: str, ok: bool):
    if ok:
        assert to_norwegian_mobile(raw).startswith("+47")
    else:
        with pytest.raises(InvalidPhoneNumber):
            to_norwegian_mobile(raw)


async def test_a_member_mobile_with_letters_is_refused(factory: Factory, http: httpx.AsyncClient):
    admin = await factory.admin_client()
    team = await factory.team()
    body = {"name": "Kari", "mobile": "4123abcd", "role": "sykepleier", "is_health_personnel": True}
    response = await http.post(
        f"/v1/admin/teams/{team.team_id}/members", json=body, headers=admin.headers
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["mobile"]
    assert "4123abcd" not in response.text and "+4741232223" not in response.text


async def test_an_alert_phone_with_letters_is_dropped_and_listed(
    factory: Factory, http: httpx.AsyncClient
):
    amk = await factory.api_client()
    body = alert_body()
    body["person"]["phone"] = "4123abcd"
    response = await http.post("/v1/alerts", json=body, headers=amk.headers)
    assert response.status_code == 201, response.text
    dropped = {d["field"] for d in response.json()["dropped_fields"]}
    assert "person.phone" in dropped
    assert "4123abcd" not in response.text and "+4741232223" not in response.text
