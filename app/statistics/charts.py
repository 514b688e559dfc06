"""Bar charts as inline SVG, drawn on the server (pure): no script, no library, nothing
fetched, so a page with charts makes no request off the service (and the pages' CSP, which
allows no script, holds). Colours come from the stylesheet's classes (`app.css`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

BAR_WIDTH = 28
GAP = 10
PLOT_HEIGHT = 140
TOP = 22
"""Room above the tallest bar for its number."""
BOTTOM = 22
"""Room below the bars for their labels."""
LEFT = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    """None: hidden (suppressed); no bar is drawn, only `text`."""
    text: str
    """Written above the bar: the count, "<5", "x", "40 %"."""


def _open(chart_id: str, title: str, width: int, height: int) -> list[Markup]:
    return [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" '
            'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
            'aria-labelledby="{id}-title">'
        ).format(id=chart_id, w=width, h=height),
        Markup('<title id="{id}-title">{title}</title>').format(id=chart_id, title=title),
    ]


def bar_chart(
    bars: Sequence[Bar], *, title: str, chart_id: str, maximum: float | None = None
) -> Markup:
    """A vertical bar chart; bars scaled to `maximum` (default: the largest value)."""
    top = maximum if maximum is not None else max((b.value or 0 for b in bars), default=0)
    width = LEFT * 2 + len(bars) * (BAR_WIDTH + GAP)
    height = TOP + PLOT_HEIGHT + BOTTOM
    base = TOP + PLOT_HEIGHT
    parts = _open(chart_id, title, width, height)
    parts.append(
        Markup('<line class="axis" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"/>').format(
            x1=LEFT, x2=width - LEFT, y=base
        )
    )
    for i, bar in enumerate(bars):
        x = LEFT + i * (BAR_WIDTH + GAP) + GAP // 2
        centre = x + BAR_WIDTH // 2
        bar_height = 0
        if bar.value is not None and top > 0:
            bar_height = round(PLOT_HEIGHT * bar.value / top)
        if bar_height > 0:
            parts.append(
                Markup(
                    '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}">'
                    "<title>{label}: {text}</title></rect>"
                ).format(
                    x=x,
                    y=base - bar_height,
                    w=BAR_WIDTH,
                    h=bar_height,
                    label=bar.label,
                    text=bar.text,
                )
            )
        parts.append(
            Markup(
                '<text class="value {kind}" x="{x}" y="{y}" text-anchor="middle">{text}</text>'
            ).format(
                kind="hidden" if bar.value is None else "shown",
                x=centre,
                y=base - bar_height - 5,
                text=bar.text,
            )
        )
        parts.append(
            Markup(
                '<text class="label" x="{x}" y="{y}" text-anchor="middle">{label}</text>'
            ).format(x=centre, y=base + 15, label=bar.label)
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


ROW_HEIGHT = 22
LABEL_WIDTH = 200
BAR_SPACE = 180


def share_chart(bars: Sequence[Bar], *, title: str, chart_id: str) -> Markup:
    """Horizontal bars of shares from 0 to 1, a row each with its label (long labels fit)."""
    width = LABEL_WIDTH + BAR_SPACE + 60
    height = len(bars) * ROW_HEIGHT + 6
    parts = _open(chart_id, title, width, height)
    for i, bar in enumerate(bars):
        y = 3 + i * ROW_HEIGHT
        length = round(BAR_SPACE * max(0.0, min(1.0, bar.value))) if bar.value else 0
        parts.append(
            Markup('<text class="label" x="{x}" y="{y}" text-anchor="end">{label}</text>').format(
                x=LABEL_WIDTH - 6, y=y + 15, label=bar.label
            )
        )
        if length > 0:
            parts.append(
                Markup(
                    '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}">'
                    "<title>{label}: {text}</title></rect>"
                ).format(
                    x=LABEL_WIDTH,
                    y=y + 3,
                    w=length,
                    h=ROW_HEIGHT - 6,
                    label=bar.label,
                    text=bar.text,
                )
            )
        parts.append(
            Markup('<text class="value {kind}" x="{x}" y="{y}">{text}</text>').format(
                kind="hidden" if bar.value is None else "shown",
                x=LABEL_WIDTH + length + 5,
                y=y + 15,
                text=bar.text,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
