"""What logs and problem details say about a request's path: the route template, never the path.

A path can carry personal data (a national id typed where an alert id belongs), so the request
log and the `instance` of a problem detail name the route that matched (`/v1/alerts/{alert_id}`)
and, for a path that matched no route, keep only the segments that occur in some route
(`/v1/{withheld}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import params
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import Scope

WITHHELD_SEGMENT = "{withheld}"


@dataclass(frozen=True, slots=True)
class KnownRoute:
    regex: re.Pattern[str]
    template: str
    methods: frozenset[str] | None
    endpoint: Callable[..., Any] | None
    reads_json: bool
    """FastAPI decodes the body as JSON for this operation (a body model, not a form)."""


class RouteIndex:
    """The app's routes by template, to name the route of a path without echoing the path."""

    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self.routes: list[KnownRoute] = []
        literal: set[str] = set()
        for route in iter_route_contexts(list(routes)):
            regex = getattr(route, "path_regex", None)
            template = route.path_format
            if regex is None or template is None:
                continue
            methods = route.methods
            body_field = getattr(route, "body_field", None)
            self.routes.append(
                KnownRoute(
                    regex=regex,
                    template=template,
                    methods=frozenset(methods) if methods else None,
                    endpoint=route.endpoint,
                    reads_json=body_field is not None
                    and not isinstance(body_field.field_info, params.Form),
                )
            )
            literal.update(s for s in template.split("/") if s and "{" not in s)
        self.literal_segments = frozenset(literal)

    def match(self, path: str, method: str | None = None) -> KnownRoute | None:
        """The route for `path` (and `method`, preferred when given)."""
        any_method: KnownRoute | None = None
        for route in self.routes:
            if route.regex.match(path):
                if method is None or route.methods is None or method in route.methods:
                    return route
                any_method = any_method or route
        return any_method

    def methods_of(self, path: str) -> frozenset[str] | None:
        """Every method some route takes at `path` (FastAPI makes a route per method); None
        when no route matches, or a matching one takes any method (a mounted app)."""
        methods: set[str] = set()
        matched = False
        for route in self.routes:
            if route.regex.match(path):
                if route.methods is None:
                    return None
                matched = True
                methods |= route.methods
        return frozenset(methods) if matched else None

    def public_path(self, path: str, method: str | None = None) -> str:
        route = self.match(path, method)
        if route is not None:
            return route.template
        segments = [
            s if s in self.literal_segments else WITHHELD_SEGMENT for s in path.split("/")[1:]
        ]
        return "/" + "/".join(segments)


def route_index(app: Any) -> RouteIndex:
    """The index of `app`'s routes, built on first use (routes do not change after start)."""
    index = getattr(app.state, "odvarsel_route_index", None)
    if index is None:
        index = RouteIndex(app.routes)
        app.state.odvarsel_route_index = index
    return index


def public_path(scope: Scope) -> str:
    """The path of the request as it may be logged and answered: its route template."""
    app = scope.get("app")
    path = str(scope.get("path", "/"))
    if app is None:
        return "/" + "/".join(WITHHELD_SEGMENT for s in path.split("/")[1:] if s)
    return route_index(app).public_path(path, scope.get("method"))
