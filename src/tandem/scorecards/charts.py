"""Charts as inline SVG, drawn here so the HTML report and the PDF need nothing online.

Each function returns an ``<svg>`` element as text with a ``<title>`` for screen
readers; the numbers behind every chart are also printed beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from tandem.scorecards.model import Step

GREEN, AMBER, RED, GREY, INK, BLUE = (
    "#1a7f37",
    "#b7791f",
    "#c0392b",
    "#8a8f98",
    "#24292f",
    "#2f6fb0",
)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def sparkline(
    values: Sequence[float | None],
    *,
    target: float | None = None,
    width: int = 132,
    height: int = 30,
    title: str = "trend",
) -> str:
    """A line over the periods (gaps where a period has no value), the target dashed."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    lo, hi = min(known), max(known)
    if target is not None:
        lo, hi = min(lo, target), max(hi, target)
    span = (hi - lo) or 1.0
    pad = 3.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return height - pad - (v - lo) / span * (height - 2 * pad)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">'
        f"<title>{escape(title)}</title>"
    ]
    if target is not None:
        ty = _fmt(y(target))
        parts.append(
            f'<line x1="{pad}" y1="{ty}" x2="{width - pad}" y2="{ty}" stroke="{GREY}" '
            'stroke-width="1" stroke-dasharray="3 2"/>'
        )
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(f"{_fmt(pad + i * step)},{_fmt(y(v))}")
    for run in runs:
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{BLUE}" '
                'stroke-width="1.6" stroke-linejoin="round"/>'
            )
        elif run:
            x, yy = run[0].split(",")
            parts.append(f'<circle cx="{x}" cy="{yy}" r="1.6" fill="{BLUE}"/>')
    last = len(values) - 1
    end = values[last]
    if end is not None:
        parts.append(
            f'<circle cx="{_fmt(pad + last * step)}" cy="{_fmt(y(end))}" r="2.6" fill="{INK}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def waterfall(steps: Sequence[Step], *, width: int = 640, height: int = 240) -> str:
    """Bars from the opening to the closing MRR, increases green, decreases red."""
    if not steps:
        return ""
    level = 0.0
    bars: list[tuple[str, float, float, str]] = []  # label, bottom, top, colour
    for s in steps:
        if s.kind == "total":
            bars.append((s.label, 0.0, s.amount, BLUE))
            level = s.amount
        elif s.kind == "increase":
            bars.append((s.label, level, level + s.amount, GREEN))
            level += s.amount
        else:
            bars.append((s.label, level - s.amount, level, RED))
            level -= s.amount
    levels = [t for _, _, t, _ in bars] + [b for _, b, _, c in bars if c != BLUE]
    hi = max(levels) or 1.0
    # Start the axis below the lowest level reached, by a share of the range the
    # walk moves through, so that small movements on a large MRR stay visible.
    lo = max(0.0, min(levels) - 0.6 * (hi - min(levels)))
    if hi - min(levels) <= 0 or lo < 0.25 * hi:
        lo = 0.0
    left, right, top_pad, bottom_pad = 10, 10, 22, 34
    plot_h = height - top_pad - bottom_pad
    slot = (width - left - right) / len(bars)

    def y(v: float) -> float:
        return top_pad + (hi - v) / ((hi - lo) or 1.0) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="waterfall" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">'
        "<title>MRR waterfall</title>"
    ]
    for i, (text, bottom, top, colour) in enumerate(bars):
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        y_top, y_bottom = y(top), y(max(bottom, lo))
        out.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y_top)}" width="{_fmt(w)}" '
            f'height="{_fmt(max(y_bottom - y_top, 1.0))}" fill="{colour}"/>'
        )
        amount = steps[i].amount
        sign = {"increase": "+", "decrease": "−"}.get(steps[i].kind, "")
        out.append(
            f'<text x="{_fmt(x + w / 2)}" y="{_fmt(y_top - 5)}" text-anchor="middle" '
            f'font-size="11" fill="{INK}">{sign}{amount:,.0f}</text>'
        )
        out.append(
            f'<text x="{_fmt(x + w / 2)}" y="{height - 14}" text-anchor="middle" '
            f'font-size="11" fill="{INK}">{escape(text)}</text>'
        )
        if i + 1 < len(bars):
            level_y = y(top if colour != RED else bottom)
            out.append(
                f'<line x1="{_fmt(x + w)}" y1="{_fmt(level_y)}" x2="{_fmt(x + slot)}" '
                f'y2="{_fmt(level_y)}" stroke="{GREY}" stroke-dasharray="2 2"/>'
            )
    if lo > 0:
        out.append(
            f'<text x="{left}" y="{height - 2}" font-size="9" fill="{GREY}">'
            f"axis starts at {lo:,.0f}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def heat(value: float | None, *, good: float = 100.0, bad: float = 60.0) -> str:
    """A background colour for a retention cell: green at ``good``, red at ``bad``."""
    if value is None:
        return "transparent"
    t = max(0.0, min(1.0, (value - bad) / ((good - bad) or 1.0)))
    # From a soft red (t = 0) to a soft green (t = 1), through a pale yellow.
    r0, g0, b0 = (244, 199, 195) if t < 0.5 else (252, 238, 190)
    r1, g1, b1 = (252, 238, 190) if t < 0.5 else (190, 229, 196)
    u = t * 2 if t < 0.5 else (t - 0.5) * 2
    r, g, b = (round(a + (c - a) * u) for a, c in ((r0, r1), (g0, g1), (b0, b1)))
    return f"rgb({r},{g},{b})"
