"""Input every operation can trust: readable JSON, and text without control characters.

One ASGI middleware checks what FastAPI would otherwise hand on as it is:

* JSON bodies must be UTF-8 and valid JSON (no NaN or Infinity, no numbers beyond what can be
  stored); a syntax error is answered with its line and column (`malformed-json`).
* A key that occurs twice in one JSON object is refused (422 naming the key path): a
  parser keeps only one of the two, so `"consent"` sent twice could be read either way.
* JSON nested deeper than :data:`MAX_JSON_DEPTH`, and strings with control characters (NUL,
  which PostgreSQL cannot store, and the like) or unpaired surrogates are refused with 422
  naming the field — except on operations marked with :func:`validates_own_text`
  (alert intake), whose schema drops such optional fields and lists them instead. There a
  value nested deeper than :data:`MAX_JSON_DEPTH` inside the JSON object is emptied
  (:func:`empty_deeper_than`) before anything reads it: Python's parser gives up some
  thousand levels down, and the alert would be lost for one odd optional field. No field of
  an alert lies that deep, so the schema then drops and lists the field that held it.
* Query parameters, the path, and form fields with control characters are refused (422).
  No operation takes files, so multipart/form-data is refused (415) rather than read unchecked.

JSON is checked for operations that FastAPI decodes JSON for (a body model); operations that
read their body themselves (the calendar import) see it untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message as EmailMessage
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.types import Message, Receive, Scope, Send

from app.middleware import HttpMiddleware
from app.paths import public_path, route_index
from app.problems import field_path, problem_response

MAX_JSON_DEPTH = 32
"""Deepest nesting of objects and arrays accepted (alerts need 3)."""
MAX_REPORTED_ERRORS = 20

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
TEXT_REASON = "contains a control character (such as NUL) or an unpaired surrogate"
_LENIENT_TEXT = "__odvarsel_validates_own_text__"

F = TypeVar("F", bound=Callable[..., Any])


def has_forbidden_characters(text: str) -> bool:
    """True for text with C0 control characters other than tab, CR and LF, DEL, or surrogates."""
    return _FORBIDDEN.search(text) is not None


def refuse_control_characters(value: str) -> str:
    """A pydantic AfterValidator: refuse text that cannot be stored or shown as it is."""
    if has_forbidden_characters(value):
        raise ValueError(TEXT_REASON)
    return value


def validates_own_text(endpoint: F) -> F:
    """Mark an operation whose body schema checks text and depth itself (lenient fields)."""
    setattr(endpoint, _LENIENT_TEXT, True)
    return endpoint


class MalformedJson(Exception):
    def __init__(self, reason: str, *, line: int | None = None, column: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class InputError:
    loc: tuple[int | str, ...]
    reason: str


class _Object(dict[str, Any]):
    """A decoded JSON object that remembers the keys it was given more than once."""

    __slots__ = ("duplicates",)

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[str] = []


def _object_of(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    for key, value in pairs:
        if key in obj and key not in obj.duplicates:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _refuse_constant(name: str) -> Any:
    raise MalformedJson(f"{name} is not a JSON number")


def decode_json(body: bytes) -> Any:
    """The JSON value of `body`, strictly: UTF-8, no NaN/Infinity; duplicates are marked."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedJson(f"the body is not UTF-8 (byte {exc.start + 1})") from exc
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(text, object_pairs_hook=_object_of, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise MalformedJson(exc.msg, line=exc.lineno, column=exc.colno) from exc
    except RecursionError as exc:
        raise MalformedJson("nested too deeply to be read") from exc
    except ValueError as exc:  # an integer with more digits than Python converts
        raise MalformedJson("a number has too many digits") from exc


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
"""A JSON string (skipped whole, so brackets inside it do not count) or a bracket."""


def empty_deeper_than(text: str, max_depth: int) -> str:
    """`text` with every array or object nested deeper than `max_depth` emptied (`[ ]`,
    `{ }`), by a scan that does not recurse. Lines and columns stay where they were (the
    content becomes blanks, its line breaks kept), so a later syntax error is placed right."""
    depth = 0
    start: int | None = None
    cuts: list[tuple[int, int]] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            continue
        if token in "[{":
            depth += 1
            if depth == max_depth + 1:
                start = match.start()
        else:
            if depth == max_depth + 1 and start is not None:
                cuts.append((start, match.end()))
                start = None
            depth -= 1
    if not cuts:
        return text
    parts: list[str] = []
    done = 0
    for begin, end in cuts:
        inside = re.sub(r"[^\r\n]", " ", text[begin + 1 : end - 1])
        parts += [text[done:begin], text[begin], inside, text[end - 1]]
        done = end
    return "".join([*parts, text[done:]])


def structural_errors(
    value: Any, *, check_text: bool, max_depth: int | None = MAX_JSON_DEPTH
) -> list[InputError]:
    """Duplicate keys; with `check_text` also control characters; beyond `max_depth`, depth."""
    errors: list[InputError] = []
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(value, ())]
    while stack and len(errors) < MAX_REPORTED_ERRORS:
        current, path = stack.pop()
        if max_depth is not None and len(path) > max_depth:
            errors.append(InputError(path, f"nested deeper than {max_depth} levels"))
            continue
        if isinstance(current, dict):
            for key in getattr(current, "duplicates", ()):
                errors.append(InputError((*path, key), "the key occurs more than once"))
            for key, item in reversed(current.items()):
                if check_text and has_forbidden_characters(key):
                    errors.append(InputError((*path, key), "the key " + TEXT_REASON))
                    continue
                stack.append((item, (*path, key)))
        elif isinstance(current, list):
            stack.extend((item, (*path, i)) for i, item in reversed(list(enumerate(current))))
        elif check_text and isinstance(current, str) and has_forbidden_characters(current):
            errors.append(InputError(path, TEXT_REASON))
    return errors[:MAX_REPORTED_ERRORS]


