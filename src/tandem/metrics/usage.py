"""Product usage: adoption, sessions and time in product per customer-day.

Customer-days come from paid coverage intervals (islands), never from an
account-by-day table: an account's customer-days in a period are the overlap
of its islands with the period. Events are first reduced to one row per account
and day, then matched to islands, so events on days the account is not a
customer are seen (adoption counts any event) but not counted per customer-day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.metrics.calendar import day_expr
from tandem.metrics.catalog import Agg, Direction, Measure, Metric, Team, Unit, measures, source
from tandem.metrics.catalog import metric as declare
from tandem.metrics.coverage import islands
from tandem.metrics.formulas import percent, ratio

if TYPE_CHECKING:
    import ibis

    from tandem.metrics.frame import Frame

SALES_SERVICE = (Team.SALES, Team.SERVICE)


@source(
    "customer_periods",
    "One row per account and period with at least one customer day: how many.",
    shared=True,
)
def customer_periods(f: Frame) -> ibis.Table:
    import ibis

    isl = islands(f)
    cal = f.calendar
    j = isl.join(cal, [isl.start <= cal.end_day, isl.end > cal.start_day]).select(
        isl.account_id,
        cal.period_key,
        days=ibis.least(isl.end, cal.end_day + 1) - ibis.greatest(isl.start, cal.start_day),
    )
    return j.group_by(["account_id", "period_key"]).aggregate(customer_days=j.days.sum())


def usage_days(f: Frame) -> ibis.Table:
    """Events reduced to account × day, flagged when the account is a customer that day."""

    def build() -> ibis.Table:
        import ibis

        u = f.table("usage_events")
        placed = f.place(u.mutate(day=day_expr(u.ts)), u.ts)
        is_session = placed.event == "session"
        daily = placed.group_by(["account_id", "period_key", "day"]).aggregate(
            events=placed.count(),
            sessions=placed.count(where=is_session),
            session_minutes=(placed.duration_s.fill_null(0) / 60).sum(where=is_session),
        )
        isl = islands(f)
        flagged = daily.left_join(
            isl,
            [daily.account_id == isl.account_id, isl.start <= daily.day, isl.end > daily.day],
        ).select(daily, on_customer_day=isl.start.notnull())
        minutes = flagged.session_minutes.fill_null(0.0)
        return flagged.mutate(
            sessions_cd=ibis.ifelse(flagged.on_customer_day, flagged.sessions, 0),
            minutes_cd=ibis.ifelse(flagged.on_customer_day, minutes, 0.0),
        )

    return f.cached("usage_days", build)


@source("usage", "One row per account and period with any usage event.", shared=True)
def usage(f: Frame) -> ibis.Table:
    d = usage_days(f)
    return d.group_by(["account_id", "period_key"]).aggregate(
        active_days=d.count(),
        sessions_on_customer_days=d.sessions_cd.sum(),
        session_minutes_on_customer_days=d.minutes_cd.sum(),
    )


@source(
    "adoption",
    "One row per customer on the period's last day: days with usage, users seen, seats.",
)
def adoption(f: Frame) -> ibis.Table:
    ap = f.source("account_periods")
    ends = ap.filter(ap.customer_at_end).select("account_id", "period_key", "seats_at_end")
    used = f.source("usage")
    u = f.table("usage_events")
    placed = f.place(u.filter(u.user_id.notnull()), u.ts)
    users = placed.group_by(["account_id", "period_key"]).aggregate(
        users_seen=placed.user_id.nunique()
    )
    t = ends.left_join(used, ["account_id", "period_key"]).select(ends, used.active_days)
    t = t.left_join(users, ["account_id", "period_key"]).select(t, users.users_seen)
    t = t.mutate(
        active_days=t.active_days.fill_null(0), users_seen=t.users_seen.fill_null(0)
    )
    return t.mutate(adopted=t.active_days >= f.knobs.adoption_min_days)


measures(
    Measure("customer_days", "customer_periods", Agg.SUM,
            "Σ over accounts of their days with MRR > 0 in the period",
            expr=lambda t: t.customer_days),
    Measure("sessions_on_customer_days", "usage", Agg.SUM,
            "`session` events on days the account is a customer",
            expr=lambda t: t.sessions_on_customer_days),
    Measure("session_minutes_on_customer_days", "usage", Agg.SUM,
            "Minutes (duration_s / 60) of `session` events on customer days",
            expr=lambda t: t.session_minutes_on_customer_days),
    Measure("adopted_customers", "adoption", Agg.COUNT,
            "Customers on the last day with usage on ≥ adoption_min_days days of the period",
            where=lambda t: t.adopted),
    Measure("seats_used", "adoption", Agg.SUM,
            "Distinct users with an event in the period, over the customers of E",
            expr=lambda t: t.users_seen),
)

declare(Metric(
    slug="adoption_rate", name="Adoption rate", unit=Unit.PERCENT, direction=Direction.HIGHER,
    teams=SALES_SERVICE,
    description="100 × customers on the last day with a usage event (any event) on at least "
    "adoption_min_days days of the period / E. Beside it: seat utilisation, 100 × distinct "
    "users seen in the period / seats on the last day (above 100 when more people use it "
    "than bought seats). No value when E = 0.",
    measures=("adopted_customers", "customers_at_end", "seats_used", "seats_at_end"),
    value=lambda c, k: percent(c["adopted_customers"], c["customers_at_end"]),
    extras=(("seat_utilisation", lambda c, k: percent(c["seats_used"], c["seats_at_end"])),),
    knobs=("adoption_min_days", "churn_grace_days"), seeds=("000",), domain="usage",
))
declare(Metric(
    slug="sessions_per_day", name="Sessions per day", unit=Unit.PER_CUSTOMER_DAY,
    direction=Direction.HIGHER, teams=(Team.SERVICE,),
    description="`session` events on days the account is a customer / customer-days in the "
    "period (Σ over accounts of their days with MRR > 0). Sessions on other days (trials, "
    "after churn) are not counted. No value when there are no customer-days.",
    measures=("sessions_on_customer_days", "customer_days"),
    value=lambda c, k: ratio(c["sessions_on_customer_days"], c["customer_days"]),
    knobs=("churn_grace_days",), seeds=("004",), domain="usage",
))
declare(Metric(
    slug="time_in_product_per_day", name="Time in product per day",
    unit=Unit.MINUTES_PER_CUSTOMER_DAY, direction=Direction.HIGHER, teams=(Team.SERVICE,),
    description="Minutes (duration_s / 60) of `session` events on customer days / "
    "customer-days in the period. No value when there are no customer-days.",
    measures=("session_minutes_on_customer_days", "customer_days"),
    value=lambda c, k: ratio(c["session_minutes_on_customer_days"], c["customer_days"]),
    knobs=("churn_grace_days",), seeds=("004",), domain="usage",
))
