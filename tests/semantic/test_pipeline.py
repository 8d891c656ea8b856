"""Winning and growing business: win rates, bookings, repeat purchases, pilots, free-to-paid.

Deals count in the month of closed_at; open deals count nowhere. Whole days between two
instants are the difference of their UTC dates.
"""

from __future__ import annotations

import pytest

from tests.seed import row, values


def deal(
    did: str,
    kind: str,
    outcome: str,
    closed: str | None,
    *,
    qualified: bool = True,
    amount: float | None = 100.0,
    account: str = "A",
):
    return {
        "deal_id": did,
        "account_id": account,
        "type": kind,
        "outcome": outcome,
        "created_at": "2024-01-15",
        "closed_at": closed,
        "qualified": qualified,
        "amount": amount,
    }


DEALS = {
    "deals": [
        deal("d1", "new_business", "won", "2024-03-05", amount=9999.0),
        deal("d2", "new_business", "lost", "2024-03-06"),
        deal("d3", "upsell", "won", "2024-03-07", amount=1000.0),
        deal("d4", "cross_sell", "lost", "2024-03-08"),
        deal("d5", "upsell", "won", "2024-03-09", qualified=False, amount=500.0),
        deal("d6", "renewal", "won", "2024-03-10", amount=2000.0),
        deal("d7", "new_business", "open", None),
        deal("d8", "upsell", "won", "2024-04-01T00:00", amount=700.0),
        deal("d9", "cross_sell", "won", "2024-03-31T23:00", amount=300.0),
        deal("d10", "upsell", "lost", "2024-03-12"),
        deal("d11", "upsell", "open", "2024-03-15"),  # open with a date: still not closed
        deal("d12", "upsell", "won", "2024-03-20", amount=None),
        deal("d13", "renewal", "lost", "2024-03-21", amount=4000.0),
    ]
}


def test_win_rate_counts_qualified_closed_deals(seeded):
    """Qualified deals closed (won or lost) in March 2024:
    d1 won, d2 lost, d3 won, d4 lost, d6 won, d9 won (31 Mar 23:00), d10 lost, d12 won,
    d13 lost → 9 closed, 5 won → 100 × 5 / 9 = 55.56.
    Not counted: d5 (unqualified), d7 and d11 (open), d8 (closed 1 April).
    """
    ws = seeded(DEALS)
    march = row(ws, "win_rate", "2024-03")
    assert (march["qualified_won"], march["qualified_closed"]) == (5, 9)
    assert march["value"] == pytest.approx(500 / 9)


def test_expansion_win_rate_counts_upsells_and_cross_sells(seeded):
    """Qualified upsell / cross-sell deals closed in March 2024: d3 won, d4 lost, d9 won,
    d10 lost, d12 won → 3 of 5 → 60. (d5 is unqualified, d11 open, d8 April; renewals and
    new business are not expansion.)"""
    ws = seeded(DEALS)
    march = row(ws, "expansion_win_rate", "2024-03")
    assert (march["qualified_expansion_won"], march["qualified_expansion_closed"]) == (3, 5)
    assert march["value"] == 60


def test_expansion_bookings_and_upsell_count(seeded):
    """Won upsell, cross-sell and renewal deals closed in March 2024, qualified or not:
    d3 1000 + d5 500 + d6 2000 + d9 300 + d12 (no amount: 0) = 3800. Not: d1 (new business),
    d13 (renewal lost), d8 (April), d11 (open).
    Won upsells and cross-sells in March: d3, d5, d9, d12 = 4 (the renewal d6 is not one).
    April: d8 → bookings 700, 1 upsell. February: nothing → 0 and 0 (sums and counts).
    """
    ws = seeded(DEALS)
    assert row(ws, "expansion_bookings", "2024-03")["value"] == 3800
    assert row(ws, "upsells_cross_sells", "2024-03")["value"] == 4
    assert values(ws, "expansion_bookings", start="2024-02", end="2024-04") == [0, 3800, 700]
    assert values(ws, "upsells_cross_sells", start="2024-02", end="2024-04") == [0, 4, 1]


