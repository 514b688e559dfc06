"""The form for crews (`/skjema/`, the form's sub-app, app/web/form_app.py) and the page of
an alert a reporter sent (`/skjema/varsel/<id>`). README, "The form for crews".

* `GET /skjema/`: the form, with a new incident id (hidden `incident`) and the time it was
  opened (hidden `opened_at`, the event's time unless the crew types one). A visitor without
  a reporter's session goes to the sign-in page.
* `POST /skjema/`: read strictly (app/web/form_fields.py): errors beside their fields (422);
  otherwise the alert goes through `app.alerts.intake.receive_alert`, the service call of
  `POST /v1/alerts`, as the form's API client with the reporter's own incident id. A resend
  of the same form (a dropped connection) is the same incident: no second alert, the same
  alert's page. Then 303 to that page (PRG, no script needed).
* `GET /skjema/varsel/<id>`: the alert's status and timeline and the team's answer, as its
  dispatcher sees them (no personal data); only for the reporter who sent it, in one of
  their municipalities: anything else is 404.

The POST opens its own transaction (not `TxSession`): a refusal is shown as the form, so it
must roll back inside the endpoint.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.alerts import intake
from app.alerts import service as alerts_service
from app.alerts.clients import Sender
from app.alerts.schemas.alert_in import AlertIn
from app.auth.staff.security import pages_root
from app.deps import SessionDep, StateDep
from app.errors import Conflict, DomainError, InvalidFields, NotFound
from app.i18n import Words, moment, words
from app.reporters import signin
from app.reporters.service import FORM_CLIENT_ID
from app.reporters.signin import ReporterIdentity
from app.web import form_fields
from app.web.form_session import Keys, OptionalReporter
from app.web.form_signin import PAGES, signin_url

router = APIRouter(include_in_schema=False)


def alert_url(request: Request, alert_id: uuid.UUID, query: str = "") -> str:
    return f"{pages_root(request)}/varsel/{alert_id}{query}"


def _form_page(
    request: Request,
    reporter: ReporterIdentity,
    keys: Keys,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    sent: list[uuid.UUID] | None = None,
) -> Response:
    language = reporter.language
    return PAGES.render(
        request,
        "form.html",
        language,
        status=status,
        reporter=reporter,
        v=values,
        errors=errors or {},
        municipality_options=[
            (code, reporter.municipality_names.get(code, code)) for code in reporter.municipalities
        ],
        outcome_options=_options("value.clinical.outcome", form_fields.OUTCOMES, language),
        destination_options=_options("value.destination.type", form_fields.DESTINATIONS, language),
        csrf=keys.session_csrf(reporter.session_id),
        action=f"{pages_root(request)}/",
        signout=f"{pages_root(request)}/s/logg-ut",
        sent=[(a, alert_url(request, a)) for a in sent or []],
    )


def _options(prefix: str, values: tuple[str, ...], language: str) -> list[tuple[str, str]]:
    """(value, words) of a choice, in the words the alert's page shows it with."""
    said = words(language)
    return [(value, _sentence(said.gettext_or(f"{prefix}.{value}", value))) for value in values]


def _sentence(words_of_value: str) -> str:
    """The words as a choice starts: a capital first letter, the rest as written (ØHD)."""
    return words_of_value[:1].upper() + words_of_value[1:]


@router.api_route("/", methods=["GET", "HEAD"])
async def form_page(
    request: Request, state: StateDep, session: SessionDep, keys: Keys, reporter: OptionalReporter
) -> Response:
    if reporter is None:
        return RedirectResponse(signin_url(request), status_code=303)
    values = dict.fromkeys(form_fields.TEXT_FIELDS, "")
    values["incident"] = str(uuid.uuid4())
    values["opened_at"] = state.clock.now().isoformat()
    values["callback"] = reporter.callback_phone or ""
    if len(reporter.municipalities) == 1:
        values["municipality"] = reporter.municipalities[0]
    async with session.begin():
        sent = await signin.sent_alerts(session, reporter=reporter)
    return _form_page(request, reporter, keys, values, sent=sent)


