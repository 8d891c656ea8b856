"""Unit economics: CAC, customer lifetime value, LTV:CAC, CAC payback, retention cost.

Costs are monthly and belong to no account, so CAC, LTV:CAC, CAC payback and
retention cost are company-wide: cut by a dimension they have no value. A
month's cost is spread evenly over its days; month, quarter and year periods
hold whole months, and a week gets its days' share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.semantic.calendar import Grain, day_expr, key_of, period, periods
from tandem.semantic.types import (
    Agg,
    Derived,
    Direction,
    Measure,
    Metric,
    Ratio,
    Source,
    Team,
    Unit,
)

if TYPE_CHECKING:
    import ibis

    from tandem.semantic.types import Facts

ALL_TEAMS = (Team.MARKETING, Team.SALES, Team.SERVICE)


def costs(f: Facts) -> ibis.Table:
    import ibis

    c = f.table("costs")
    year, month = c.month.year(), c.month.month()
    next_month = ibis.date(
        ibis.ifelse(month == 12, year + 1, year), ibis.ifelse(month == 12, 1, month + 1), 1
    )
    c = c.mutate(first=day_expr(c.month), after=day_expr(next_month))
    cal = f.calendar
    j = c.join(cal, [c.first <= cal.end_day, c.after > cal.start_day])
    overlap = ibis.least(j.after, j.end_day + 1) - ibis.greatest(j.first, j.start_day)
    days = j.after - j.first
    k = f.knobs
    return j.select(
        "month",
        "category",
        "purpose",
        "period_key",
        amount=ibis.ifelse(overlap == days, j.amount, j.amount * overlap / days),
        counts_for_cac=(j.purpose == "acquisition")
        & j.category.isin(list(k.acquisition_cost_categories)),
        counts_for_retention=(j.purpose == "retention")
        & j.category.isin(list(k.retention_cost_categories)),
    )


def churn_window(f: Facts) -> ibis.Table:
    import pyarrow as pa

    from tandem.semantic.dimensions import account_dims

    window = f.knobs.ltv_churn_window_months
    end_months = {p.key: key_of(p.end, Grain.MONTH) for p in f.periods}
    first = period(min(end_months.values()) - window + 1, Grain.MONTH).start
    last = period(max(end_months.values()), Grain.MONTH).end
    dims = list(f.dims.account_columns)
    cut = bool(dims or f.dims.where)
    on = ["account_id", "period_key"] if f.dims.per_period else ["account_id"]

    def monthly_facts(frame: Facts) -> ibis.Table:
        ap = frame.source("account_periods")
        if cut:
            ap = ap.join(account_dims(frame), on)
        return ap.select("period_key", *dims, "customer_at_start", "customer_at_end")

    # At month grain the frame's own account-periods cover its months: only the
    # months of the window before them are computed here.
    months = periods(Grain.MONTH, first, last)
    own = {p.key for p in f.periods} if f.grain is Grain.MONTH else set()
    parts = [monthly_facts(f)] if own else []
    before = [p for p in months if p.key not in own]
    if before:
        parts.append(monthly_facts(f.with_period(Grain.MONTH, before)))
    ap = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    rates = ap.group_by(["period_key", *dims]).aggregate(
        opening=ap.count(where=ap.customer_at_start),
        lost=ap.count(where=ap.customer_at_start & ~ap.customer_at_end),
    )
    rates = rates.mutate(rate=rates.lost.cast("float64") / rates.opening.nullif(0)).rename(
        month_key="period_key"
    )
    spans = f.constant(
        "ltv_spans",
        pa.table(
            {
                "period_key": pa.array(list(end_months), pa.int64()),
                "end_month": pa.array(list(end_months.values()), pa.int64()),
            }
        ),
    )
    j = spans.join(
        rates,
        [rates.month_key <= spans.end_month, rates.month_key > spans.end_month - window],
    )
    return j.select("period_key", *dims, "month_key", "rate")


MEASURES = (
    Measure(
        "acquisition_costs",
        "costs",
        Agg.SUM,
        "Acquisition-purpose costs in acquisition_cost_categories",
        expr=lambda t: t.amount,
        where=lambda t: t.counts_for_cac,
    ),
    Measure(
        "retention_costs",
        "costs",
        Agg.SUM,
        "Retention-purpose costs in retention_cost_categories",
        expr=lambda t: t.amount,
        where=lambda t: t.counts_for_retention,
    ),
    Measure(
        "mean_monthly_churn",
        "churn_window",
        Agg.MEAN,
        "Mean monthly customer churn rate (a fraction) over the window's months with S > 0",
        expr=lambda t: t.rate,
    ),
    Measure(
        "churn_window_months",
        "churn_window",
        Agg.COUNT,
        "Months of the window with customers on their opening day",
        where=lambda t: t.rate.notnull(),
    ),
)

SOURCES = (
    Source(
        "costs", costs, "One row per cost line and period: the share of its month in the period."
    ),
    Source(
        "churn_window",
        churn_window,
        "For each period, the monthly customer churn rates of the months in the LTV window "
        "ending with the month of the period's last day.",
        grouped=True,
    ),
)

METRICS = (
    Metric(
        slug="cac",
        name="Customer acquisition cost",
        unit=Unit.CURRENCY,
        direction=Direction.LOWER,
        teams=ALL_TEAMS,
        description="Acquisition-purpose costs of the period (categories per "
        "acquisition_cost_categories) / new customers (first-ever paid day in the period). "
        "Company-wide. No value without new customers.",
        measures=("acquisition_costs", "first_time_customers"),
        kind=Ratio("acquisition_costs", "first_time_customers"),
        knobs=("acquisition_cost_categories", "churn_grace_days"),
        seeds=("002",),
        company_wide=True,
        domain="economics",
    ),
    Metric(
        slug="customer_lifetime_value",
        name="Customer lifetime value",
        unit=Unit.CURRENCY,
        direction=Direction.HIGHER,
        teams=(Team.SALES, Team.SERVICE),
        description="ARPC × gross_margin / mean monthly customer churn rate (as a fraction) over "
        "the ltv_churn_window_months months ending with the month of the period's last day, "
        "skipping months with no customers on their opening day. No value when that mean is 0 "
        "or there are no customers.",
        measures=("mean_monthly_churn", "churn_window_months"),
        kind=Derived("ratio(arpc * gross_margin, mean_monthly_churn)"),
        knobs=("gross_margin", "ltv_churn_window_months"),
        seeds=("000", "001", "002"),
        domain="economics",
    ),
    Metric(
        slug="ltv_cac",
        name="LTV:CAC",
        unit=Unit.RATIO,
        direction=Direction.HIGHER,
        teams=ALL_TEAMS,
        description="Customer lifetime value / CAC. Company-wide.",
        kind=Derived("ratio(customer_lifetime_value, cac)"),
        seeds=("002",),
        company_wide=True,
        domain="economics",
    ),
    Metric(
        slug="cac_payback_months",
        name="CAC payback",
        unit=Unit.MONTHS,
        direction=Direction.LOWER,
        teams=ALL_TEAMS,
        description="CAC / (ARPC × gross_margin): months of a new customer's margin needed to "
        "recover what acquiring them cost. Company-wide.",
        kind=Derived("ratio(cac, arpc * gross_margin)"),
        knobs=("gross_margin",),
        seeds=("002",),
        company_wide=True,
        domain="economics",
    ),
    Metric(
        slug="customer_retention_cost",
        name="Customer retention cost",
        unit=Unit.CURRENCY,
        direction=Direction.LOWER,
        teams=ALL_TEAMS,
        description="Retention-purpose costs of the period (categories per "
        "retention_cost_categories) / customers of S still customers on the last day. "
        "Company-wide. No value when none were retained.",
        measures=("retention_costs", "retained_customers"),
        kind=Ratio("retention_costs", "retained_customers"),
        knobs=("retention_cost_categories", "churn_grace_days"),
        seeds=("004",),
        company_wide=True,
        domain="economics",
    ),
)