def test_win_rate_without_closed_deals_has_no_value(seeded):
    """February 2024: no deal closed → no win rate, no expansion win rate, counts 0."""
    ws = seeded(DEALS)
    feb = row(ws, "win_rate", "2024-02")
    assert (feb["value"], feb["qualified_won"], feb["qualified_closed"]) == (None, 0, 0)
    assert row(ws, "expansion_win_rate", "2024-02")["value"] is None


def test_upsells_by_segment_add_up(seeded):
    """Won upsells and cross-sells in March 2024 by account segment:
    Enterprise (E): d3, d9 → 2; SMB (S): d5 → 1; no segment (N): d12 → 1. Sum 4 = overall.
    Bookings: Enterprise 1000 + 300 + renewal d6 2000 = 3300, SMB 500, none 0 → 3800."""
    owner = {"d3": "E", "d6": "E", "d9": "E", "d5": "S", "d12": "N"}
    rows = [{**d, "account_id": owner.get(d["deal_id"], "E")} for d in DEALS["deals"]]
    ws = seeded(
        {
            "accounts": [
                {
                    "account_id": "E",
                    "name": "E",
                    "segment": "Enterprise",
                    "created_at": "2020-01-01",
                },
                {"account_id": "S", "name": "S", "segment": "SMB", "created_at": "2020-01-01"},
                {"account_id": "N", "name": "N", "created_at": "2020-01-01"},
            ],
            "deals": rows,
        }
    )
    cut = ws.metric("upsells_cross_sells", by=["segment"], start="2024-03", end="2024-03")
    by = {
        (r["segment"] if isinstance(r["segment"], str) else None): r["value"]
        for r in cut.to_dict("records")
    }
    assert by == {"Enterprise": 2, "SMB": 1, None: 1}
    assert cut["value"].sum() == row(ws, "upsells_cross_sells", "2024-03")["value"] == 4
    bookings = ws.metric("expansion_bookings", by=["segment"], start="2024-03", end="2024-03")
    assert sorted(bookings["value"].tolist()) == [0, 500, 3300]


def order(oid: str, account: str, at: str):
    return {"order_id": oid, "account_id": account, "ordered_at": at, "amount": 50.0}


def test_repeat_purchase_rate(seeded):
    """Orders: A 1 Mar and 31 Mar 23:59 (2 in March); B 10 Feb and 10 Mar (1 each month);
    C 3 in March; D 2 in February.
    March: purchasers {A, B, C} = 3, repeat {A, C} = 2 → 66.67.
    February: purchasers {B, D}, repeat {D} → 50. April: no orders → no value.
    """
    ws = seeded(
        {
            "orders": [
                order("a1", "A", "2024-03-01"),
                order("a2", "A", "2024-03-31T23:59"),
                order("b1", "B", "2024-02-10"),
                order("b2", "B", "2024-03-10"),
                order("c1", "C", "2024-03-02"),
                order("c2", "C", "2024-03-03"),
                order("c3", "C", "2024-03-04"),
                order("d1", "D", "2024-02-01"),
                order("d2", "D", "2024-02-29T23:00"),
            ]
        }
    )
    march = row(ws, "repeat_purchase_rate", "2024-03")
    assert (march["repeat_purchasing_accounts"], march["purchasing_accounts"]) == (2, 3)
    assert march["value"] == pytest.approx(200 / 3)
    assert values(ws, "repeat_purchase_rate", start="2024-02", end="2024-04") == pytest.approx(
        [50, 200 / 3, None]
    )


def trial(
    tid: str, kind: str, started: str, *, ended: str | None = None, converted: str | None = None
):
    return {
        "trial_id": tid,
        "account_id": tid.upper(),
        "kind": kind,
        "started_at": started,
        "ended_at": ended,
        "converted_at": converted,
    }


PILOTS = {
    "trials": [
        trial("p1", "pilot", "2024-01-10", ended="2024-03-10", converted="2024-03-20"),
        trial("p2", "pilot", "2024-01-10", ended="2024-04-05", converted="2024-03-25"),
        trial("p3", "pilot", "2024-01-10", ended="2024-03-15"),
        trial("p4", "pilot", "2024-01-10", converted="2024-03-03"),
        trial("p5", "pilot", "2024-01-10"),
        trial("p6", "pilot", "2024-01-10", ended="2024-02-28", converted="2024-03-02"),
        trial("p7", "free_trial", "2024-01-10", ended="2024-03-05"),
        trial("p8", "pilot", "2024-01-10", ended="2024-03-31T23:59"),
    ]
}


