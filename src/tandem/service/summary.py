"""The headline figures: the latest complete month of a few shared metrics, and the one before.

What ``make demo`` and ``tandem summary`` show first. Honest by construction:

- the month shown is the latest *complete* one: its last day is on or before
  the data's last day (and today); a later, partial month is named as such and
  not compared;
- a figure whose data is absent is no value, not 0 (the engine's rule);
- a survey figure resting on fewer than ``min_survey_responses`` answers in the
  month is shown for the three months ending with it instead, and says so.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tandem.semantic.calendar import Grain, key_of, period
from tandem.semantic.types import Direction, Unit

if TYPE_CHECKING:
    from tandem.engine.query import MetricResult
    from tandem.service.workspace import Workspace

HEADLINE = (
    "customers",
    "mrr",
    "net_revenue_retention",
    "gross_revenue_retention",
    "customer_churn_rate",
    "nps",
    "csat",
    "first_contact_resolution",
    "customer_escalation_rate",
    "days_to_onboard",
    "adoption_rate",
    "win_rate",
)
#: Months a survey figure falls back to when its month has too few answers.
FALLBACK_MONTHS = 3


@dataclass(frozen=True)
class Headline:
    slug: str
    name: str
    unit: Unit
    direction: Direction
    period: dt.date
    current: float | None
    previous: float | None
    #: Set when the figures cover the three months ending with the period.
    window: str | None = None
    note: str | None = None

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def good_news(self) -> bool | None:
        change = self.change
        if change is None or change == 0:
            return None
        return (change > 0) == (self.direction is Direction.HIGHER)

    def to_json(self) -> dict[str, object]:
        return {
            "metric": self.slug,
            "name": self.name,
            "unit": self.unit.value,
            "direction": self.direction.value,
            "period": self.period.isoformat(),
            "current": self.current,
            "previous": self.previous,
            "change": self.change,
            "good_news": self.good_news,
            "window": self.window,
            "note": self.note,
        }


@dataclass(frozen=True)
class Summary:
    """The headline figures of a workspace, and what they rest on."""

    rows: dict[str, int]
    period: dt.date | None
    headlines: list[Headline] = field(default_factory=list)
    #: A month after ``period`` with some data but not complete, if any.
    partial: dt.date | None = None
    data_end: dt.date | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "rows": dict(self.rows),
            "period": self.period.isoformat() if self.period else None,
            "partial_period": self.partial.isoformat() if self.partial else None,
            "data_end": self.data_end.isoformat() if self.data_end else None,
            "headlines": [h.to_json() for h in self.headlines],
            "notes": list(self.notes),
        }


def latest_complete_month(data_end: dt.date) -> tuple[dt.date, dt.date | None]:
    """The first day of the latest month ending on or before ``data_end``, and of the
    partial month after it (None when ``data_end`` is a month's last day)."""
    current = period(key_of(data_end, Grain.MONTH), Grain.MONTH)
    if current.end == data_end:
        return current.start, None
    return period(current.key - 1, Grain.MONTH).start, current.start


def summarize(ws: Workspace, slugs: tuple[str, ...] = HEADLINE) -> Summary:
    status = ws.status()
    if status.last_day is None:
        return Summary(rows=status.rows, period=None)
    data_end = min(status.last_day, ws.today())
    month, partial = latest_complete_month(data_end)
    notes = []
    if partial is not None:
        notes.append(
            f"{partial:%B %Y} is partial (data to {data_end}): the summary shows {month:%B %Y}."
        )
    lines = headlines(ws, slugs, month=month)
    for h in lines:
        if h.note:
            notes.append(h.note)
    return Summary(status.rows, month, lines, partial, data_end, notes)


def headlines(
    ws: Workspace, slugs: tuple[str, ...] = HEADLINE, *, month: dt.date | None = None
) -> list[Headline]:
    """Each metric in ``month`` (default: the latest complete month) and the month before."""
    if month is None:
        status = ws.status()
        if status.last_day is None:
            return []
        month, _ = latest_complete_month(min(status.last_day, ws.today()))
    key = key_of(month, Grain.MONTH)
    before = period(key - 1, Grain.MONTH).start
    results = ws.compute(slugs, grain="month", start=before, end=period(key, Grain.MONTH).end)
    out = []
    for slug in slugs:
        r = results[slug]
        line = _headline(r, month)
        if r.metric.sample is not None and _too_few(r, ws):
            line = _quarterly(ws, r, month) or line
        out.append(line)
    return out


def _headline(r: MetricResult, month: dt.date) -> Headline:
    rows = r.rows
    current = rows[rows["period"] == month]
    previous = rows[rows["period"] < month]
    return Headline(
        slug=r.metric.slug,
        name=r.metric.name,
        unit=r.metric.unit,
        direction=r.metric.direction,
        period=month,
        current=_number(current["value"].iloc[0]) if len(current) else None,
        previous=_number(previous["value"].iloc[-1]) if len(previous) else None,
    )


def _too_few(r: MetricResult, ws: Workspace) -> bool:
    sample = r.metric.sample
    assert sample is not None
    last = r.rows.iloc[-1]
    return bool(last[sample] < ws.settings.metrics.min_survey_responses)


def _quarterly(ws: Workspace, r: MetricResult, month: dt.date) -> Headline | None:
    """The metric over the three months ending with ``month``, against the three before."""
    key = key_of(month, Grain.MONTH)
    spans = [
        (period(k - FALLBACK_MONTHS + 1, Grain.MONTH).start, period(k, Grain.MONTH).end)
        for k in (key, key - FALLBACK_MONTHS)
    ]
    values = [ws.compute([r.metric.slug], span=s)[r.metric.slug] for s in spans]
    sample = r.metric.sample
    assert sample is not None
    answers = int(values[0].rows[sample].iloc[0])
    if answers == 0:
        return None
    in_month = int(r.rows.iloc[-1][sample])
    first = spans[0][0]
    window = f"{first:%b}–{month:%b %Y}"
    return Headline(
        slug=r.metric.slug,
        name=r.metric.name,
        unit=r.metric.unit,
        direction=r.metric.direction,
        period=month,
        current=_number(values[0].rows["value"].iloc[0]),
        previous=_number(values[1].rows["value"].iloc[0]),
        window=window,
        note=(
            f"{r.metric.slug}: {in_month} responses in {month:%B %Y}, fewer than "
            f"{ws.settings.metrics.min_survey_responses}; shown for {window} "
            f"({answers} responses) against the three months before."
        ),
    )


def _number(v: object) -> float | None:
    if v is None:
        return None
    f = float(v)  # type: ignore[arg-type]
    return None if math.isnan(f) else f
