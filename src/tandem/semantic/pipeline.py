"""Winning and growing business: win rates, expansion bookings, upsells and cross-sells,
repeat purchases, pilots and free-to-paid conversion.

Deals count in the period of ``closed_at``; open deals count nowhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.semantic.calendar import day_expr
from tandem.semantic.dimensions import OwnDimension
from tandem.semantic.types import (
    Agg,
    Direction,
    Measure,
    Metric,
    Percent,
    Simple,
    Source,
    Team,
    Unit,
)

if TYPE_CHECKING:
    import ibis

    from tandem.semantic.types import Facts

SALES_SERVICE = (Team.SALES, Team.SERVICE)
EXPANSION = ("upsell", "cross_sell")
BOOKED = ("upsell", "cross_sell", "renewal")


def closed_deals(f: Facts) -> ibis.Table:
    d = f.table("deals")
    closed = d.filter(d.outcome.isin(["won", "lost"]) & d.closed_at.notnull())
    placed = f.place(closed, closed.closed_at)
    return placed.select(
        "deal_id",
        "account_id",
        "owner_id",
        "period_key",
        "type",
        "outcome",
        "amount",
        "qualified",
        "closed_at",
        won=placed.outcome == "won",
        expansion=placed.type.isin(EXPANSION),
    )


def purchasers(f: Facts) -> ibis.Table:
    o = f.table("orders")
    placed = f.place(o, o.ordered_at)
    return placed.group_by(["account_id", "period_key"]).aggregate(
        orders=placed.count(), order_amount=placed.amount.sum()
    )


def pilots_ended(f: Facts) -> ibis.Table:
    import ibis

    t = f.table("trials")
    p = t.filter((t.kind == "pilot") & (t.ended_at.notnull() | t.converted_at.notnull()))
    end = ibis.cases(
        (p.ended_at.isnull(), p.converted_at),
        (p.converted_at.isnull(), p.ended_at),
        else_=ibis.least(p.ended_at, p.converted_at),
    )
    p = p.mutate(pilot_end=end)
    placed = f.place(p, p.pilot_end)
    return placed.select(
        "trial_id",
        "account_id",
        "period_key",
        "started_at",
        "ended_at",
        "converted_at",
        "pilot_end",
        converted=placed.converted_at.notnull(),
    )


def free_starts(f: Facts) -> ibis.Table:
    t = f.table("trials")
    free = t.filter(t.kind.isin(["free_trial", "freemium"]))
    placed = f.place(free, free.started_at)
    days = day_expr(placed.converted_at) - day_expr(placed.started_at)
    return placed.select(
        "trial_id",
        "account_id",
        "period_key",
        "kind",
        "started_at",
        "converted_at",
        converted_in_window=placed.converted_at.notnull()
        & (days <= f.knobs.conversion_window_days),
    )


MEASURES = (
    Measure(
        "qualified_closed",
        "closed_deals",
        Agg.COUNT,
        "Qualified deals won or lost",
        where=lambda t: t.qualified,
    ),
    Measure(
        "qualified_won",
        "closed_deals",
        Agg.COUNT,
        "Qualified deals won",
        where=lambda t: t.qualified & t.won,
    ),
    Measure(
        "qualified_expansion_closed",
        "closed_deals",
        Agg.COUNT,
        "Qualified upsell and cross-sell deals won or lost",
        where=lambda t: t.qualified & t.expansion,
    ),
    Measure(
        "qualified_expansion_won",
        "closed_deals",
        Agg.COUNT,
        "Qualified upsell and cross-sell deals won",
        where=lambda t: t.qualified & t.expansion & t.won,
    ),
    Measure(
        "expansion_bookings",
        "closed_deals",
        Agg.SUM,
        "Amount of won upsell, cross-sell and renewal deals",
        expr=lambda t: t.amount.fill_null(0),
        where=lambda t: t.won & t.type.isin(BOOKED),
    ),
    Measure(
        "won_upsells_cross_sells",
        "closed_deals",
        Agg.COUNT,
        "Won upsell and cross-sell deals",
        where=lambda t: t.won & t.expansion,
    ),
    Measure(
        "purchasing_accounts",
        "purchasers",
        Agg.COUNT,
        "Accounts with at least one order in the period",
    ),
    Measure(
        "repeat_purchasing_accounts",
        "purchasers",
        Agg.COUNT,
        "Accounts with two or more orders in the period",
        where=lambda t: t.orders >= 2,
    ),
    Measure("pilots_ended", "pilots_ended", Agg.COUNT, "Pilots ending in the period"),
    Measure(
        "pilots_converted",
        "pilots_ended",
        Agg.COUNT,
        "Of those, pilots with converted_at set",
        where=lambda t: t.converted,
    ),
    Measure(
        "free_starts", "free_starts", Agg.COUNT, "Free trial and freemium starts in the period"
    ),
    Measure(
        "free_converted",
        "free_starts",
        Agg.COUNT,
        "Of those, starts converted within conversion_window_days",
        where=lambda t: t.converted_in_window,
    ),
)

SOURCES = (
    Source(
        "closed_deals",
        closed_deals,
        "One row per deal won or lost in the period (by closed_at).",
        dimensions=(
            OwnDimension(
                "deal.owner",
                "deals",
                "owner_id",
                "The deal's owner (its sales rep), not the account's",
                aliases=("sales_rep", "rep", "owner"),
                person=True,
            ),
            OwnDimension(
                "deal.type",
                "deals",
                "type",
                "new_business, upsell, cross_sell or renewal",
                aliases=("deal_type", "type"),
            ),
        ),
    ),
    Source(
        "purchasers",
        purchasers,
        "One row per account with an order in the period: how many orders.",
    ),
    Source(
        "pilots_ended",
        pilots_ended,
        "One row per pilot ending in the period: at ended_at, or at converted_at when that is "
        "earlier or ended_at is empty.",
    ),
    Source(
        "free_starts",
        free_starts,
        "One row per free trial or freemium sign-up started in the period.",
    ),
)

METRICS = (
    Metric(
        slug="win_rate",
        name="Win rate",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=(Team.SALES,),
        description="100 × qualified deals won / qualified deals closed (won or lost), by "
        "closed_at. Open and unqualified deals are not counted. No value when none closed.",
        measures=("qualified_won", "qualified_closed"),
        kind=Percent("qualified_won", "qualified_closed"),
        seeds=("003",),
        domain="pipeline",
    ),
    Metric(
        slug="expansion_win_rate",
        name="Expansion win rate",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=(Team.SALES,),
        description="Win rate over qualified upsell and cross-sell deals only.",
        measures=("qualified_expansion_won", "qualified_expansion_closed"),
        kind=Percent("qualified_expansion_won", "qualified_expansion_closed"),
        seeds=("003",),
        domain="pipeline",
    ),
    Metric(
        slug="expansion_bookings",
        name="Expansion bookings",
        unit=Unit.CURRENCY,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="Σ amount of won upsell, cross-sell and renewal deals closed in the period "
        "(a missing amount counts 0).",
        measures=("expansion_bookings",),
        kind=Simple("expansion_bookings"),
        seeds=("000", "003"),
        domain="pipeline",
    ),
    Metric(
        slug="upsells_cross_sells",
        name="Upsells and cross-sells",
        unit=Unit.COUNT,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="Count of won upsell and cross-sell deals closed in the period.",
        measures=("won_upsells_cross_sells",),
        kind=Simple("won_upsells_cross_sells"),
        seeds=("003",),
        domain="pipeline",
    ),
    Metric(
        slug="repeat_purchase_rate",
        name="Repeat purchase rate",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=(Team.MARKETING, Team.SALES),
        description="100 × accounts with two or more orders in the period / accounts with at "
        "least one. No value without orders.",
        measures=("repeat_purchasing_accounts", "purchasing_accounts"),
        kind=Percent("repeat_purchasing_accounts", "purchasing_accounts"),
        seeds=("002",),
        domain="pipeline",
    ),
    Metric(
        slug="pilot_success_rate",
        name="Pilot program success rate",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="100 × pilots ending in the period that converted / pilots ending in the "
        "period. A pilot ends at ended_at, or at converted_at when that is earlier or ended_at "
        "is empty; converted means converted_at is set. Pilots with neither date have not ended.",
        measures=("pilots_converted", "pilots_ended"),
        kind=Percent("pilots_converted", "pilots_ended"),
        seeds=("004",),
        domain="pipeline",
    ),
    Metric(
        slug="free_to_paid_conversion_rate",
        name="Free-to-paid conversion rate",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=(Team.MARKETING, Team.SALES),
        description="100 × free_trial and freemium starts in the period converted within "
        "conversion_window_days (whole days from started_at to converted_at) / those starts. "
        "Later conversions count as not converted. No value without starts.",
        measures=("free_converted", "free_starts"),
        kind=Percent("free_converted", "free_starts"),
        knobs=("conversion_window_days",),
        seeds=("004",),
        domain="pipeline",
    ),
)
