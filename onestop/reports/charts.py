"""Charts drawn on the server as SVG: no script, no library, printable, readable by screen readers.

``bar_chart`` draws grouped bars (one group per label, one bar per series) with a value axis, a
legend and, per bar, a ``<title>`` tooltip and an optional link to the list behind the number.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: list[int]
    #: per value, the URL of the list behind it (or None)
    links: list[str | None] | None = None


def _nice_ceiling(value: float) -> tuple[float, float]:
    """A round top for the axis and its tick step (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1, 1
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1)
    return step * math.ceil(value / step), step


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def bar_chart(labels: list[str], series: list[Series], *, title: str, width: int = 960, height: int = 320) -> Markup:
    left, right, top, bottom = 56, 12, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for s in series for v in s.values), default=0)
    ceiling, step = _nice_ceiling(peak)
    group_w = plot_w / max(len(labels), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="12">', f"<title>{escape(title)}</title>"]
    tick = 0.0
    while tick <= ceiling + 1e-9:
        y = top + plot_h - tick / ceiling * plot_h
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{_fmt(tick)}</text>')
        tick += step
    for i, label in enumerate(labels):
        x0 = left + i * group_w + group_w * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            h = value / ceiling * plot_h
            x, y = x0 + j * bar_w, top + plot_h - h
            bar = (f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{s.color}">'
                   f"<title>{escape(s.name)} · {escape(label)}: {_fmt(value)}</title></rect>")
            link = s.links[i] if s.links else None
            parts.append(f'<a href="{escape(link)}">{bar}</a>' if link and value else bar)
        parts.append(f'<text x="{x0 + group_w * 0.4:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                     f'class="axis">{escape(label)}</text>')
    legend_x = left
    for s in series:
        parts.append(f'<rect x="{legend_x}" y="{height - 20}" width="12" height="12" fill="{s.color}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="{height - 10}">{escape(s.name)}</text>')
        legend_x += 24 + 8 * len(s.name)
    parts.append("</svg>")
    return Markup("".join(parts))
