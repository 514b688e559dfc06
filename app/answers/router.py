"""Admin API for a municipality's answers to the crew (scope `admin`): a settings document."""

from __future__ import annotations

from app.answers import service
from app.answers.schemas import AnswerOptions
from app.api.documents import Operation, SettingsDocument, mount
from app.roster.teams.owners import MUNICIPALITY

ANSWER_OPTIONS = SettingsDocument(
    name="answer-options",
    owner=MUNICIPALITY,
    path="/answer-options",
    tag="admin: answers",
    body=AnswerOptions,
    answer=AnswerOptions,
    load=service.options_for,
    store=service.set_options,
    get=Operation(
        "get_answer_options",
        summary="Get the answers offered to whoever takes an alert",
        description="A municipality that has not set its own gets the defaults.",
    ),
    put=Operation(
        "put_answer_options",
        summary="Set the answers offered to whoever takes an alert",
        description='Replaces the lists: minutes for "kommer", the municipality\'s places, and '
        "when a follow-up happens if nobody can come. Answers given before keep their words.",
    ),
)

router = mount(ANSWER_OPTIONS)