def _media_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            message = EmailMessage()
            message["content-type"] = value.decode("latin-1")
            return message.get_content_type()
    return ""


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _pairs(encoded: str) -> Iterator[tuple[str, str]]:
    yield from parse_qsl(encoded, keep_blank_values=True, encoding="utf-8", errors="replace")


def _text_errors(where: str, pairs: Iterator[tuple[str, str]]) -> list[InputError]:
    return [
        InputError((where, name), TEXT_REASON)
        for name, value in pairs
        if has_forbidden_characters(name) or has_forbidden_characters(value)
    ][:MAX_REPORTED_ERRORS]


class InputGuard(HttpMiddleware):
    """Refuse unreadable JSON, duplicate keys, and control characters before any operation.

    `skip_prefixes`: paths of sub-apps that check their own input and answer in HTML (staff
    pages)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        errors: list[InputError] = []
        if has_forbidden_characters(scope["path"]):
            errors.append(InputError(("path",), TEXT_REASON))
        errors += _text_errors("query", _pairs(scope["query_string"].decode("latin-1")))
        if errors:
            await self._invalid(scope, receive, send, errors)
            return
        media_type = _media_type(scope)
        if media_type == "multipart/form-data":  # no operation takes files: not read unchecked
            await self._unsupported(scope, receive, send)
            return
        if not _is_json(media_type) and media_type != "application/x-www-form-urlencoded":
            await self.app(scope, receive, send)
            return
        body, replay = await _read_body(receive)
        if body:
            try:
                checked, errors = self._checked_body(scope, media_type, body)
            except MalformedJson as exc:
                await self._malformed(scope, replay, send, exc)
                return
            if errors:
                await self._invalid(scope, replay, send, errors)
                return
            if checked is not body:
                replay = _replay([_body_message(checked)], receive)
        await self.app(scope, replay, send)

    def _checked_body(
        self, scope: Scope, media_type: str, body: bytes
    ) -> tuple[bytes, list[InputError]]:
        """The body to hand on (emptied too deep, on a lenient operation), and its errors."""
        if not _is_json(media_type):
            return body, _text_errors("body", _pairs(body.decode("latin-1")))
        route = route_index(scope["app"]).match(scope["path"], scope["method"])
        if route is None or not route.reads_json or scope["method"] not in (route.methods or ()):
            return body, []  # no such operation (404, 405), or one that reads its body itself
        if not getattr(route.endpoint, _LENIENT_TEXT, False):
            value = decode_json(body)
            errors = structural_errors(value, check_text=True, max_depth=MAX_JSON_DEPTH)
            return body, [InputError(("body", *e.loc), e.reason) for e in errors]
        body = _emptied_too_deep(body)
        value = decode_json(body)
        errors = structural_errors(value, check_text=False, max_depth=None)
        return body, [InputError(("body", *e.loc), e.reason) for e in errors]

    async def _invalid(
        self, scope: Scope, receive: Receive, send: Send, errors: list[InputError]
    ) -> None:
        listed = [{"field": field_path(e.loc), "reason": e.reason} for e in errors]
        response = problem_response(
            status=422,
            slug="validation-error",
            title="The request is not valid",
            detail="; ".join(f"{e['field']}: {e['reason']}" for e in listed),
            instance=public_path(scope),
            errors=listed,
        )
        await response(scope, receive, send)

    async def _unsupported(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            status=415,
            slug="unsupported-media-type",
            title="Unsupported media type",
            detail="No operation takes multipart/form-data: send forms as "
            "application/x-www-form-urlencoded and bodies as application/json, in UTF-8.",
            instance=public_path(scope),
        )
        await response(scope, receive, send)

    async def _malformed(
        self, scope: Scope, receive: Receive, send: Send, exc: MalformedJson
    ) -> None:
        where = f" at line {exc.line}, column {exc.column}" if exc.line is not None else ""
        response = problem_response(
            status=422,
            slug="malformed-json",
            title="The body is not readable JSON",
            detail=f"The body cannot be read as JSON: {exc.reason}{where}. Send one JSON "
            "object in UTF-8 with Content-Type: application/json. Nothing was stored.",
            instance=public_path(scope),
            line=exc.line,
            column=exc.column,
        )
        await response(scope, receive, send)


def _emptied_too_deep(body: bytes) -> bytes:
    """A JSON object's body with what lies deeper than MAX_JSON_DEPTH emptied; `body` itself
    if nothing was, or if it is no JSON object (then nothing to keep: read, or refused, as
    it is). Undecodable bytes are left for :func:`decode_json` to name."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    if not text.removeprefix("\ufeff").lstrip().startswith("{"):
        return body
    emptied = empty_deeper_than(text, MAX_JSON_DEPTH)
    return body if emptied is text else emptied.encode("utf-8")


def _body_message(body: bytes) -> Message:
    return {"type": "http.request", "body": body, "more_body": False}


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands `messages` on first, then whatever comes after."""

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replay


async def _read_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """The whole body (None if the client left before sending it), and a receive that hands
    the same messages on again."""
    messages: list[Message] = []
    complete = False
    while not complete:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break  # the client went away: the app sees that too
        complete = not message.get("more_body", False)
    body = b"".join(m.get("body", b"") for m in messages) if complete else None
    if body is not None:
        messages = [_body_message(body)]
    return body, _replay(messages, receive)
