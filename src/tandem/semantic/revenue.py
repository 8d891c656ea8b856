"""Customers and recurring revenue: counts, churn, retention, MRR movements, NRR, GRR, ARPC.

Shared definitions (SPEC.md). A customer on day d has MRR > 0 on d. A period's
*opening day* is the day before its first day, so consecutive periods chain and
a change on the first of a month belongs to that month. For each account:
m0 = MRR on the opening day, m1 = MRR on the last day. S = accounts with
m0 > 0, E = accounts with m1 > 0, N = accounts in E not in S.

Traps handled by construction: ``valid_to`` is exclusive; several rows of one
account add up; a move to a zero-MRR plan ends paid coverage (churn); an account
that churns and returns within one period has m0 > 0 and m1 > 0 and is
retained; an account new and gone within one period is a new customer but in
neither S nor E; ``churn_grace_days`` bridges short gaps (see coverage.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.semantic.coverage import paid_rows
from tandem.semantic.types import (
    Agg,
    Derived,
    Direction,
    Measure,
    Metric,
    Percent,
    Ratio,
    Simple,
    Source,
    Team,
    Unit,
)

if TYPE_CHECKING:
    import ibis

    from tandem.semantic.types import Facts

GRACE = ("churn_grace_days",)
SALES_SERVICE = (Team.SALES, Team.SERVICE)
ALL_TEAMS = (Team.MARKETING, Team.SALES, Team.SERVICE)


def account_periods(f: Facts) -> ibis.Table:
    import ibis

    paid = paid_rows(f)
    # Each account's first day with MRR > 0 (which tells new customers from
    # returning ones) rides along with its rows, a window over the subscription
    # rows, rather than being joined to every account-period afterwards. Bridges
    # over short gaps always follow an earlier paid row, so they never move it.
    paid = paid.mutate(first_paid_day=paid.vf.min().over(group_by=paid.account_id))
    cal = f.calendar
    rows = paid.join(cal, [paid.vf <= cal.end_day, paid.vt > cal.start_day - 1]).select(
        paid.account_id,
        paid.mrr,
        paid.seats,
        paid.vf,
        paid.vt,
        paid.first_paid_day,
        cal.period_key,
        cal.start_day,
        cal.end_day,
    )
    covers_opening = rows.vf <= rows.start_day - 1
    covers_last = rows.vt > rows.end_day
    t = rows.group_by(["account_id", "period_key", "start_day", "end_day"]).aggregate(
        m0=ibis.ifelse(covers_opening, rows.mrr, 0.0).sum(),
        m1=ibis.ifelse(covers_last, rows.mrr, 0.0).sum(),
        seats_at_end=ibis.ifelse(covers_last, rows.seats, 0).sum(),
        first_paid_day=rows.first_paid_day.min(),
    )
    paid_before = t.first_paid_day < t.start_day
    t = t.mutate(
        customer_at_start=t.m0 > 0,
        customer_at_end=t.m1 > 0,
        first_paid_in_period=(t.first_paid_day >= t.start_day) & (t.first_paid_day <= t.end_day),
        paid_before=paid_before,
    )
    t = t.filter(t.customer_at_start | t.customer_at_end | t.first_paid_in_period)
    zero = ibis.literal(0.0)
    return t.mutate(
        new_mrr=ibis.ifelse((t.m0 == 0) & (t.m1 > 0) & ~t.paid_before, t.m1, zero),
        reactivation_mrr=ibis.ifelse((t.m0 == 0) & (t.m1 > 0) & t.paid_before, t.m1, zero),
        expansion_mrr=ibis.ifelse((t.m0 > 0) & (t.m1 > t.m0), t.m1 - t.m0, zero),
        contraction_mrr=ibis.ifelse((t.m1 > 0) & (t.m1 < t.m0), t.m0 - t.m1, zero),
        churned_mrr=ibis.ifelse((t.m0 > 0) & (t.m1 == 0), t.m0, zero),
        kept_mrr=ibis.ifelse(t.m0 > 0, ibis.least(t.m0, t.m1), zero),
    ).drop("start_day", "end_day")


def _sum(name: str, description: str, column: str, where: str | None = None) -> Measure:
    return Measure(
        name,
        "account_periods",
        Agg.SUM,
        description,
        expr=lambda t: t[column],
        where=(lambda t: t[where]) if where else None,
    )


MEASURES = (
    Measure(
        "customers_at_start",
        "account_periods",
        Agg.COUNT,
        "S: customers on the opening day",
        where=lambda t: t.customer_at_start,
    ),
    Measure(
        "customers_at_end",
        "account_periods",
        Agg.COUNT,
        "E: customers on the last day",
        where=lambda t: t.customer_at_end,
    ),
    Measure(
        "retained_customers",
        "account_periods",
        Agg.COUNT,
        "Customers of S still customers on the last day",
        where=lambda t: t.customer_at_start & t.customer_at_end,
    ),
    Measure(
        "lost_customers",
        "account_periods",
        Agg.COUNT,
        "Customers of S no longer customers on the last day",
        where=lambda t: t.customer_at_start & ~t.customer_at_end,
    ),
    Measure(
        "gained_customers",
        "account_periods",
        Agg.COUNT,
        "N: customers on the last day who were not on the opening day (new or back)",
        where=lambda t: t.customer_at_end & ~t.customer_at_start,
    ),
    Measure(
        "first_time_customers",
        "account_periods",
        Agg.COUNT,
        "Accounts whose first-ever paid day falls in the period",
        where=lambda t: t.first_paid_in_period,
    ),
    _sum("mrr_at_start", "MRR on the opening day", "m0"),
    _sum("mrr_at_end", "MRR on the last day", "m1"),
    _sum("new_mrr", "m1 of accounts with m0 = 0 < m1 that never paid before", "new_mrr"),
    _sum(
        "reactivation_mrr", "m1 of accounts with m0 = 0 < m1 that paid before", "reactivation_mrr"
    ),
    _sum("expansion_mrr", "m1 − m0 of accounts with 0 < m0 < m1", "expansion_mrr"),
    _sum("contraction_mrr", "m0 − m1 of accounts with 0 < m1 < m0", "contraction_mrr"),
    _sum("churned_mrr", "m0 of accounts with m0 > 0 = m1", "churned_mrr"),
    _sum(
        "start_customers_mrr_at_end", "Σ m1 over the accounts of S", "m1", where="customer_at_start"
    ),
    _sum("start_customers_mrr_kept", "Σ min(m0, m1) over the accounts of S", "kept_mrr"),
    _sum("seats_at_end", "Seats of the subscription rows covering the last day", "seats_at_end"),
)


def _movement(slug: str, name: str, direction: Direction, description: str) -> Metric:
    return Metric(
        slug=slug,
        name=name,
        unit=Unit.CURRENCY,
        direction=direction,
        teams=SALES_SERVICE,
        description=description,
        kind=Simple(slug),
        measures=(slug, "mrr_at_start"),
        knobs=GRACE,
        seeds=("002", "003"),
        domain="revenue",
    )


SOURCES = (
    Source(
        "account_periods",
        account_periods,
        "One row per account and period in which it was a customer on the opening or the "
        "last day, or paid for the first time: m0, m1 and the movement they make.",
        shown=("m0", "m1"),
        shared=True,
    ),
)

METRICS = (
    Metric(
        slug="customers",
        name="Customers",
        unit=Unit.COUNT,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="E: accounts with MRR > 0 on the period's last day. Components show the walk "
        "from the opening day: E = S + gained − lost.",
        measures=("customers_at_start", "gained_customers", "lost_customers", "customers_at_end"),
        kind=Simple("customers_at_end"),
        knobs=GRACE,
        seeds=("003",),
        domain="revenue",
    ),
    Metric(
        slug="new_customers",
        name="New customers",
        unit=Unit.COUNT,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="Accounts whose first-ever day with MRR > 0 falls in the period, including "
        "those that churn again before its end. Reactivations are not new.",
        measures=("first_time_customers",),
        kind=Simple("first_time_customers"),
        knobs=GRACE,
        seeds=("003",),
        domain="revenue",
    ),
    Metric(
        slug="churned_customers",
        name="Churned customers",
        unit=Unit.COUNT,
        direction=Direction.LOWER,
        teams=SALES_SERVICE,
        description="S minus those of S still customers on the last day: customers on the opening "
        "day who are not customers on the last day. An account that leaves and returns within "
        "the period is not churned.",
        measures=("lost_customers", "customers_at_start"),
        kind=Simple("lost_customers"),
        knobs=GRACE,
        seeds=("003",),
        domain="revenue",
    ),
    Metric(
        slug="customer_churn_rate",
        name="Customer churn rate",
        unit=Unit.PERCENT,
        direction=Direction.LOWER,
        teams=SALES_SERVICE,
        description="100 × (S − customers of S still customers on the last day) / S. "
        "Population: customers on the opening day. No value when S = 0.",
        measures=("lost_customers", "customers_at_start"),
        kind=Percent("lost_customers", "customers_at_start"),
        knobs=GRACE,
        seeds=("000", "001", "003", "004"),
        domain="revenue",
    ),
    Metric(
        slug="customer_retention_rate",
        name="Customer retention rate",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=ALL_TEAMS,
        description="100 × (E − N) / S, where N = customers on the last day who were not "
        "customers on the opening day. E − N are the customers of S kept, so churn + retention "
        "= 100. No value when S = 0.",
        measures=("customers_at_end", "gained_customers", "customers_at_start"),
        kind=Percent("customers_at_end - gained_customers", "customers_at_start"),
        knobs=GRACE,
        seeds=("000", "002"),
        domain="revenue",
    ),
    Metric(
        slug="mrr",
        name="MRR",
        unit=Unit.CURRENCY,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="Monthly recurring revenue on the period's last day: the sum over accounts of "
        "the MRR of their subscription rows covering it. Components show the MRR walk: "
        "end = start + new + expansion + reactivation − contraction − churned.",
        measures=(
            "mrr_at_start",
            "new_mrr",
            "expansion_mrr",
            "reactivation_mrr",
            "contraction_mrr",
            "churned_mrr",
            "mrr_at_end",
        ),
        kind=Simple("mrr_at_end"),
        knobs=GRACE,
        seeds=("002", "003"),
        domain="revenue",
    ),
    Metric(
        slug="arr",
        name="ARR",
        unit=Unit.CURRENCY,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="12 × MRR on the period's last day.",
        kind=Derived("12 * mrr"),
        seeds=("002",),
        domain="revenue",
    ),
    _movement(
        "new_mrr",
        "New MRR",
        Direction.HIGHER,
        "Σ m1 over accounts with m0 = 0 < m1 that never had MRR > 0 before the period.",
    ),
    _movement(
        "expansion_mrr",
        "Expansion MRR",
        Direction.HIGHER,
        "Σ (m1 − m0) over accounts with 0 < m0 < m1.",
    ),
    _movement(
        "contraction_mrr",
        "Contraction MRR",
        Direction.LOWER,
        "Σ (m0 − m1) over accounts with 0 < m1 < m0.",
    ),
    _movement(
        "churned_mrr",
        "Churned MRR",
        Direction.LOWER,
        "Σ m0 over accounts with m0 > 0 = m1 (a move to a zero-MRR plan included).",
    ),
    _movement(
        "reactivation_mrr",
        "Reactivation MRR",
        Direction.HIGHER,
        "Σ m1 over accounts with m0 = 0 < m1 that had MRR > 0 on some day before the period.",
    ),
    Metric(
        slug="revenue_churn_rate",
        name="Revenue churn rate",
        unit=Unit.PERCENT,
        direction=Direction.LOWER,
        teams=ALL_TEAMS,
        description="100 × (churned MRR + contraction MRR) / MRR on the opening day. "
        "No value when opening MRR is 0.",
        measures=("churned_mrr", "contraction_mrr", "mrr_at_start"),
        kind=Percent("churned_mrr + contraction_mrr", "mrr_at_start"),
        knobs=GRACE,
        seeds=("002",),
        domain="revenue",
    ),
    Metric(
        slug="net_revenue_retention",
        name="Net revenue retention",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="100 × Σ m1 / Σ m0 over the accounts of S (customers on the opening day): "
        "what the opening customers pay on the last day, expansion included, new and "
        "reactivated customers excluded. No value when S is empty.",
        measures=("start_customers_mrr_at_end", "mrr_at_start"),
        kind=Percent("start_customers_mrr_at_end", "mrr_at_start"),
        knobs=GRACE,
        seeds=("002",),
        domain="revenue",
    ),
    Metric(
        slug="gross_revenue_retention",
        name="Gross revenue retention",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="100 × Σ min(m0, m1) / Σ m0 over the accounts of S: like NRR but expansion "
        "does not offset losses, so it never exceeds 100. No value when S is empty.",
        measures=("start_customers_mrr_kept", "mrr_at_start"),
        kind=Percent("start_customers_mrr_kept", "mrr_at_start"),
        knobs=GRACE,
        domain="revenue",
    ),
    Metric(
        slug="existing_customer_revenue_growth_rate",
        name="Existing customer revenue growth rate",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=ALL_TEAMS,
        description="Net revenue retention − 100: how much the opening customers' MRR grew (or "
        "shrank, when negative) over the period.",
        kind=Derived("net_revenue_retention - 100"),
        seeds=("002",),
        domain="revenue",
    ),
    Metric(
        slug="expansion_revenue",
        name="Expansion revenue",
        unit=Unit.CURRENCY,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="Expansion MRR: Σ (m1 − m0) over accounts with 0 < m0 < m1.",
        kind=Derived("expansion_mrr"),
        seeds=("000", "003"),
        domain="revenue",
    ),
    Metric(
        slug="arpc",
        name="Average revenue per customer",
        unit=Unit.CURRENCY,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="MRR on the last day / E (customers on the last day). No value when E = 0.",
        measures=("mrr_at_end", "customers_at_end"),
        kind=Ratio("mrr_at_end", "customers_at_end"),
        knobs=GRACE,
        seeds=("003",),
        domain="revenue",
    ),
)
