"""Reporters: the service (create, replace, list, deactivate, the idempotent upsert), its
admin API under the admin scope of the client's municipalities, and `odvarsel add-reporter`."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from app.api.admin import AdminScope
from app.auth.municipalities import EVERY_MUNICIPALITY
from app.errors import Forbidden, NotFound, Unprocessable
from app.overdose.enums import ReporterType
from app.reporters import service
from app.reporters.schemas import ReporterIn
from app.state import AppState
from tests.cli import Odvarsel, odvarsel
from tests.factories import Factory
from tests.reporters.support import add_reporter, sign_in
from tests.staff_auth import count_rows

__all__ = ["odvarsel"]

URL = "/v1/admin/reporters"
BODY = {
    "name": "Kari Ambulanse",
    "mobile": "99 00 00 01",
    "reporter_type": "ambulance",
    "unit": "Ambulanse Fredrikstad 2",
    "municipalities": ["3107"],
}


def _in(**changes: object) -> ReporterIn:
    return ReporterIn.model_validate({**BODY, **changes})


async def test_upsert_finds_by_mobile_or_name_and_changes_only_what_differs(
    state: AppState, factory: Factory
) -> None:
    await factory.municipalities()
    async with state.sessions() as session, session.begin():
        scope = AdminScope(session, EVERY_MUNICIPALITY, state.clock.now())
        first = await service.upsert(scope, _in())
        again = await service.upsert(scope, _in())
        moved = await service.upsert(scope, _in(municipalities=["3107", "0301"]))
        nameless = await service.upsert(scope, _in(mobile=None, email="ola@amk.test", name="Ola"))
        by_name = await service.upsert(scope, _in(mobile=None, email="ola@amk.test", name="Ola"))
    assert (first.created, again.created, again.changed) == (True, False, False)
    assert again.reporter == first.reporter
    assert (moved.created, moved.changed) == (False, True)
    assert moved.reporter.id == first.reporter.id
    assert moved.reporter.municipalities == ["0301", "3107"]
    assert moved.reporter.mobile == "+4799000001"
    assert (nameless.created, by_name.created, by_name.changed) == (True, False, False)
    assert await count_rows(state, "reporter") == 2
    # The form's API client was made once, inactive.
    assert await count_rows(state, "api_client") == 1


async def test_an_administrator_acts_only_for_their_municipalities(
    state: AppState, factory: Factory
) -> None:
    await factory.municipalities()
    made = await add_reporter(state, municipalities=("0301",))
    async with state.sessions() as session, session.begin():
        scope = AdminScope(session, frozenset({"3107"}), state.clock.now())
        assert await service.listed(scope) == []
        with pytest.raises(NotFound):
            await service.get(scope, made.id)
        with pytest.raises(Forbidden):
            await service.create(scope, _in(mobile="+4799000002", municipalities=["0301"]))
        with pytest.raises(Unprocessable, match="mobile"):
            await service.create(scope, _in(mobile="+4799000001"))
        operator = AdminScope(session, EVERY_MUNICIPALITY, state.clock.now())
        with pytest.raises(Unprocessable, match="9999 is not served"):
            await service.create(operator, _in(mobile="+4799000002", municipalities=["9999"]))


async def test_the_admin_api_adds_lists_replaces_and_deactivates(
    app: FastAPI, state: AppState, http: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin_client()
    created = await http.post(URL, json=BODY, headers=admin.headers)
    assert created.status_code == 201, created.text
    reporter = created.json()
    assert reporter["mobile"] == "+4799000001" and reporter["active"] is True
    listed = await http.get(URL, headers=admin.headers)
    assert [r["id"] for r in listed.json()] == [reporter["id"]]
    url = f"{URL}/{reporter['id']}"
    replaced = await http.put(url, json={**BODY, "unit": "Ambulanse 3"}, headers=admin.headers)
    assert replaced.status_code == 200 and replaced.json()["unit"] == "Ambulanse 3"

    browser = await sign_in(app, state)
    assert (await browser.get("/skjema/")).status_code == 200
    gone = await http.post(f"{url}/deactivate", headers=admin.headers)
    assert gone.status_code == 200 and gone.json()["active"] is False
    page = await browser.get("/skjema/")
    assert page.status_code == 303, "a deactivated reporter's session ends at once"

    oslo = await factory.admin_client(municipalities=("0301",))
    assert (await http.get(url, headers=oslo.headers)).status_code == 404
    foreign = await http.post(URL, json={**BODY, "mobile": "+4799000009"}, headers=oslo.headers)
    assert foreign.status_code == 403
    nobody = await http.post(URL, json={**BODY, "mobile": None}, headers=admin.headers)
    assert nobody.status_code == 422
    assert (await http.get(f"{URL}/{uuid.uuid4()}", headers=admin.headers)).status_code == 404
    dispatch = await factory.api_client()
    assert (await http.get(URL, headers=dispatch.headers)).status_code == 403


def test_add_reporter_adds_then_changes_nothing(odvarsel: Odvarsel) -> None:
    assert odvarsel("seed-demo").exit_code == 0
    args = (
        "add-reporter", "--name", "Kari Ambulanse", "--type", "ambulance",
        "--municipality", "3107", "--mobile", "99000001",
    )  # fmt: skip
    added = odvarsel(*args)
    assert added.exit_code == 0, added.output
    reporter_id, what = added.stdout.split()
    assert what == "added"
    assert odvarsel(*args).stdout.split() == [reporter_id, "unchanged"]
    changed = odvarsel(*args, "--unit", "Ambulanse 2")
    assert changed.stdout.split() == [reporter_id, "changed"]
    refused = odvarsel("add-reporter", "--name", "X", "--type", "amk", "--municipality", "3107")
    assert refused.exit_code == 1
    assert "give a mobile or an email" in refused.stderr
    assert "add-reporter" in odvarsel("--help").stdout
    assert "--municipality" in odvarsel("add-reporter", "--help").stdout


def test_reporter_types_are_the_alerts() -> None:
    assert _in(reporter_type="feltpleien").reporter_type is ReporterType.FELTPLEIEN
