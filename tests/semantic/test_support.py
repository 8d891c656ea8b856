"""Support metrics: customer escalation rate and first contact resolution, worked by hand.

A customer on day d has a subscription row with MRR > 0 and valid_from ≤ d < valid_to.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.seed import row, values


def sub(account: str, start: str, end: str | None = None, mrr: float = 100.0):
    return {
        "subscription_id": f"{account}-{start}",
        "account_id": account,
        "mrr": mrr,
        "valid_from": start,
        "valid_to": end,
    }


def ticket(
    tid: str,
    account: str,
    created: str,
    *,
    resolved: str | None = None,
    contacts: int = 1,
    escalated: bool = False,
):
    return {
        "ticket_id": tid,
        "account_id": account,
        "created_at": created,
        "resolved_at": resolved,
        "contacts": contacts,
        "escalated": escalated,
    }


ESCALATIONS = {
    "subscriptions": [
        sub("A", "2024-01-01"),
        sub("B", "2024-01-01"),
        sub("C", "2024-01-01", "2024-03-02"),  # last customer day 1 March
        sub("D", "2024-03-31"),  # first customer day 31 March
        sub("E", "2024-01-01"),
        sub("Y", "2024-01-01", "2024-03-01"),  # last customer day 29 February
        sub("Z", "2024-01-01", mrr=0.0),  # a free plan: never a customer
    ],
    "tickets": [
        ticket("a1", "A", "2024-03-10", escalated=True),
        ticket("b1", "B", "2024-03-10"),
        ticket("c1", "C", "2024-03-20", escalated=True),
        ticket("d1", "D", "2024-03-31T08:00", escalated=True),
        ticket("d2", "D", "2024-03-31T09:00", escalated=True),
        ticket("e1", "E", "2024-02-28", resolved="2024-03-03", escalated=True),
        ticket("x1", "X", "2024-03-10", escalated=True),
        ticket("y1", "Y", "2024-03-10", escalated=True),
        ticket("z1", "Z", "2024-03-10", escalated=True),
    ],
}


def test_escalation_rate_counts_customers_of_the_period_only(seeded):
    """March 2024. C = accounts that are customers on any day of March:

    A (all month), B (all month), C (1 March only), D (31 March only), E (all month) → |C| = 5.
    Not in C: Y (last paid day 29 February), X (no subscription), Z (MRR 0).
    Escalated tickets created in March: A, C (after its last paid day, but C is in C),
    D (two tickets, one account), X, Y, Z (not in C: ignored). E's escalation was created in
    February. Escalating = {A, C, D} = 3 → 100 × 3 / 5 = 60.
    """
    ws = seeded(ESCALATIONS)
    march = row(ws, "customer_escalation_rate", "2024-03")
    assert (march["escalating_customers"], march["customers_in_period"]) == (3, 5)
    assert march["value"] == 60


def test_escalation_rate_in_february(seeded):
    """February 2024: C = {A, B, C, E, Y} = 5 (D starts in March); the only escalation
    created in February is E's → 100 × 1 / 5 = 20."""
    ws = seeded(ESCALATIONS)
    feb = row(ws, "customer_escalation_rate", "2024-02")
    assert (feb["escalating_customers"], feb["customers_in_period"]) == (1, 5)
    assert feb["value"] == 20


def test_escalation_rate_without_customers_has_no_value(seeded):
    """December 2023: nobody pays yet, so C is empty → no value, counts 0, row still listed."""
    ws = seeded(ESCALATIONS)
    assert values(ws, "customer_escalation_rate", start="2023-12", end="2024-01") == [None, 0]
    dec = row(ws, "customer_escalation_rate", "2023-12")
    assert (dec["escalating_customers"], dec["customers_in_period"]) == (0, 0)


