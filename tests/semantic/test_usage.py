"""Product usage: adoption, sessions and time in product per customer-day, worked by hand.

March 2024 has 31 days. A customer on day d has MRR > 0 on d; valid_to is exclusive.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.seed import row, values


def sub(
    sid: str,
    account: str,
    start: str,
    end: str | None = None,
    *,
    mrr: float = 100.0,
    seats: int | None = None,
):
    return {
        "subscription_id": sid,
        "account_id": account,
        "mrr": mrr,
        "seats": seats,
        "valid_from": start,
        "valid_to": end,
    }


def event(
    account: str,
    ts: str,
    name: str = "session",
    *,
    user: str | None = "u1",
    seconds: float | None = None,
):
    return {"account_id": account, "user_id": user, "ts": ts, "event": name, "duration_s": seconds}


ADOPTION = {
    "subscriptions": [
        sub("a", "A", "2024-01-01", seats=5),
        sub("b", "B", "2024-01-01", seats=10),
        sub("c", "C", "2024-03-20", seats=3),
        sub("d", "D", "2024-01-01", "2024-03-15", seats=4),
    ],
    "usage_events": [
        event("A", "2024-03-03T09:00", user="u1"),
        event("A", "2024-03-03T10:00", "report_created", user="u2"),
        event("A", "2024-03-10T09:00", user="u1"),
        event("B", "2024-02-20T09:00"),  # February: B has no usage in March
        event("C", "2024-03-05T09:00", user="u3"),  # before C pays: still adoption
        event("D", "2024-03-05T09:00"),  # D is not a customer on 31 March
        event("F", "2024-03-05T09:00"),  # F never pays
    ],
}


def test_adoption_rate_counts_customers_on_the_last_day(seeded):
    """E = customers on 31 March 2024 = {A, B, C} = 3 (D left on 15 March, F never paid).

    A: events on 3 and 10 March → adopted. B: last event in February → not adopted.
    C: one event on 5 March, before its first paid day (20 March); adoption counts any
    event of the period → adopted. Adopted = 2 → 100 × 2 / 3 = 66.67.
    Seats: users seen A {u1, u2} = 2, B 0, C {u3} = 1 → 3 used of 5 + 10 + 3 = 18 seats
    → seat utilisation 100 × 3 / 18 = 16.67.
    """
    ws = seeded(ADOPTION)
    march = row(ws, "adoption_rate", "2024-03")
    assert (march["adopted_customers"], march["customers_at_end"]) == (2, 3)
    assert march["value"] == pytest.approx(200 / 3)
    assert (march["seats_used"], march["seats_at_end"]) == (3, 18)
    assert march["seat_utilisation"] == pytest.approx(100 * 3 / 18)


def test_adoption_min_days_knob(seeded):
    """adoption_min_days = 2: A has events on 2 days (3 and 10 March) → adopted; C on 1 day
    → not. Adopted = {A} → 100 × 1 / 3 = 33.33."""
    ws = seeded(ADOPTION, adoption_min_days=2)
    march = row(ws, "adoption_rate", "2024-03")
    assert (march["adopted_customers"], march["customers_at_end"]) == (1, 3)
    assert march["value"] == pytest.approx(100 / 3)


def test_adoption_rate_without_customers_has_no_value(seeded):
    """December 2023: E = 0 → no value; January: E = {A, B, D}, no events → 0."""
    ws = seeded(ADOPTION)
    assert values(ws, "adoption_rate", start="2023-12", end="2024-01") == [None, 0]


ACTIVE_DAYS = {
    "subscriptions": [sub("a", "A", "2024-01-01", seats=2)],
    "usage_events": [
        event("A", "2024-01-01T09:00"),
        event("A", "2024-02-10T09:00"),
        event("A", "2024-03-03T09:00"),
        event("A", "2024-03-26T09:00"),
        event("A", "2024-03-27T09:00"),
        event("A", "2024-03-27T17:00", "export_run"),  # a second event on the same day
        event("A", "2024-03-31T23:59"),
    ],
}


@pytest.mark.parametrize(
    ("grain", "min_days", "adopted"),
    [("month", 4, 1), ("month", 5, 0), ("quarter", 6, 1), ("quarter", 7, 0)],
)
def test_active_days_are_distinct_days(seeded, grain, min_days, adopted):
    """Days with an event, customer A (a customer all of 2024).

    March 2024: 3, 26, 27 (two events, one day) and 31 March → 4 days. The quarter adds
    1 January and 10 February → 6 days. Traps for counting with 31-day masks: 26 and 27
    March straddle a bucket boundary (days 19808 and 19809 since 1970, 19809 = 31 × 639),
    and 1 January (day 19723) and 3 March (day 19785) share a bit (both ≡ 7 mod 31) in
    different buckets. Adopted iff days ≥ adoption_min_days.
    """
    ws = seeded(ACTIVE_DAYS, adoption_min_days=min_days)
    r = row(ws, "adoption_rate", "2024-03", grain=grain)
    assert (r["adopted_customers"], r["customers_at_end"]) == (adopted, 1)
    assert r["value"] == 100 * adopted


SESSIONS = {
    "subscriptions": [
        # A: two rows in a row plus an overlapping add-on: still one customer-day a day.
        sub("a1", "A", "2024-01-01", "2024-03-16"),
        sub("a2", "A", "2024-03-16", mrr=150.0),
        sub("a3", "A", "2024-03-05", "2024-03-10", mrr=20.0),
        # B: customer on 11..20 March (valid_to 21 March is exclusive) → 10 customer-days.
        sub("b1", "B", "2024-03-11", "2024-03-21"),
        # Z: a zero-MRR plan all month: no customer-days.
        sub("z1", "Z", "2024-01-01", mrr=0.0),
    ],
    "usage_events": [
        event("A", "2024-03-01T08:00", seconds=600, user="u1"),
        event("A", "2024-03-01T08:00", seconds=1200, user="u2"),
        event("A", "2024-03-31T23:00", seconds=None),  # no duration: 0 minutes
        event("A", "2024-03-02T08:00", "report_created", seconds=3000),  # not a session
        event("A", "2024-04-01T00:00", seconds=6000),  # April
        event("B", "2024-03-05T10:00", seconds=900),  # trial, not a customer day
        event("B", "2024-03-11T10:00", seconds=300),
        event("B", "2024-03-20T23:59", seconds=120),
        event("B", "2024-03-21T10:00", seconds=600),  # valid_to day: not a customer
        event("C", "2024-03-15T10:00", seconds=6000),  # never a customer
        event("Z", "2024-03-15T10:00", seconds=6000),  # MRR 0: not a customer
    ],
}


def test_sessions_per_customer_day(seeded):
    """March 2024. Customer-days: A 31 (rows a1, a2, a3 merge into one spell), B 10
    (11–20 March), Z 0 (MRR 0), C 0 → 41.

    Sessions on customer days: A 3 (two on 1 March, one on 31 March; the report is not a
    session, the 1 April one is April), B 2 (11 and 20 March; 5 and 21 March are not
    customer days), C and Z none → 5. Value = 5 / 41 = 0.12195…
    """
    ws = seeded(SESSIONS)
    march = row(ws, "sessions_per_day", "2024-03")
    assert (march["sessions_on_customer_days"], march["customer_days"]) == (5, 41)
    assert march["value"] == pytest.approx(5 / 41)


def test_time_in_product_per_customer_day(seeded):
    """Minutes of sessions on customer days, March 2024:
    A 600/60 + 1200/60 + 0 (null duration) = 10 + 20 + 0 = 30 (the 3000 s report is not a
    session); B 300/60 + 120/60 = 5 + 2 = 7 → 37 minutes over 41 customer-days = 0.90244…"""
    ws = seeded(SESSIONS)
    march = row(ws, "time_in_product_per_day", "2024-03")
    assert march["session_minutes_on_customer_days"] == pytest.approx(37)
    assert march["customer_days"] == 41
    assert march["value"] == pytest.approx(37 / 41)


def test_sessions_per_day_over_months(seeded):
    """February 2024 (29 days): A alone, 29 customer-days, no sessions → 0.
    April (30 days): A 30 customer-days, the session of 1 April → 1 / 30.
    December 2023: no customer-days → no value."""
    ws = seeded(SESSIONS)
    assert values(ws, "sessions_per_day", start="2023-12", end="2024-04") == pytest.approx(
        [None, 0, 0, 5 / 41, 1 / 30]
    )
    days = ws.metric("sessions_per_day", start="2023-12", end="2024-04")["customer_days"]
    assert days.tolist() == [0, 31, 29, 41, 30]


def test_sessions_per_day_by_iso_week(seeded):
    """Weekly grain, ISO weeks from Monday. Week of Mon 11 March 2024 (11–17 March):
    A 7 customer-days + B 7 (11–17 March) = 14; sessions: B on 11 March → 1 / 14.
    Week of Mon 18 March (18–24): A 7 + B 3 (18–20) = 10; sessions: B on 20 March (the one on
    21 March is after valid_to) → 1 / 10."""
    ws = seeded(SESSIONS)
    weeks = ws.metric("sessions_per_day", grain="week", start="2024-03-11", end="2024-03-24")
    assert weeks["period"].tolist() == [dt.date(2024, 3, 11), dt.date(2024, 3, 18)]
    assert weeks["customer_days"].tolist() == [14, 10]
    assert weeks["sessions_on_customer_days"].tolist() == [1, 1]
    assert weeks["value"].tolist() == pytest.approx([1 / 14, 1 / 10])


def test_churn_grace_bridges_customer_days(seeded):
    """churn_grace_days = 3. B pays 1–10 March and again from 14 March (valid_to 2024-03-11,
    next valid_from 2024-03-14): a 3-day gap (11, 12, 13 March) that counts as covered.
    Customer-days in March: 31 with the grace (10 + 18 = 28 without). A session on 12 March
    now falls on a customer day → 1 / 31 (without the knob: 0 / 28 = 0)."""
    rows = {
        "subscriptions": [sub("b1", "B", "2024-03-01", "2024-03-11"), sub("b2", "B", "2024-03-14")],
        "usage_events": [event("B", "2024-03-12T10:00", seconds=60)],
    }
    graced = row(seeded(rows, churn_grace_days=3), "sessions_per_day", "2024-03")
    assert (graced["sessions_on_customer_days"], graced["customer_days"]) == (1, 31)
    plain = row(seeded(rows), "sessions_per_day", "2024-03")
    assert (plain["sessions_on_customer_days"], plain["customer_days"]) == (0, 28)
