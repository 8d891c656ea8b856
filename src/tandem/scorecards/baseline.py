"""Baselines: what a metric's value is compared with besides its target.

- a fixed period: the value of the period (of the scorecard's grain) holding a date;
- the mean of N periods: the plain mean of the values of the N periods before the
  period holding ``before`` (by default the period shown); periods without a value
  are left out of the mean, and with none left there is no baseline;
- the same period last year: the period holding the same day a year earlier.

Each baseline is worked out from the same per-period values the trend shows, so a
baseline is always a number the scorecard could show for some period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from tandem.scorecards.definition import Baseline
from tandem.semantic.calendar import Grain, Period, key_of, period, period_containing


def label(p: Period, grain: Grain) -> str:
    """A period as people write it: 2026-W07, 2026-02, 2026-Q1, 2026."""
    match grain:
        case Grain.WEEK:
            year, week, _ = p.start.isocalendar()
            return f"{year}-W{week:02d}"
        case Grain.MONTH:
            return p.start.strftime("%Y-%m")
        case Grain.QUARTER:
            return f"{p.start.year}-Q{(p.start.month - 1) // 3 + 1}"
        case Grain.YEAR:
            return str(p.start.year)
        case Grain.SPAN:
            return f"{p.start.isoformat()} – {p.end.isoformat()}"


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def periods_of(spec: Baseline, current: Period, grain: Grain) -> list[Period]:
    """The periods a baseline is made from, oldest first."""
    match spec.kind:
        case "period":
            assert spec.period is not None
            return [period_containing(spec.period, grain)]
        case "last_year":
            return [period_containing(year_before(current.start), grain)]
        case "mean":
            assert spec.mean_of is not None
            last = (key_of(spec.before, grain) if spec.before else current.key) - 1
            return [period(k, grain) for k in range(last - spec.mean_of + 1, last + 1)]


@dataclass(frozen=True)
class BaselineValue:
    kind: str
    label: str
    value: float | None
    periods: tuple[dt.date, ...]


def baseline_value(
    spec: Baseline, values: Mapping[dt.date, float | None], current: Period, grain: Grain
) -> BaselineValue:
    """The baseline of one metric, from its values by period start."""
    ps = periods_of(spec, current, grain)
    found = [v for p in ps if (v := values.get(p.start)) is not None]
    value = sum(found) / len(found) if found else None
    match spec.kind:
        case "period":
            text = label(ps[0], grain)
        case "last_year":
            text = f"same period last year ({label(ps[0], grain)})"
        case "mean":
            span = (
                label(ps[0], grain)
                if len(ps) == 1
                else (f"{label(ps[0], grain)} – {label(ps[-1], grain)}")
            )
            text = f"mean of {len(ps)} periods ({span})"
            if found and len(found) < len(ps):
                text += f", {len(found)} with a value"
    return BaselineValue(spec.kind, text, value, tuple(p.start for p in ps))
