"""Structured logs. Log calls pass ids and counts in `extra`, never personal data.

JSON lines (`LOG_JSON=true`, the default) carry every `extra` field as a key; plain lines
(`LOG_JSON=false`) append them as `key=value` after the message, so neither loses the
method, path and status of a request. Every line written while a request is handled carries
its id (`request_id`, the `X-Request-ID` answered: `app.middleware.RequestId`).
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from typing import TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

# These log SQL parameters, i.e. alert contents, at DEBUG; they never log below WARNING here.
PARAMETER_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "asyncpg")

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_STANDARD = frozenset(RESERVED_ATTRS) | {"message", "taskName"}
"""A LogRecord's own attributes; any other is an `extra` field."""

current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being handled in this context (None outside a request)."""


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to a record written while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class PlainFormatter(logging.Formatter):
    """The classic one-line format, with the record's `extra` fields as `key=value`."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        extras = [
            f"{key}={_plain(value)}"
            for key, value in record.__dict__.items()
            if key not in _STANDARD and not key.startswith("_")
        ]
        return " ".join([line, *extras])


def _plain(value: object) -> str:
    """A value as it reads in a plain line: quoted (JSON) where it would not stay one word."""
    if not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"), default=str)
    if not value or any(c.isspace() or c in '"=' for c in value):
        return json.dumps(value)
    return value


def silence_parameter_loggers() -> None:
    for name in PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def log_handler(*, json_lines: bool, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing to `stream` (stderr): JSON lines or plain ones, request ids added."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if json_lines:
        handler.setFormatter(
            JsonFormatter(
                FORMAT,
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(PlainFormatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(*, level: str, json_lines: bool) -> None:
    root = logging.getLogger()
    root.handlers[:] = [log_handler(json_lines=json_lines)]
    root.setLevel(level)
    # uvicorn's access log repeats what RequestLog writes, with the query string.
    logging.getLogger("uvicorn.access").disabled = True
