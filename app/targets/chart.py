"""An accessible SVG line chart of yearly series, built on the server (no script: the
pages' Content-Security-Policy allows none inline), and the chart of one indicator's
targets against its achieved values."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from app.targets.queries import IndicatorTable, ScopeTable
from knowledge.indicators.display import format_number, shown_value


@dataclass(frozen=True)
class Series:
    label: str  # "Cible"
    values: Mapping[int, float | None]  # year -> value (None or absent: not entered)
    css: str  # class of the line and markers, "serie-cible"
    colour: str  # stroke colour (presentation attribute: the CSP forbids inline style)
    dashed: bool = False
    square: bool = False  # square markers, to tell the series apart without colour


WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 72, 20, 44, 40


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``raw``."""
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    return nice * 10**exponent


def _ticks(highest: float) -> list[float]:
    if highest <= 0:
        return [0.0, 1.0]
    step = _nice_step(highest / 4)
    count = max(1, math.ceil(highest / step - 1e-9))
    return [step * i for i in range(count + 1)]


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def line_chart(
    chart_id: str,
    title: str,
    unit: str,
    years: Sequence[int],
    series: Sequence[Series],
    shown: Callable[[float], str] = lambda v: format_number(v, 2),
    y_ticks: Sequence[tuple[float, str]] | None = None,
) -> Markup:
    """An accessible SVG line chart of yearly series, built on the server.

    Every text (title, labels, unit, values) is escaped and every coordinate is a
    number formatted here, so the string can be marked safe once built. ``shown``
    formats a value for the description and the markers' tooltips; ``y_ticks``
    replaces the computed scale (e.g. NON/OUI for a qualitative indicator). A missing
    year breaks the line rather than joining its neighbours.
    """
    ident = escape(chart_id, quote=True)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    present = [v for s in series for v in s.values.values() if v is not None]
    if y_ticks:
        ticks = [(float(value), label) for value, label in y_ticks]
    else:
        ticks = [(t, format_number(t, 2)) for t in _ticks(max(present, default=0.0))]
    top_value = max([t for t, _ in ticks] + present + [1e-9])

    def x_of(index: int) -> float:
        return LEFT + plot_w * (index + 0.5) / max(len(years), 1)

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - value / top_value)

    summary = []
    for s in series:
        entered = [
            f"{year} : {shown(point)}"
            for year in years
            if (point := s.values.get(year)) is not None
        ]
        summary.append(f"{s.label} : " + (" ; ".join(entered) if entered else "aucune valeur"))
    description = ". ".join(summary) + "."

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graphique" id="{ident}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-titre {ident}-desc" font-family="system-ui, sans-serif" '
        'font-size="12">',
        f'<title id="{ident}-titre">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<text x="{LEFT}" y="{TOP - 24}" fill="#5b6478">{escape(unit)}</text>',
    ]
    # Horizontal grid lines and the value scale.
    for value, label in ticks:
        y = _coordinate(y_of(value))
        parts.append(
            f'<line class="grille" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" '
            'stroke="#d8dce6" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="graduation" x="{LEFT - 8}" y="{y}" text-anchor="end" '
            'dominant-baseline="middle" '
            f'fill="#1d2433">{escape(label)}</text>'
        )
    # Axes and the years.
    bottom = _coordinate(TOP + plot_h)
    parts.append(
        f'<line class="axe" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}" '
        'stroke="#1d2433" stroke-width="1"/>'
    )
    parts.append(
        f'<line class="axe" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" '
        'stroke="#1d2433" stroke-width="1"/>'
    )
    for index, year in enumerate(years):
        parts.append(
            f'<text class="annee" x="{_coordinate(x_of(index))}" y="{HEIGHT - BOTTOM + 20}" '
            f'text-anchor="middle" fill="#1d2433">{int(year)}</text>'
        )
    # Legend, top right.
    legend_x = WIDTH - RIGHT - 110 * len(series)
    for number, s in enumerate(series):
        x = legend_x + 110 * number
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(
            f'<line class="{escape(s.css, quote=True)}" x1="{x}" x2="{x + 28}" y1="{TOP - 28}" '
            f'y2="{TOP - 28}" stroke="{escape(s.colour, quote=True)}" stroke-width="2.5"{dash}/>'
        )
        parts.append(_marker(s, x + 14, TOP - 28, "legende"))
        parts.append(
            f'<text x="{x + 34}" y="{TOP - 28}" dominant-baseline="middle" '
            f'fill="#1d2433">{escape(s.label)}</text>'
        )
    # The series: a path broken at missing years, then one marker per value.
    for s in series:
        css = escape(s.css, quote=True)
        colour = escape(s.colour, quote=True)
        commands = []
        previous = False
        for index, year in enumerate(years):
            point = s.values.get(year)
            if point is None:
                previous = False
                continue
            commands.append(
                f"{'L' if previous else 'M'}{_coordinate(x_of(index))} {_coordinate(y_of(point))}"
            )
            previous = True
        if commands:
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            parts.append(
                f'<path class="{css}" d="{" ".join(commands)}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"{dash}/>'
            )
        for index, year in enumerate(years):
            point = s.values.get(year)
            if point is None:
                continue
            tip = f"{year} — {s.label} : {shown(point)}"
            parts.append(_marker(s, x_of(index), y_of(point), "point", tip))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built above from numbers and escaped text


def _marker(series: Series, x: float, y: float, role: str, tip: str = "") -> str:
    """A value's marker (square or circle), with its tooltip; escaped like the rest."""
    css = escape(f"{role} {series.css}", quote=True)
    colour = escape(series.colour, quote=True)
    title = f"<title>{escape(tip)}</title>" if tip else ""
    if series.square:
        return (
            f'<rect class="{css}" x="{_coordinate(x - 4)}" y="{_coordinate(y - 4)}" '
            f'width="8" height="8" fill="{colour}">{title}</rect>'
        )
    return (
        f'<circle class="{css}" cx="{_coordinate(x)}" cy="{_coordinate(y)}" r="4.5" '
        f'fill="#fff" stroke="{colour}" stroke-width="2">{title}</circle>'
    )


def chart_for(table: IndicatorTable, scope: ScopeTable, chart_id: str) -> Markup:
    indicator = table.indicator
    years = [row.year for row in scope.rows]
    ticks = [(0.0, "NON"), (1.0, "OUI")] if indicator.kind == "qualitative" else None
    return line_chart(
        chart_id,
        f"{indicator.code} — {indicator.title} ({scope.scope}) : cible et réalisé par année",
        f"Unité : {indicator.unit}",
        years,
        [
            Series(
                "Cible",
                {row.year: row.target.value for row in scope.rows if row.target},
                "serie-cible",
                "#1f4fa3",
                dashed=True,
            ),
            Series(
                "Réalisé",
                {row.year: row.achieved.value for row in scope.rows if row.achieved},
                "serie-realise",
                "#a34a00",
                square=True,
            ),
        ],
        shown=lambda v: shown_value(indicator, v),
        y_ticks=ticks,
    )
