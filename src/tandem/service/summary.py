"""The headline figures: the latest month of a few shared metrics against the month before.

What ``make demo`` and ``tandem summary`` show first: one row per metric with
its value in the latest month with data, the month before, and whether the
change is good news given the metric's direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tandem.semantic.types import Direction, Unit

if TYPE_CHECKING:
    import datetime as dt

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


@dataclass(frozen=True)
class Headline:
    slug: str
    name: str
    unit: Unit
    direction: Direction
    period: dt.date
    current: float | None
    previous: float | None

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


def _number(v: object) -> float | None:
    if v is None:
        return None
    f = float(v)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def headlines(ws: Workspace, slugs: tuple[str, ...] = HEADLINE) -> list[Headline]:
    """The latest two months of each metric (the latest being the month of the last data)."""
    results = ws.compute(slugs, grain="month")
    out = []
    for slug in slugs:
        r = results[slug]
        rows = r.rows
        if rows.empty:
            continue
        last = rows.iloc[-1]
        prev = rows.iloc[-2] if len(rows) > 1 else None
        out.append(
            Headline(
                slug=slug,
                name=r.metric.name,
                unit=r.metric.unit,
                direction=r.metric.direction,
                period=last["period"],
                current=_number(last["value"]),
                previous=_number(prev["value"]) if prev is not None else None,
            )
        )
    return out
