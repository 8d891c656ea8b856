"""From signature to value: handoff accuracy, days to onboard, onboarding success, time to value.

Whole days between two instants are the difference of their UTC dates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.semantic.calendar import day_expr
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


def handoffs(f: Facts) -> ibis.Table:
    import ibis

    h = f.table("handoffs")
    placed = f.place(h, h.handed_off_at)
    complete = placed.fields_completed == placed.fields_required
    return placed.select(
        "handoff_id",
        "account_id",
        "deal_id",
        "period_key",
        "handed_off_at",
        "fields_required",
        "fields_completed",
        "errors_found",
        accurate=complete & (placed.errors_found == 0),
        completeness=ibis.ifelse(
            placed.fields_required == 0,
            1.0,
            placed.fields_completed.cast("float64") / placed.fields_required.nullif(0),
        ),
    )


def onboardings_live(f: Facts) -> ibis.Table:
    o = f.table("onboardings")
    placed = f.place(o.filter(o.go_live_at.notnull()), o.go_live_at)
    return placed.select(
        "onboarding_id",
        "account_id",
        "period_key",
        "started_at",
        "go_live_at",
        days_to_onboard=day_expr(placed.go_live_at) - day_expr(placed.started_at),
    )


def onboardings_due(f: Facts) -> ibis.Table:
    import ibis

    o = f.table("onboardings")
    a = f.table("accounts").select("account_id", "segment")
    o = o.left_join(a, "account_id").select(o, a.segment)
    k = f.knobs
    by_segment = [(o.segment == s, days) for s, days in k.onboarding_target_days_by_segment.items()]
    knob = (
        ibis.cases(*by_segment, else_=k.onboarding_target_days)
        if by_segment
        else ibis.literal(k.onboarding_target_days)
    )
    o = o.mutate(target=ibis.coalesce(o.target_days, knob))
    o = o.mutate(due_day=day_expr(o.started_at) + o.target)
    placed = f.place_day(o, "due_day")
    live_day = day_expr(placed.go_live_at)
    return placed.select(
        "onboarding_id",
        "account_id",
        "period_key",
        "started_at",
        "target",
        "go_live_at",
        "status",
        on_time=placed.go_live_at.notnull() & (live_day <= placed.due_day),
    )


def time_to_value(f: Facts) -> ibis.Table:
    o = f.table("onboardings")
    e = f.table("usage_events")
    e = e.filter(e.event == f.knobs.value_event)
    j = o.join(e, [o.account_id == e.account_id, e.ts >= o.started_at])
    firsts = j.group_by([o.onboarding_id, o.account_id, o.started_at]).aggregate(
        first_value_at=e.ts.min()
    )
    placed = f.place(firsts, firsts.first_value_at)
    return placed.mutate(
        days_to_value=day_expr(placed.first_value_at) - day_expr(placed.started_at)
    )


MEASURES = (
    Measure("handoffs", "handoffs", Agg.COUNT, "Handoffs in the period"),
    Measure(
        "accurate_handoffs",
        "handoffs",
        Agg.COUNT,
        "Handoffs with every required field completed and no errors found",
        where=lambda t: t.accurate,
    ),
    Measure(
        "mean_completeness",
        "handoffs",
        Agg.MEAN,
        "Mean of fields_completed / fields_required (1 when nothing is required)",
        expr=lambda t: t.completeness,
    ),
    Measure(
        "onboardings_live", "onboardings_live", Agg.COUNT, "Onboardings going live in the period"
    ),
    Measure(
        "median_days_to_onboard",
        "onboardings_live",
        Agg.MEDIAN,
        "Median whole days from started_at to go_live_at",
        expr=lambda t: t.days_to_onboard,
    ),
    Measure(
        "mean_days_to_onboard",
        "onboardings_live",
        Agg.MEAN,
        "Mean whole days from started_at to go_live_at",
        expr=lambda t: t.days_to_onboard,
    ),
    Measure(
        "onboardings_due",
        "onboardings_due",
        Agg.COUNT,
        "Onboardings whose due date falls in the period",
    ),
    Measure(
        "onboardings_on_time",
        "onboardings_due",
        Agg.COUNT,
        "Of those, onboardings live on or before their due date",
        where=lambda t: t.on_time,
    ),
    Measure(
        "onboardings_reaching_value",
        "time_to_value",
        Agg.COUNT,
        "Onboardings whose first value event falls in the period",
    ),
    Measure(
        "median_days_to_value",
        "time_to_value",
        Agg.MEDIAN,
        "Median whole days from started_at to the first value event",
        expr=lambda t: t.days_to_value,
    ),
)

SOURCES = (
    Source("handoffs", handoffs, "One row per sales-to-service handoff in the period."),
    Source(
        "onboardings_live", onboardings_live, "One row per onboarding going live in the period."
    ),
    Source(
        "onboardings_due",
        onboardings_due,
        "One row per onboarding whose due date (started_at + target days) falls in the period.",
    ),
    Source(
        "time_to_value",
        time_to_value,
        "One row per onboarding whose first value event (on or after started_at) falls in the "
        "period.",
    ),
)

METRICS = (
    Metric(
        slug="deal_handoff_accuracy",
        name="Deal handoff accuracy",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="100 × handoffs with fields_completed = fields_required and errors_found = 0 "
        "/ handoffs in the period (by handed_off_at). Beside it: mean completeness. No value "
        "without handoffs.",
        measures=("accurate_handoffs", "handoffs", "mean_completeness"),
        kind=Percent("accurate_handoffs", "handoffs"),
        seeds=("000",),
        domain="onboarding",
    ),
    Metric(
        slug="days_to_onboard",
        name="Days to onboard",
        unit=Unit.DAYS,
        direction=Direction.LOWER,
        teams=(Team.SERVICE,),
        description="Median whole days from started_at (contract signed) to go_live_at over "
        "onboardings going live in the period; the mean beside it. Onboardings that never go "
        "live count nowhere here (see onboarding_success_rate). No value when none went live.",
        measures=("median_days_to_onboard", "mean_days_to_onboard", "onboardings_live"),
        kind=Simple("median_days_to_onboard"),
        seeds=("003", "004"),
        domain="onboarding",
    ),
    Metric(
        slug="onboarding_success_rate",
        name="Onboarding success rate",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=SALES_SERVICE,
        description="100 × onboardings live on or before their due date / onboardings whose due "
        "date falls in the period. Due date = started_at date + target_days (the onboarding's "
        "own, else onboarding_target_days_by_segment for the account's segment, else "
        "onboarding_target_days). An onboarding never live counts as not on time once due.",
        measures=("onboardings_on_time", "onboardings_due"),
        kind=Percent("onboardings_on_time", "onboardings_due"),
        knobs=("onboarding_target_days", "onboarding_target_days_by_segment"),
        seeds=("000",),
        domain="onboarding",
    ),
    Metric(
        slug="time_to_value",
        name="Time to value",
        unit=Unit.DAYS,
        direction=Direction.LOWER,
        teams=SALES_SERVICE,
        description="Median whole days from an onboarding's started_at to the account's first "
        "value_event (default `session`) on or after started_at, over onboardings whose first "
        "value event falls in the period. No value when none reached value.",
        measures=("median_days_to_value", "onboardings_reaching_value"),
        kind=Simple("median_days_to_value"),
        knobs=("value_event",),
        seeds=("000",),
        domain="onboarding",
    ),
)
