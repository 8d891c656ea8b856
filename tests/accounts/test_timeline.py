"""Subscription rows turned into the events a CSM reads, classified as SPEC's MRR movements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tandem.accounts.timeline import _category, _subscription_events

D = dt.date


def _row(mrr: float, start: D, end: D | None, plan: str = "Pro") -> dict[str, Any]:
    return {"mrr": mrr, "valid_from": start, "valid_to": end, "plan": plan}


def test_new_expansion_contraction_churn_and_reactivation() -> None:
    rows = [
        _row(100, D(2025, 1, 1), D(2025, 6, 1)),
        _row(150, D(2025, 6, 1), D(2025, 9, 1)),
        _row(120, D(2025, 9, 1), D(2025, 12, 1)),
        _row(120, D(2026, 2, 1), None),  # back after a gap: reactivation
    ]
    events = _subscription_events(rows, as_of=D(2026, 10, 1))
    assert [(e.day, e.kind, e.detail) for e in events] == [
        (D(2025, 1, 1), "new", "MRR 100 on Pro"),
        (D(2025, 6, 1), "expansion", "MRR 100 → 150 on Pro"),
        (D(2025, 9, 1), "contraction", "MRR 150 → 120 on Pro"),
        (D(2025, 12, 1), "churn", "MRR 120 → 0"),
        (D(2026, 2, 1), "reactivation", "MRR 120 on Pro"),
    ]


def test_a_same_price_renewal_and_future_ends() -> None:
    rows = [
        _row(80, D(2025, 1, 1), D(2026, 1, 1), "Basic"),
        _row(80, D(2026, 1, 1), D(2027, 1, 1), "Plus"),
    ]
    events = _subscription_events(rows, as_of=D(2026, 10, 1))
    # The end on 2027-01-01 is after the as-of day: not churn yet.
    assert [(e.kind, e.detail) for e in events] == [
        ("new", "MRR 80 on Basic"),
        ("renewal", "MRR 80 on Plus"),
    ]


def test_two_rows_at_once_add_up() -> None:
    rows = [_row(50, D(2025, 1, 1), None), _row(30, D(2025, 3, 1), None, "Addon")]
    kinds = [(e.kind, e.detail) for e in _subscription_events(rows, as_of=D(2025, 12, 1))]
    assert kinds == [("new", "MRR 50 on Pro"), ("expansion", "MRR 50 → 80 on Addon")]


def test_nps_categories() -> None:
    assert [_category("nps", s) for s in (0, 6, 7, 8, 9, 10)] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
    ]
    assert _category("csat", 5) == ""