def test_pilot_success_rate_by_end_date(seeded):
    """A pilot ends at ended_at, or at converted_at when earlier or ended_at is empty.

    p1 ends 10 Mar (converted later, 20 Mar) → March, converted.
    p2 converted 25 Mar before ended_at 5 Apr → ends 25 Mar → March, converted.
    p3 ends 15 Mar, not converted → March. p4 no ended_at, converted 3 Mar → March, converted.
    p5 has neither date → not ended, excluded. p6 ends 28 Feb → February (converted).
    p7 is a free trial, not a pilot. p8 ends 31 Mar 23:59, not converted → March.
    March: 5 ended, 3 converted → 60. February: 1 of 1 → 100. April: none → no value.
    """
    ws = seeded(PILOTS)
    march = row(ws, "pilot_success_rate", "2024-03")
    assert (march["pilots_converted"], march["pilots_ended"]) == (3, 5)
    assert march["value"] == 60
    assert values(ws, "pilot_success_rate", start="2024-02", end="2024-04") == [100, 60, None]


FREE = {
    "trials": [
        trial("f1", "free_trial", "2024-03-01", converted="2024-03-31"),  # 30 days: within
        trial("f2", "free_trial", "2024-03-01", converted="2024-04-01"),  # 31 days: too late
        trial("f3", "freemium", "2024-03-10", converted="2024-03-12"),  # 2 days
        trial("f4", "freemium", "2024-03-15"),  # never converts
        trial("f5", "pilot", "2024-03-01", converted="2024-03-05"),  # pilots are not free starts
        trial("f6", "free_trial", "2024-02-20", converted="2024-03-01"),  # February start
        # 31 Mar 23:00 → 30 Apr 01:00: 30 dates apart (30 days and 2 hours of clock) → within.
        trial("f7", "free_trial", "2024-03-31T23:00", converted="2024-04-30T01:00"),
    ]
}


def test_free_to_paid_conversion_within_30_days(seeded):
    """Free trial and freemium starts in March 2024: f1, f2, f3, f4, f7 = 5 (f5 is a pilot,
    f6 started in February). Converted within 30 days: f1 (30), f3 (2), f7 (30) = 3; f2 took
    31 days, f4 never converted → 100 × 3 / 5 = 60. February: f6 (10 days) → 100."""
    ws = seeded(FREE)
    march = row(ws, "free_to_paid_conversion_rate", "2024-03")
    assert (march["free_converted"], march["free_starts"]) == (3, 5)
    assert march["value"] == 60
    assert values(ws, "free_to_paid_conversion_rate", start="2024-01", end="2024-03") == [
        None,
        100,
        60,
    ]


def test_conversion_window_knob(seeded):
    """conversion_window_days = 31: f2 (31 days) now counts → 4 of 5 = 80.
    conversion_window_days = 2: only f3 (2 days) → 1 of 5 = 20."""
    wide = row(seeded(FREE, conversion_window_days=31), "free_to_paid_conversion_rate", "2024-03")
    assert (wide["free_converted"], wide["value"]) == (4, 80)
    narrow = row(seeded(FREE, conversion_window_days=2), "free_to_paid_conversion_rate", "2024-03")
    assert (narrow["free_converted"], narrow["value"]) == (1, 20)


def test_win_rate_by_quarter(seeded):
    """Quarterly grain. Q1 2024 holds every March deal above: 5 of 9 → 55.56.
    Q2: d8 (qualified upsell won 1 April) → 1 of 1 → 100."""
    ws = seeded(DEALS)
    assert values(ws, "win_rate", grain="quarter", start="2024-01-01", end="2024-06-30") == (
        pytest.approx([500 / 9, 100])
    )


def test_win_rate_by_year(seeded):
    """Yearly grain. 2024: the 9 qualified deals closed in March plus d8 (won, April)
    → 6 won of 10 closed → 60."""
    ws = seeded(DEALS)
    year = ws.metric("win_rate", grain="year", start="2024-01-01", end="2024-12-31")
    assert (year["qualified_won"].tolist(), year["qualified_closed"].tolist()) == ([6], [10])
    assert year["value"].tolist() == [60]
