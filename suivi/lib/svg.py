"""Small server-rendered SVG charts: horizontal bars, monthly columns and tile maps.

Pages stay light over slow links: no chart library, no script, a few hundred bytes per chart.
Every label is escaped; every chart carries a title and ``role="img"`` for screen readers, and
the page shows the same figures as a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Light to dark: the shade of a tile is its share of the largest figure.
SHADES = ("#e6ecef", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
BAR = "#3182bd"
SECOND = "#e6550d"


def _number(value) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def bars(items: Sequence[tuple[str, float | int | Decimal]], *, title: str) -> SafeString:
    """One horizontal bar per (label, value), longest for the largest value."""
    label_w, bar_w, row_h = 110, 200, 18
    height = max(row_h * len(items), row_h)
    top = max((float(v) for _l, v in items), default=0) or 1
    parts = [_open(label_w + bar_w + 60, height, title)]
    for n, (label, value) in enumerate(items):
        y = n * row_h
        w = round(bar_w * float(value) / top)
        parts.append(
            f'<text x="{label_w - 4}" y="{y + 13}" text-anchor="end" font-size="11">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="{BAR}"/>'
            f'<text x="{label_w + w + 4}" y="{y + 13}" font-size="11">{_number(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every label is escaped above)


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
) -> SafeString:
    """Grouped columns, one group per label (a month), one column per series (at most two)."""
    group_w, height, base = 34, 130, 110
    colours = (BAR, SECOND)
    width = max(group_w * len(labels), group_w) + 10
    top = max((v for _name, values in series for v in values), default=0) or 1
    col_w = (group_w - 6) // max(len(series), 1)
    parts = [_open(width, height + 14, title)]
    for n, label in enumerate(labels):
        x0 = 5 + n * group_w
        for s, (name, values) in enumerate(series):
            value = values[n]
            h = round((base - 14) * value / top)
            x = x0 + s * col_w
            parts.append(
                f'<rect x="{x}" y="{base - h}" width="{col_w - 1}" height="{h}" '
                f'fill="{colours[s % 2]}"><title>{escape(name)} {escape(label)}: {value}'
                f"</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + group_w // 2 - 3}" y="{base + 12}" text-anchor="middle" '
            f'font-size="9">{escape(label)}</text>'
        )
    legend_y = height + 8
    for s, (name, _values) in enumerate(series):
        x = 5 + s * 120
        parts.append(
            f'<rect x="{x}" y="{legend_y - 8}" width="8" height="8" fill="{colours[s % 2]}"/>'
            f'<text x="{x + 11}" y="{legend_y}" font-size="10">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every label is escaped above)


@dataclass(frozen=True)
class Tile:
    """One area on a tile map: its place on the grid, a short label, its name and figure."""

    col: int
    row: int
    code: str
    name: str
    value: int


def shade(value: float, top: float) -> str:
    if not value or not top:
        return SHADES[0]
    step = 1 + min(int(4.999 * value / top), 4)
    return SHADES[step]


def tile_map(tiles: Sequence[Tile], *, title: str, size: int = 44) -> SafeString:
    """One labelled square per area, shaded by its figure (a choropleth without boundaries)."""
    if not tiles:
        return mark_safe("")
    cols = max(t.col for t in tiles) + 1
    rows = max(t.row for t in tiles) + 1
    top = max(t.value for t in tiles) or 0
    parts = [_open(cols * size + 2, rows * size + 2, title)]
    for t in tiles:
        x, y = 1 + t.col * size, 1 + t.row * size
        colour = shade(t.value, top)
        ink = "#fff" if colour in SHADES[4:] else "#222"
        parts.append(
            f"<g><title>{escape(t.name)} ({escape(t.code)}): {t.value}</title>"
            f'<rect x="{x}" y="{y}" width="{size - 2}" height="{size - 2}" fill="{colour}" '
            f'stroke="#fff"/><text x="{x + size // 2 - 1}" y="{y + size // 2 - 3}" '
            f'text-anchor="middle" font-size="10" fill="{ink}">{escape(t.code)}</text>'
            f'<text x="{x + size // 2 - 1}" y="{y + size // 2 + 10}" text-anchor="middle" '
            f'font-size="10" fill="{ink}">{t.value}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every label is escaped above)
