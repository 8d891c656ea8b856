"""Trailing-twelve-month net and gross revenue retention.

One custom period whose opening day is twelve months before the last day of the
period shown (31 Oct 2025 for October 2026): the first day is the day after it.
The catalog's ``net_revenue_retention`` and ``gross_revenue_retention`` are
computed over that one span with ``Workspace.compute(..., span=(first, last))``, so
the definitions are the catalog's.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from tandem.scorecards.baseline import year_before
from tandem.scorecards.model import Trailing

if TYPE_CHECKING:
    from tandem.service.workspace import Workspace

SLUGS = ("net_revenue_retention", "gross_revenue_retention")


def span_of(last_day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the twelve months ending on ``last_day``."""
    return year_before(last_day) + dt.timedelta(days=1), last_day


def trailing(ws: Workspace, last_day: dt.date, where: dict[str, str]) -> Trailing:
    first, last = span_of(last_day)
    results = ws.compute(list(SLUGS), span=(first, last), where=where)
    values = {slug: _last_value(results[slug].rows) for slug in SLUGS}
    return Trailing(
        first_day=first,
        last_day=last,
        net_revenue_retention=values["net_revenue_retention"],
        gross_revenue_retention=values["gross_revenue_retention"],
    )


def _last_value(rows: pd.DataFrame) -> float | None:
    if len(rows) == 0:
        return None
    value = rows["value"].iloc[-1]
    return None if value != value else float(value)