@router.post("/")
async def send_form(
    request: Request, state: StateDep, session: SessionDep, keys: Keys, reporter: OptionalReporter
) -> Response:
    if reporter is None:
        return RedirectResponse(signin_url(request), status_code=303)
    form = await request.form()
    if not keys.session_csrf_ok(reporter.session_id, str(form.get("csrf", ""))):
        return PAGES.signin_message(request, "forbidden", status=403)
    read = form_fields.read_form(
        {k: str(v) for k, v in form.items() if isinstance(v, str)},
        reporting=form_fields.Reporting(
            reporter_id=reporter.reporter_id,
            municipalities=reporter.municipalities,
            reporter_type=reporter.reporter_type,
            unit=reporter.unit,
        ),
        now=state.clock.now(),
        words=words(reporter.language),
    )
    if read.errors:
        return _form_page(request, reporter, keys, read.values, errors=read.errors, status=422)
    try:
        alert_id, created = await _send(state, session, reporter, read.alert)
    except Conflict as exc:
        # The same form sent again with changes: the alert stands as first sent.
        return await _sent_before(request, state, session, reporter, exc)
    except (DomainError, ValidationError) as exc:
        errors = _errors_of(exc, words(reporter.language))
        return _form_page(request, reporter, keys, read.values, errors=errors, status=422)
    if created:
        state.worker.wake()  # committed: the escalation is due
    return RedirectResponse(
        alert_url(request, alert_id, "" if created else "?igjen=1"), status_code=303
    )


async def _send(
    state: StateDep, session: SessionDep, reporter: ReporterIdentity, alert: dict[str, Any]
) -> tuple[uuid.UUID, bool]:
    """Through the intake of `POST /v1/alerts`, in one transaction with the reporter's note."""
    alert_in = AlertIn.model_validate(alert)
    async with session.begin():
        now = state.clock.now()
        sender = Sender(
            session=session,
            client_id=FORM_CLIENT_ID,
            now=now,
            cipher=state.cipher,
            hasher=state.hasher,
        )
        result = await intake.receive_alert(
            sender,
            alert_in,
            municipalities=reporter.municipalities,
            intake=state.settings.intake,
        )
        await signin.record_alert(session, reporter=reporter, alert_id=result.alert.id, now=now)
    return result.alert.id, result.created


async def _sent_before(
    request: Request,
    state: StateDep,
    session: SessionDep,
    reporter: ReporterIdentity,
    exc: Conflict,
) -> Response:
    alert_id = uuid.UUID(str(exc.extra.get("alert_id")))
    async with session.begin():
        mine = await signin.sent_by(session, reporter=reporter, alert_id=alert_id)
    if not mine:  # pragma: no cover - the incident id is the reporter's own
        return PAGES.signin_message(request, "page.not_found", status=404)
    return RedirectResponse(alert_url(request, alert_id, "?endret=1"), status_code=303)


def _errors_of(exc: DomainError | ValidationError, language_words: Words) -> dict[str, str]:
    """A refusal of the intake, beside the field it names, or at the top of the form."""
    if isinstance(exc, ValidationError):
        fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    elif isinstance(exc, InvalidFields):
        fields = {str(e.get("field")) for e in exc.extra.get("errors", [])}
    else:
        fields = set()
    if "occurred_at" in fields:
        return {"time": language_words.gettext("form.error.time_range")}
    if getattr(exc, "slug", "") == "alert-not-delivered":
        return {"form": language_words.gettext("form.error.not_delivered")}
    return {"form": language_words.gettext("form.error.refused")}


@router.api_route("/varsel/{alert_id}", methods=["GET", "HEAD"])
async def alert_page(
    alert_id: str,
    request: Request,
    state: StateDep,
    session: SessionDep,
    reporter: OptionalReporter,
) -> Response:
    if reporter is None:
        return RedirectResponse(signin_url(request), status_code=303)
    try:
        wanted = uuid.UUID(alert_id)
        async with session.begin():
            if not await signin.sent_by(session, reporter=reporter, alert_id=wanted):
                raise NotFound("not this reporter's alert")
            alert = await alerts_service.get_alert(
                session, alert_id=wanted, client_id=FORM_CLIENT_ID, cipher=state.cipher
            )
    except (ValueError, NotFound):
        return PAGES.signin_message(request, "page.not_found", status=404)
    if alert.municipality not in reporter.municipalities:
        return PAGES.signin_message(request, "page.not_found", status=404)
    language = reporter.language
    return PAGES.render(
        request,
        "form_alert.html",
        language,
        a=alert,
        when=lambda instant: moment(instant, language) if instant else "",
        again=request.query_params.get("igjen") == "1",
        changed=request.query_params.get("endret") == "1",
        new_form=f"{pages_root(request)}/",
        municipality=reporter.municipality_names.get(alert.municipality, alert.municipality),
    )
