"""The dashboard's charts as inline SVG, drawn on the server (pure): bars per hour, the wait
distribution and the menu funnel. Every label is escaped; sizes are in SVG user units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 40, 40, 16
MAX_GROUP = 90
"""Widest a group of bars gets, so a period of one hour still reads as a bar chart."""


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]
    css: str
    """The class that colours its bars (the page's stylesheet)."""


def bars(labels: Sequence[str], series: Sequence[Series], title: str) -> Markup:
    """Grouped vertical bars, one group per label, with a y axis from 0 to the maximum."""
    top = max([1, *[v for s in series for v in s.values]])
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    group = min(MAX_GROUP, plot_w / max(1, len(labels)))
    bar = group * 0.8 / max(1, len(series))
    parts = [_axis(top, plot_h)]
    for i, label in enumerate(labels):
        x0 = PAD_LEFT + i * group + group * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / top
            parts.append(f'<rect class="{s.css}" x="{x0 + j * bar:.1f}" '
                         f'y="{PAD_TOP + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                         f'height="{h:.1f}"><title>{escape(s.name)} {escape(label)}: '
                         f'{value}</title></rect>')
        parts.append(f'<text class="tick" x="{x0 + group * 0.4:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}"'
                     f' text-anchor="middle">{escape(label)}</text>')
    parts.append(_legend(series))
    return _svg(title, "".join(parts))


def funnel(rows: Sequence[dict[str, Any]], title: str) -> Markup:
    """Horizontal bars per menu node: callers who heard it, split into those who hung up
    there, pressed 0 there, and went on."""
    line = 26
    height = PAD_TOP + line * max(1, len(rows)) + 30
    widest = max([1, *[int(r["reached"]) for r in rows]])
    label_w, plot_w = 120, WIDTH - 120 - 60
    parts = []
    for i, row in enumerate(rows):
        y = PAD_TOP + i * line
        x = float(label_w)
        parts.append(f'<text class="tick" x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
                     f'{escape(row["node"])}</text>')
        went_on = int(row["reached"]) - int(row["hung_up"]) - int(row["pressed_0"])
        for css, name, count in (("on", "went on", went_on), ("lost", "hung up", row["hung_up"]),
                                 ("zero", "pressed 0", row["pressed_0"])):
            w = plot_w * int(count) / widest
            parts.append(f'<rect class="{css}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                         f'height="{line - 6}"><title>{escape(row["node"])}: {count} '
                         f'{name}</title></rect>')
            x += w
        parts.append(f'<text class="tick" x="{x + 6:.1f}" y="{y + 15}">{row["reached"]}</text>')
    legend = _legend([Series("went on", [], "on"), Series("hung up", [], "lost"),
                      Series("pressed 0", [], "zero")], y=height - 12)
    return _svg(title, "".join(parts) + legend, height)


def _axis(top: int, plot_h: float) -> str:
    base = PAD_TOP + plot_h
    return (f'<line class="axis" x1="{PAD_LEFT}" y1="{base}" x2="{WIDTH - 8}" y2="{base}"/>'
            f'<text class="tick" x="{PAD_LEFT - 6}" y="{PAD_TOP + 4}" text-anchor="end">{top}'
            f'</text><text class="tick" x="{PAD_LEFT - 6}" y="{base}" text-anchor="end">0</text>')


def _legend(series: Sequence[Series], y: int = HEIGHT - 8) -> str:
    parts = []
    for i, s in enumerate(series):
        x = PAD_LEFT + i * 120
        parts.append(f'<rect class="{s.css}" x="{x}" y="{y - 9}" width="10" height="10"/>'
                     f'<text class="tick" x="{x + 14}" y="{y}">{escape(s.name)}</text>')
    return "".join(parts)


def _svg(title: str, body: str, height: int = HEIGHT) -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
                  f'aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>')
