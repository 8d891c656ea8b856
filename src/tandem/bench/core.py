"""The five core metrics the benchmark compares across implementations.

Tandem, the pandas baseline and the hand-written SQL baseline each return, per
metric, one :class:`Row` per month: the value (``None`` = no value) with the
numerator and denominator behind it. :func:`disagreements` compares two such
results; a disagreement is a bug in one of them, found against SPEC.md.

Months are computed here with plain ``datetime`` so the baselines share no code
with Tandem's calendar.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tandem.engine.query import MetricResult

FIVE = (
    "customer_churn_rate",
    "net_revenue_retention",
    "nps",
    "sessions_per_day",
    "first_contact_resolution",
)

#: Tandem's components making each metric's numerator (signed sum) and denominator.
COMPONENTS: dict[str, tuple[tuple[tuple[int, str], ...], str]] = {
    "customer_churn_rate": (((1, "lost_customers"),), "customers_at_start"),
    "net_revenue_retention": (((1, "start_customers_mrr_at_end"),), "mrr_at_start"),
    "nps": (((1, "promoters"), (-1, "detractors")), "nps_responses"),
    "sessions_per_day": (((1, "sessions_on_customer_days"),), "customer_days"),
    "first_contact_resolution": (((1, "resolved_on_first_contact"),), "resolved_tickets"),
}


@dataclass(frozen=True)
class Month:
    first: dt.date
    last: dt.date

    @property
    def opening(self) -> dt.date:
        """The day before the first day (SPEC.md: the period's opening day)."""
        return self.first - dt.timedelta(days=1)


def months(last_month: dt.date, count: int) -> list[Month]:
    """The ``count`` calendar months ending with the month holding ``last_month``."""
    index = last_month.year * 12 + last_month.month - 1
    out = []
    for k in range(index - count + 1, index + 1):
        first = dt.date(k // 12, k % 12 + 1, 1)
        after = dt.date((k + 1) // 12, (k + 1) % 12 + 1, 1)
        out.append(Month(first, after - dt.timedelta(days=1)))
    return out


@dataclass(frozen=True)
class Row:
    period: dt.date
    value: float | None
    numerator: float
    denominator: float


Rows = list[Row]
Results = dict[str, Rows]


def ratio_row(period: dt.date, numerator: float, denominator: float, scale: float) -> Row:
    """A row whose value is ``scale × numerator / denominator``, no value when it is 0."""
    value = scale * numerator / denominator if denominator else None
    return Row(period, value, float(numerator), float(denominator))


def from_tandem(result: MetricResult) -> Rows:
    """Tandem's rows of one of the five metrics, in the common shape."""
    parts, denominator = COMPONENTS[result.metric.slug]
    frame = result.rows
    out = []
    for rec in frame.to_dict("records"):
        value = rec["value"]
        out.append(
            Row(
                period=_as_date(rec["period"]),
                value=None if value is None or _isnan(value) else float(value),
                numerator=float(sum(sign * (rec[name] or 0) for sign, name in parts)),
                denominator=float(rec[denominator] or 0),
            )
        )
    return out


def disagreements(
    expected: Mapping[str, Rows], actual: Mapping[str, Rows], *, rel: float = 1e-9
) -> list[str]:
    """Every month where two implementations differ, described in one line each."""
    problems = []
    for slug, rows in expected.items():
        if slug not in actual:
            continue
        theirs = {r.period: r for r in actual[slug]}
        if set(theirs) != {r.period for r in rows}:
            problems.append(f"{slug}: periods differ")
            continue
        for r in rows:
            o = theirs[r.period]
            for what in ("value", "numerator", "denominator"):
                a, b = getattr(r, what), getattr(o, what)
                if not _close(a, b, rel):
                    problems.append(f"{slug} {r.period} {what}: {a!r} vs {b!r}")
    return problems


def to_json(results: Results) -> dict[str, list[dict[str, Any]]]:
    return {
        slug: [
            {
                "period": r.period.isoformat(),
                "value": r.value,
                "numerator": r.numerator,
                "denominator": r.denominator,
            }
            for r in rows
        ]
        for slug, rows in results.items()
    }


def from_json(data: Mapping[str, list[dict[str, Any]]]) -> Results:
    return {
        slug: [
            Row(dt.date.fromisoformat(r["period"]), r["value"], r["numerator"], r["denominator"])
            for r in rows
        ]
        for slug, rows in data.items()
    }


def _close(a: float | None, b: float | None, rel: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


def _isnan(value: Any) -> bool:
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
