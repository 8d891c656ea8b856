"""Numbers as people read them, the same in every format: units, changes, sparklines."""

from __future__ import annotations

from collections.abc import Sequence

from tandem.scorecards.model import Line

PERCENT = "percent"


def figure(value: float | None, unit: str) -> str:
    """A value in its unit: 74.0%, 3,426,812, 18.0 days, 6.34."""
    if value is None:
        return "—"
    match unit:
        case "percent":
            return f"{value:.1f}%"
        case "currency":
            whole = abs(value) >= 100 or float(value).is_integer()
            return f"{value:,.0f}" if whole else f"{value:,.2f}"
        case "count":
            return f"{value:,.0f}"
        case "days":
            return f"{value:.1f} d"
        case "months":
            return f"{value:.1f} mo"
        case "score":
            return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
        case "minutes per customer-day":
            return f"{value:.1f} min"
        case _:
            return f"{value:,.2f}"


def delta(change: float | None, unit: str) -> str:
    """A change with its sign: +2.0 pts for percentages, the unit's form otherwise."""
    if change is None:
        return "—"
    if change == 0:
        return "0.0 pts" if unit == PERCENT else "0"
    if unit == PERCENT:
        digits = 2 if abs(change) < 0.05 else 1
        return ("+" if change >= 0 else "−") + f"{abs(change):.{digits}f} pts"
    text = figure(abs(change), unit)
    return ("+" if change >= 0 else "−") + text


def arrow(change: float | None, higher_is_better: bool) -> str:
    if change is None or change == 0:
        return ""
    return "▲" if change > 0 else "▼"


def good_news(change: float | None, higher_is_better: bool) -> bool | None:
    if change is None or change == 0:
        return None
    return (change > 0) == higher_is_better


BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """Unicode blocks, one per period; a space where a period has no value."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    lo, hi = min(known), max(known)
    span = hi - lo
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            level = 3 if span == 0 else round((v - lo) / span * (len(BLOCKS) - 1))
            out.append(BLOCKS[level])
    return "".join(out)


def component_text(line: Line) -> str:
    """The components as one line: ``promoters 12 · passives 5 · detractors 3``."""
    parts = []
    for name, value in line.components.items():
        if value is None:
            parts.append(f"{name} —")
        elif float(value).is_integer():
            parts.append(f"{name} {value:,.0f}")
        else:
            parts.append(f"{name} {value:,.2f}")
    return " · ".join(parts)


def interval_text(line: Line) -> str:
    if line.interval is None:
        return ""
    lo, hi = figure(line.interval.low, line.unit), figure(line.interval.high, line.unit)
    return f"95% CI {lo} – {hi}"


def change_verdict(line: Line) -> str:
    """``significant (p = 0.012)`` or ``not significant (p = 0.41)`` for survey metrics."""
    test = line.change_test
    if test is None:
        return ""
    word = "significant" if test.significant else "not significant"
    return f"{word} (p = {test.p_value:.3f})"
