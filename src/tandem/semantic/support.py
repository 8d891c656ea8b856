"""Support metrics: customer escalation rate and first contact resolution."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.semantic.dimensions import OwnDimension
from tandem.semantic.types import Agg, Direction, Measure, Metric, Percent, Source, Team, Unit

if TYPE_CHECKING:
    import ibis

    from tandem.semantic.types import Facts


def escalations(f: Facts) -> ibis.Table:
    customers = f.source("customer_periods")
    t = f.table("tickets")
    placed = f.place(t.filter(t.escalated), t.created_at)
    escalated = placed.group_by(["account_id", "period_key"]).aggregate(
        escalated_tickets=placed.count()
    )
    j = customers.left_join(escalated, ["account_id", "period_key"]).select(
        customers, escalated.escalated_tickets
    )
    return j.mutate(escalated_tickets=j.escalated_tickets.fill_null(0))


def resolved_tickets(f: Facts) -> ibis.Table:
    t = f.table("tickets")
    placed = f.place(t.filter(t.resolved_at.notnull()), t.resolved_at)
    return placed.select(
        "ticket_id",
        "account_id",
        "period_key",
        "created_at",
        "resolved_at",
        "contacts",
        "escalated",
        "channel",
        "priority",
    )


MEASURES = (
    Measure(
        "customers_in_period",
        "escalations",
        Agg.COUNT,
        "C: accounts that are customers on any day of the period",
    ),
    Measure(
        "escalating_customers",
        "escalations",
        Agg.COUNT,
        "Accounts of C with an escalated ticket created in the period",
        where=lambda t: t.escalated_tickets > 0,
    ),
    Measure("resolved_tickets", "resolved_tickets", Agg.COUNT, "Tickets resolved in the period"),
    Measure(
        "resolved_on_first_contact",
        "resolved_tickets",
        Agg.COUNT,
        "Tickets resolved in the period with exactly one contact",
        where=lambda t: t.contacts == 1,
    ),
)

SOURCES = (
    Source(
        "escalations",
        escalations,
        "One row per account that is a customer on any day of the period, with its escalated "
        "tickets created in the period.",
    ),
    Source(
        "resolved_tickets",
        resolved_tickets,
        "One row per ticket resolved in the period.",
        dimensions=(
            OwnDimension(
                "ticket.channel",
                "tickets",
                "channel",
                "The channel the ticket came in by (e-mail, chat, phone...)",
                aliases=("channel",),
            ),
            OwnDimension(
                "ticket.priority",
                "tickets",
                "priority",
                "The ticket's priority",
                aliases=("priority",),
            ),
        ),
    ),
)

METRICS = (
    Metric(
        slug="customer_escalation_rate",
        name="Customer escalation rate",
        unit=Unit.PERCENT,
        direction=Direction.LOWER,
        teams=(Team.SALES, Team.SERVICE),
        description="100 × accounts of C with an escalated ticket created in the period / C, where "
        "C = accounts that are customers on any day of the period. Escalations from accounts "
        "that are not customers in the period are not counted. No value when C is empty.",
        measures=("escalating_customers", "customers_in_period"),
        kind=Percent("escalating_customers", "customers_in_period"),
        knobs=("churn_grace_days",),
        seeds=("000",),
        domain="support",
    ),
    Metric(
        slug="first_contact_resolution",
        name="First contact resolution",
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        teams=(Team.SERVICE, Team.SALES),
        description="100 × tickets resolved in the period with contacts = 1 / tickets resolved "
        "in the period. Unresolved tickets count nowhere until they are resolved. No value "
        "when no ticket was resolved.",
        measures=("resolved_on_first_contact", "resolved_tickets"),
        kind=Percent("resolved_on_first_contact", "resolved_tickets"),
        seeds=("002",),
        domain="support",
    ),
)
