"""Charts as inline SVG, drawn on the server: no script, readable without one, and the same on a
slow phone as on a desktop. Every label is escaped; every mark carries a <title> for screen
readers and hover, and a chart always comes with the table of its numbers beside it. A chart
whose marks are links is a group, not an image: an image may not hold interactive controls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40  # room for the axes' labels, at phone size too


@dataclass(frozen=True)
class Point:
    when: str  # ISO date
    value: float  # percent
    label: str  # what the title of the mark says, already formatted
    href: str  # the cite page of the figure


def _day(iso: str) -> int:
    return date.fromisoformat(iso[:10]).toordinal()


def _ticks(top: float) -> list[int]:
    step = 10 if top <= 60 else 20
    return list(range(0, int(top) + 1, step))


def coverage_over_time(
    coverage: list[Point], targets: list[Point], title: str, year_label=str
) -> str:
    """Coverage (a line of dots) and targets (red ticks at the date they are for) against time.

    `targets` are placed at the end of their target year (their `when`); an axis of percent up
    the side, years along the bottom.
    """
    points = coverage + targets
    if not points:
        return ""
    days = [_day(p.when) for p in points]
    first, last = min(days), max(days)
    if first == last:
        first, last = first - 180, last + 180
    top = max(100.0 if max(p.value for p in points) > 60 else 60.0, max(p.value for p in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(iso: str) -> float:
        return LEFT + (_day(iso) - first) / (last - first) * plot_w

    def y(value: float) -> float:
        return TOP + plot_h - min(value, top) / top * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="group" aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for tick in _ticks(top):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}%</text>'
        )
    first_year, last_year = date.fromordinal(first).year, date.fromordinal(last).year
    for year in range(first_year, last_year + 2):
        day = date(year, 1, 1).toordinal()
        if first <= day <= last:
            px = LEFT + (day - first) / (last - first) * plot_w
            parts.append(
                f'<line class="tick" x1="{px:.1f}" x2="{px:.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 5}"/>'
                f'<text class="axis" x="{px:.1f}" y="{TOP + plot_h + 20}" text-anchor="middle">{escape(year_label(year))}</text>'
            )
    parts.append(
        f'<line class="axis-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>'
    )
    ordered = sorted(coverage, key=lambda p: p.when)
    if len(ordered) > 1:
        path = " ".join(f"{x(p.when):.1f},{y(p.value):.1f}" for p in ordered)
        parts.append(f'<polyline class="actual-line" points="{path}"/>')
    for p in ordered:
        parts.append(
            f'<a href="{escape(p.href)}"><circle class="actual" cx="{x(p.when):.1f}" cy="{y(p.value):.1f}" r="5">'
            f"<title>{escape(p.label)}</title></circle></a>"
        )
    for p in targets:
        parts.append(
            f'<a href="{escape(p.href)}"><rect class="target" x="{x(p.when) - 7:.1f}" y="{y(p.value) - 2:.1f}" width="14" height="4">'
            f"<title>{escape(p.label)}</title></rect></a>"
        )
    parts.append("</svg>")
    return "".join(parts)


def bar(actual: float, target: float | None, label: str) -> str:
    """One region's coverage as a bar on a 0–100 % scale, its target as a red tick."""
    width = max(0.0, min(actual, 100.0))
    parts = [
        f'<svg class="bar" viewBox="0 0 100 16" preserveAspectRatio="none" role="img" aria-label="{escape(label)}">',
        '<rect x="0" y="3" width="100" height="10" class="track"/>',
        f'<rect x="0" y="3" width="{width:g}" height="10" class="actual"/>',
    ]
    if target is not None:
        parts.append(
            f'<rect x="{max(0.0, min(target, 100.0)) - 0.6:g}" y="0" width="1.2" height="16" class="target"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
