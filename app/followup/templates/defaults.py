"""The default templates shipped with the service: `survivor.json` and `fatal.json` beside this
module, data validated as every template is (`app.followup.template_schema`)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from app.followup.template_schema import FollowupTemplate, TemplateKind, parse_template

TEMPLATE_DIR = Path(__file__).resolve().parent


@cache
def default_template(kind: TemplateKind) -> FollowupTemplate:
    """The default template shipped with the service (`templates/<kind>.json`)."""
    template = parse_template(json.loads((TEMPLATE_DIR / f"{kind.value}.json").read_text("utf-8")))
    if template.kind is not kind:
        raise ValueError(f"templates/{kind.value}.json is a {template.kind.value} template")
    return template