def test_escalation_rate_by_segment_adds_up(seeded):
    """March 2024 cut by segment (A, C: Enterprise; B, D, E: SMB; X, Y, Z: Enterprise).

    Enterprise: C = {A, C} = 2, escalating {A, C} = 2 → 100.
    SMB:        C = {B, D, E} = 3, escalating {D} = 1 → 33.33…
    Sums: C 2 + 3 = 5 and escalating 2 + 1 = 3, the overall counts.
    """
    seg = {
        "A": "Enterprise",
        "C": "Enterprise",
        "X": "Enterprise",
        "Y": "Enterprise",
        "Z": "Enterprise",
        "B": "SMB",
        "D": "SMB",
        "E": "SMB",
    }
    accounts = [
        {"account_id": a, "name": a, "segment": s, "created_at": "2020-01-01"}
        for a, s in seg.items()
    ]
    ws = seeded({**ESCALATIONS, "accounts": accounts})
    cut = ws.metric("customer_escalation_rate", by=["segment"], start="2024-03", end="2024-03")
    by = {r["segment"]: r for r in cut.to_dict("records")}
    assert by["Enterprise"]["value"] == 100
    assert by["SMB"]["value"] == pytest.approx(100 / 3)
    assert cut["customers_in_period"].sum() == 5
    assert cut["escalating_customers"].sum() == 3


FCR = {
    "tickets": [
        ticket("t1", "A", "2024-03-02T09:00", resolved="2024-03-02T10:00", contacts=1),
        ticket("t2", "A", "2024-02-25", resolved="2024-03-03", contacts=1),
        ticket("t3", "B", "2024-03-05", resolved="2024-03-06", contacts=3),
        ticket("t4", "B", "2024-03-28", resolved="2024-04-02", contacts=1),
        ticket("t5", "C", "2024-03-10", contacts=1),  # never resolved
        ticket("t6", "C", "2024-03-10", resolved="2024-03-31T23:59:59", contacts=2),
    ]
}


def test_first_contact_resolution_by_resolution_date(seeded):
    """Tickets resolved in March 2024 (by resolved_at): t1 (1 contact), t2 (1, created in
    February), t3 (3), t6 (2, resolved 23:59:59 on the 31st) → 4 resolved, 2 on first contact
    → 100 × 2 / 4 = 50. t4 is resolved in April; t5 is unresolved and counts nowhere."""
    ws = seeded(FCR)
    march = row(ws, "first_contact_resolution", "2024-03")
    assert (march["resolved_on_first_contact"], march["resolved_tickets"]) == (2, 4)
    assert march["value"] == 50


def test_first_contact_resolution_over_months(seeded):
    """February: nothing resolved (t2 was only created) → no value. March: 50 (above).
    April: t4 alone, 1 contact → 100. May: nothing resolved → no value; t5 stays open."""
    ws = seeded(FCR)
    assert values(ws, "first_contact_resolution", start="2024-02", end="2024-05") == [
        None,
        50,
        100,
        None,
    ]
    counts = ws.metric("first_contact_resolution", start="2024-02", end="2024-05")
    assert counts["resolved_tickets"].tolist() == [0, 4, 1, 0]


def test_first_contact_resolution_by_iso_week(seeded):
    """Weekly grain; ISO weeks start on Monday. 3 March 2024 is a Sunday.

    Week of Mon 26 Feb: w1 resolved Sun 3 March 23:00, 1 contact  → 1 of 1 → 100.
    Week of Mon 4 March: w2 resolved Mon 4 March 00:30, 2 contacts; w3 resolved Sun 10
    March 12:00, 1 contact → 1 of 2 → 50.
    Week of Mon 11 March: nothing → no value.
    """
    ws = seeded(
        {
            "tickets": [
                ticket("w1", "A", "2024-03-01", resolved="2024-03-03T23:00", contacts=1),
                ticket("w2", "A", "2024-03-01", resolved="2024-03-04T00:30", contacts=2),
                ticket("w3", "A", "2024-03-01", resolved="2024-03-10T12:00", contacts=1),
            ]
        }
    )
    weeks = ws.metric(
        "first_contact_resolution", grain="week", start="2024-02-26", end="2024-03-17"
    )
    assert weeks["period"].tolist() == [
        dt.date(2024, 2, 26),
        dt.date(2024, 3, 4),
        dt.date(2024, 3, 11),
    ]
    assert weeks["resolved_tickets"].tolist() == [1, 2, 0]
    assert values(
        ws, "first_contact_resolution", grain="week", start="2024-02-26", end="2024-03-17"
    ) == [100, 50, None]
