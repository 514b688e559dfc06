"""Answers to the crew: the municipality's options, and giving an answer.

An answer reaches the dispatcher at once in three ways, all in the answering transaction:
the alert's timeline (`GET /v1/alerts/{id}`), a signed webhook queued for the dispatch
system, and an SMS to the reporter's call-back number, if one was given. None of them
carries personal data: the choices are the municipality's own words, and free text that
looks like a national id, a phone number or the person's name is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts import repository as alerts_repository
from app.alerts import sealing
from app.alerts import service as alerts_service
from app.alerts.enums import AckVia
from app.alerts.models import Alert
from app.answers import repository
from app.answers.models import AlertAnswer, AnswerOptionsRow
from app.answers.rules import MAX_FREE_TEXT, Answer, AnswerKind, render
from app.answers.schemas import AnswerOptions
from app.errors import Conflict, FieldProblem, InvalidFields, NotFound
from app.escalation import service as escalation_service
from app.escalation.engine.messages import MessagePurpose, alert_message
from app.escalation.engine.models import EscalationStatus
from app.i18n import Language, words
from app.notify import outbox, texts
from app.privacy.crypto import FieldCipher
from app.privacy.free_text import personal_data_in
from app.roster.models import Member
from app.roster.rota import duty as roster_duty
from app.timeline import service as timeline
from app.timeline.models import AlertEventKind
from app.timeline.schemas import CrewAnswer

DEFAULT_OPTIONS = AnswerOptions(
    coming_minutes=[10, 20, 30, 45],
    places=["legevakten"],
    follow_up_when=["i morgen tidlig", "i løpet av dagen", "innen 24 timer"],
)


class NotTheTaker(Conflict):
    """Only whoever took the alert answers the crew (one voice at the scene)."""


async def options_for(session: AsyncSession, municipality_code: str) -> AnswerOptions:
    """The answers the municipality offers: its own, or the defaults."""
    row = await repository.get_options(session, municipality_code=municipality_code)
    if row is None:
        return DEFAULT_OPTIONS
    return AnswerOptions(
        coming_minutes=row.coming_minutes, places=row.places, follow_up_when=row.follow_up_when
    )


async def set_options(
    session: AsyncSession, municipality_code: str, options: AnswerOptions, *, now: datetime
) -> AnswerOptions:
    """Replace the municipality's answers; answers given before keep their words."""
    await repository.save_options(
        session,
        AnswerOptionsRow(
            municipality_code=municipality_code,
            coming_minutes=options.coming_minutes,
            places=options.places,
            follow_up_when=options.follow_up_when,
            updated_at=now,
        ),
    )
    return options


async def give_answer(
    session: AsyncSession,
    *,
    alert_id: uuid.UUID,
    member: Member | None,
    answer: Answer,
    via: AckVia,
    now: datetime,
    cipher: FieldCipher,
) -> CrewAnswer:
    """Record `member`'s answer (None: the fallback number) and send it to the crew.

    Raises InvalidFields when the answer is not one the municipality offers (an SMS may give
    any number of minutes) or free text holds personal data, NotTheTaker when `member` did
    not take the alert.
    """
    alert = await alerts_repository.get_by_id(session, alert_id=alert_id)
    escalation = await escalation_service.status_of(session, alert_id=alert_id)
    if alert is None or escalation is None:
        raise NotFound(f"No alert {alert_id}.")
    taker = escalation.acknowledged_by
    if escalation.status != EscalationStatus.ACKNOWLEDGED or taker != (
        member.id if member else None
    ):
        raise NotTheTaker("Only whoever took the alert answers the crew.")
    options = await options_for(session, municipality_code=alert.municipality_code)
    answer = _checked(answer, options, alert, cipher, any_minutes=via is AckVia.SMS)
    standard = await roster_duty.written_standard(session, alert.municipality_code)
    # The answer is kept as checked, field by field; its text goes in the free-text column.
    kept = asdict(answer)
    kept["free_text"] = kept.pop("text")
    repository.add_answer(
        session,
        AlertAnswer(
            alert_id=alert_id,
            member_id=member.id if member else None,
            **kept,
            via=via.value,
            created_at=now,
        ),
    )
    crew = CrewAnswer(
        kind=answer.kind.value,
        text=render(answer, words(standard)),
        minutes=answer.minutes,
        place=answer.place,
        follow_up=answer.follow_up,
    )
    by = await alerts_service.staff_ref(session, member) if member else None
    timeline.record(
        session, alert_id=alert_id, kind=AlertEventKind.ANSWERED, at=now, by=by, answer=crew
    )
    await alerts_service.notify_dispatcher(
        session, alert_id=alert_id, event_type="alert.answered", now=now, cipher=cipher
    )
    await _text_the_reporter(session, alert, crew, standard, cipher=cipher, now=now)
    return crew


def _checked(
    answer: Answer, options: AnswerOptions, alert: Alert, cipher: FieldCipher, *, any_minutes: bool
) -> Answer:
    def refuse(field: str, reason: str) -> InvalidFields:
        return InvalidFields([FieldProblem(field=field, reason=reason)])

    if answer.kind is AnswerKind.COMING:
        offered = any_minutes or answer.minutes in options.coming_minutes
        if answer.minutes is not None and not offered:
            raise refuse("minutes", "not one of the municipality's choices")
    elif answer.kind is AnswerKind.BRING_TO:
        if answer.place not in options.places:
            raise refuse("place", "not one of the municipality's places")
    elif answer.kind is AnswerKind.CANNOT_COME:
        if answer.follow_up not in options.follow_up_when:
            raise refuse("follow_up", "not one of the municipality's choices")
    else:
        text = " ".join((answer.text or "").split())
        if not text:
            raise refuse("text", "write a short answer")
        if len(text) > MAX_FREE_TEXT:
            raise refuse("text", f"at most {MAX_FREE_TEXT} characters")
        reasons = personal_data_in(
            text,
            names=sealing.person_names(cipher, [alert]),
            places=sealing.place_descriptions(cipher, [alert]),
        )
        if reasons:
            raise refuse("text", "; ".join(reasons) + ": no personal data goes to the crew")
        return Answer(AnswerKind.FREE_TEXT, text=text)
    return answer


async def _text_the_reporter(
    session: AsyncSession,
    alert: Alert,
    crew: CrewAnswer,
    standard: Language,
    *,
    cipher: FieldCipher,
    now: datetime,
) -> None:
    """The answer to the crew's call-back number, in the municipality's written standard."""
    number = sealing.reporter_values(cipher, alert).get("callback_phone")
    if not isinstance(number, str):
        return
    municipality = await roster_duty.get_municipality(session, alert.municipality_code)
    body = texts.answer_text(
        municipality_name=municipality.name if municipality else alert.municipality_code,
        occurred_at=alert.occurred_at,
        answer=crew.text,
        language=standard,
    )
    message = alert_message(
        alert_id=alert.id, to=number, body=body, purpose=MessagePurpose.CREW_ANSWER, now=now
    )
    outbox.enqueue(session, [message])
    await outbox.wake_workers(session)
