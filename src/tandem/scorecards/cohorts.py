"""The cohort retention matrix: signup months down, months since signup across.

Built from catalog metrics cut by the ``cohort`` dimension (the month of an
account's first paid day), so it uses the catalog's definitions:

- cohort size = ``new_customers`` of the cohort in its own month (every account of
  a cohort has its first paid day in that month);
- customers k months on = ``customers`` (E, customers on the last day) of the
  cohort in the month k months after its own; logo retention = 100 × that / size;
- revenue retention = 100 × ``mrr`` (MRR on the last day) of the cohort k months
  on / its MRR at the end of its own month (column 0), so expansion can take a
  cohort above 100.

Month 0 is the signup month itself, measured at its end: an account that starts
and leaves in the same month already counts against the cohort there.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from tandem.scorecards.model import CohortRow, Cohorts
from tandem.semantic.calendar import Grain, key_of, start_of

if TYPE_CHECKING:
    from tandem.service.workspace import Workspace

SLUGS = ("customers", "mrr", "new_customers")


def cohort_label(key: int) -> str:
    return start_of(key, Grain.MONTH).strftime("%Y-%m")


def cohort_matrix(
    ws: Workspace, last_day: dt.date, where: dict[str, str], months: int = 12
) -> Cohorts:
    """The ``months`` most recent cohorts up to the month holding ``last_day``."""
    last = key_of(last_day, Grain.MONTH)
    first = last - months + 1
    results = ws.compute(
        list(SLUGS),
        grain="month",
        by=["cohort"],
        start=start_of(first, Grain.MONTH),
        end=last_day,
        where=where,
    )
    cells: dict[str, dict[tuple[str, int], Any]] = {}
    for slug in SLUGS:
        rows = results[slug].rows
        cells[slug] = {
            (c, key_of(p, Grain.MONTH)): v
            for p, c, v in zip(rows["period"], rows["cohort"], rows["value"], strict=True)
            if c is not None and v == v
        }
    out = []
    for k in range(first, last + 1):
        cohort = cohort_label(k)
        size = int(cells["new_customers"].get((cohort, k), 0))
        start_mrr = float(cells["mrr"].get((cohort, k), 0.0))
        customers: list[int | None] = []
        mrr: list[float | None] = []
        logo: list[float | None] = []
        revenue: list[float | None] = []
        for age in range(months):
            if k + age > last:
                customers.append(None)
                mrr.append(None)
                logo.append(None)
                revenue.append(None)
                continue
            n = int(cells["customers"].get((cohort, k + age), 0))
            money = float(cells["mrr"].get((cohort, k + age), 0.0))
            customers.append(n)
            mrr.append(money)
            logo.append(100 * n / size if size else None)
            revenue.append(100 * money / start_mrr if start_mrr else None)
        out.append(
            CohortRow(
                cohort=cohort,
                size=size,
                start_mrr=start_mrr,
                customers=customers,
                mrr=mrr,
                logo=logo,
                revenue=revenue,
            )
        )
    return Cohorts(months=list(range(months)), rows=out)
