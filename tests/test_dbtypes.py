"""Status and kind columns are typed with their enums (`app.dbtypes.EnumText`)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts.enums import AlertStatus
from app.alerts.models import Alert
from app.consent.enums import ConsentState
from app.dbtypes import EnumText
from app.overdose.enums import AlertKind
from app.timeline.models import AlertEvent
from tests.factories import Factory, alert_body


async def _posted_alert(factory: Factory, session: AsyncSession) -> Alert:
    credentials = await factory.api_client()
    alert_id = uuid.UUID(await factory.post_alert(credentials, alert_body()))
    result = await session.execute(select(Alert).where(col(Alert.id) == alert_id))
    alert: Alert = result.scalar_one()
    return alert


async def test_a_read_row_holds_enum_members_and_the_table_plain_values(
    factory: Factory, session: AsyncSession
) -> None:
    alert = await _posted_alert(factory, session)

    assert type(alert.kind) is AlertKind
    assert type(alert.status) is AlertStatus
    assert type(alert.consent_state) is ConsentState
    raw = (await session.execute(text("SELECT kind, status FROM alert"))).one()
    assert (raw.kind, raw.status) == (alert.kind.value, alert.status.value)
    events = (
        await session.execute(select(AlertEvent).where(col(AlertEvent.alert_id) == alert.id))
    ).scalars()
    assert all(type(event.kind).__name__ == "AlertEventKind" for event in events)


async def test_a_value_outside_the_enum_is_refused_on_write(
    factory: Factory, session: AsyncSession
) -> None:
    alert = await _posted_alert(factory, session)
    alert.status = "lost"  # type: ignore[assignment]

    with pytest.raises(StatementError, match="'lost' is not a valid AlertStatus"):
        await session.commit()


def test_every_status_and_kind_column_is_typed() -> None:
    untyped = [
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if column.name in {"status", "state", "kind", "actor_kind", "channel"}
        and not isinstance(column.type, EnumText)
    ]
    assert untyped == []
