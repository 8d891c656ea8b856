"""Trailing-twelve-month net and gross revenue retention.

One custom period whose opening day is twelve months before the last day of the
period shown (31 Oct 2025 for October 2026): the first day is the day after it.
The catalog's ``net_revenue_retention`` and ``gross_revenue_retention`` are
computed over that one span with ``Workspace.compute(..., span=(first, last))``, so
the definitions are the catalog's.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import TYPE_CHECKING, Any

from tandem.scorecards.baseline import year_before
from tandem.scorecards.model import Trailing

if TYPE_CHECKING:
    from tandem.service.workspace import Workspace

SLUGS = ("net_revenue_retention", "gross_revenue_retention")
MISSING_FEATURE = "Workspace.compute(span=(first_day, last_day)), one custom period"


def span_of(last_day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the twelve months ending on ``last_day``."""
    return year_before(last_day) + dt.timedelta(days=1), last_day


def supports_span(ws: Workspace) -> bool:
    return "span" in inspect.signature(ws.compute).parameters


def trailing(ws: Workspace, last_day: dt.date, where: dict[str, str]) -> Trailing:
    first, last = span_of(last_day)
    if not supports_span(ws):
        return Trailing(
            first_day=first,
            last_day=last,
            available=False,
            note=f"needs {MISSING_FEATURE}, which this version's service lacks",
        )
    compute: Any = ws.compute  # typed loosely until span lands in the facade
    results = compute(list(SLUGS), span=(first, last), where=where)
    values = {slug: _last_value(results[slug].rows) for slug in SLUGS}
    return Trailing(
        first_day=first,
        last_day=last,
        net_revenue_retention=values["net_revenue_retention"],
        gross_revenue_retention=values["gross_revenue_retention"],
        available=True,
    )


def _last_value(rows: Any) -> float | None:
    if len(rows) == 0:
        return None
    value = rows["value"].iloc[-1]
    return None if value != value else float(value)
