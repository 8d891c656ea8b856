"""Each component, the weights, the missing-data policy and the bands, worked by hand.

The day is 2026-03-31 (d). "The last 30 days" are 2026-03-02 … 03-31; the 30
before are 2026-01-31 … 03-01.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tandem.health import scores
from tandem.health.score import band
from tandem.service.workspace import Workspace
from tandem.settings import HealthSettings, Settings
from tests.seed import Rows, sub

D = dt.date(2026, 3, 31)


def _ev(account: str, user: str, day: str, event: str = "session") -> dict[str, Any]:
    return {"account_id": account, "user_id": user, "ts": f"{day}T10:00:00", "event": event}


def _sessions(account: str, days: list[str]) -> list[dict[str, Any]]:
    return [_ev(account, "u1", day) | {"ts": f"{day}T{10 + i}:00:00"} for i, day in enumerate(days)]


def company() -> Rows:
    """Account A has a value for every component; B only a subscription.

    A: MRR 200 from 2025-05-15, 100 from 2026-02-01 (seats 4).
    B: MRR 50 from 2026-03-01, no other rows.
    """
    return {
        "subscriptions": [
            sub("A", 200, "2025-05-15", "2026-02-01", seats=4),
            sub("A", 100, "2026-02-01", seats=4),
            sub("B", 50, "2026-03-01", seats=2),
        ],
        "usage_events": [
            # 3 sessions in the last 30 days, on 2 days; 5 in the 30 before.
            *_sessions("A", ["2026-03-10", "2026-03-10", "2026-03-31"]),
            *_sessions("A", ["2026-02-01", "2026-02-02", "2026-02-03", "2026-02-04", "2026-03-01"]),
            # A second user in the window, using one of the two key features.
            _ev("A", "u2", "2026-03-10", "report_created"),
            # Outside both windows: not counted.
            *_sessions("A", ["2026-01-30"]),
        ],
        "survey_responses": [
            {"response_id": "r1", "account_id": "A", "survey": "nps", "score": 9,
             "responded_at": "2026-01-10T00:00:00"},
            {"response_id": "r2", "account_id": "A", "survey": "nps", "score": 5,
             "responded_at": "2026-03-01T00:00:00"},
            {"response_id": "r3", "account_id": "A", "survey": "csat", "score": 5,
             "responded_at": "2026-01-05T00:00:00"},
            {"response_id": "r4", "account_id": "A", "survey": "csat", "score": 4,
             "responded_at": "2026-02-05T00:00:00"},
            {"response_id": "r5", "account_id": "A", "survey": "csat", "score": 2,
             "responded_at": "2026-03-05T00:00:00"},
            # 91 days before d: out of the 90-day CSAT lookback.
            {"response_id": "r6", "account_id": "A", "survey": "csat", "score": 1,
             "responded_at": "2025-12-30T00:00:00"},
        ],
        "tickets": [
            # In the 30-day window; escalated within 90 days.
            {"ticket_id": "t1", "account_id": "A", "created_at": "2026-03-20T00:00:00",
             "resolved_at": "2026-03-21T00:00:00", "contacts": 1, "escalated": True},
            # Older but still open on d.
            {"ticket_id": "t2", "account_id": "A", "created_at": "2026-01-01T00:00:00",
             "resolved_at": "2026-04-02T00:00:00", "contacts": 1, "escalated": False},
            # Older and resolved: not counted.
            {"ticket_id": "t3", "account_id": "A", "created_at": "2026-01-01T00:00:00",
             "resolved_at": "2026-01-03T00:00:00", "contacts": 1, "escalated": True},
        ],
        "onboardings": [
            # Due 2026-03-03 (30 days), not live: 28 days past due on d.
            {"onboarding_id": "o1", "account_id": "A", "started_at": "2026-02-01T00:00:00",
             "target_days": 30},
        ],
    }  # fmt: skip


@pytest.fixture
def ws(seeded: Callable[..., Workspace]) -> Workspace:
    w = seeded(company())
    w.settings = Settings(
        metrics=w.settings.metrics,
        health=HealthSettings(key_features=("report_created", "export_run")),
    )
    return w


def _row(ws: Workspace, account: str, day: dt.date = D) -> dict[str, Any]:
    rows = scores(ws, day).rows
    found = rows[rows.account_id == account]
    assert len(found) == 1, rows
    rec: dict[str, Any] = found.iloc[0].to_dict()
    return rec


def test_each_component_by_hand(ws: Workspace) -> None:
    """Sub-scores of A on 2026-03-31:

    usage_trend  100 × (3 + 1) / (5 + 1)               = 66.667
    activity     100 × 2 days / 10 (target)             = 20
    adoption     mean(100 × 2 users / 4 seats, 100 × 1 / 2 key features) = mean(50, 50) = 50
    nps          latest answer 5 (2026-03-01): detractor = 0
    csat         2 of 3 answers ≥ 4 in 90 days          = 66.667
    tickets      t1 in the window + t2 still open = 2:  100 × (1 − 2/5) = 60
    escalations  t1 (t3 is 89 days … no: 2026-01-01 is 89 days before d) → see below
    onboarding   28 days past due: 100 × (1 − 28/30)     = 6.667
    contraction  MRR 100 on d, 200 on 2025-12-31 (d − 90): 100 × 100/200 = 50
    renewal      spell from 2025-05-15, next renewal 2026-05-15 = 45 days: 100 × 45/90 = 50

    Escalations in the last 90 days (2026-01-01 … 03-31): t1 and t3 (created 2026-01-01,
    d − 89): 2 → 100 × (1 − 2/2) = 0.
    """
    r = _row(ws, "A")
    expected = {
        "usage_trend": 400 / 6,
        "activity": 20.0,
        "adoption": 50.0,
        "nps": 0.0,
        "csat": 200 / 3,
        "tickets": 60.0,
        "escalations": 0.0,
        "onboarding": 20 / 3,
        "contraction": 50.0,
        "renewal": 50.0,
    }
    for name, value in expected.items():
        assert r[f"{name}_score"] == pytest.approx(value), name
    assert r["missing"] == ""


def test_score_and_contributions_by_hand(ws: Workspace) -> None:
    """Σ weight × sub-score / Σ weights, default weights (5, 20, 20, 10, 5, 5, 5, 5, 5, 15):

    5 × 66.667 + 20 × 20 + 20 × 50 + 10 × 0 + 5 × 66.667 + 5 × 60 + 5 × 0 + 5 × 6.667
    + 5 × 50 + 15 × 50 = 333.33 + 400 + 1000 + 0 + 333.33 + 300 + 0 + 33.33 + 250 + 750
    = 3400, over 95 = 35.789: red (below 40). Renewal's contribution is 750 / 95 = 7.895.
    """
    r = _row(ws, "A")
    assert r["health_score"] == pytest.approx(3400 / 95)
    assert r["band"] == "red"
    assert r["renewal"] == pytest.approx(750 / 95)
    names = ["usage_trend", "activity", "adoption", "nps", "csat", "tickets", "escalations",
             "onboarding", "contraction", "renewal"]  # fmt: skip
    assert sum(r[n] for n in names) == pytest.approx(r["health_score"])


def test_missing_components_are_left_out_and_the_rest_renormalised(ws: Workspace) -> None:
    """B (customer since 2026-03-01, nothing else) on 2026-03-31:

    usage_trend missing (no session in either window); activity 0 and adoption 0 (the
    workspace has usage, B none: 0 users / 2 seats, 0 / 2 features); nps, csat missing
    (no answer); tickets 100 and escalations 100 (the workspace has tickets, B none);
    onboarding missing (none); contraction missing (not a customer on 2025-12-31);
    renewal 100 (next renewal 2027-03-01, 335 days away).
    Present weights: 20 + 20 + 5 + 5 + 15 = 65.
    Score = (5 × 100 + 5 × 100 + 15 × 100) / 65 = 2500 / 65 = 38.46; tickets' points 500/65.
    """
    r = _row(ws, "B")
    assert r["missing"] == "usage_trend,nps,csat,onboarding,contraction"
    assert r["health_score"] == pytest.approx(2500 / 65)
    assert r["tickets"] == pytest.approx(500 / 65)
    assert r["nps"] != r["nps"]  # NaN: no contribution, not a zero one
    assert r["activity"] == 0.0


def test_a_component_without_data_in_the_workspace_is_missing_for_everyone(
    seeded: Callable[..., Workspace],
) -> None:
    """No tickets at all: tickets and escalations are missing, not a perfect 100.

    C pays from 2026-01-01 and logs in on 2026-03-31 only: trend 100 × (1+1)/(0+1) → 100;
    activity 100 × 1/10 = 10; adoption: no seats, and the workspace's only event is a
    session so there are no key features: missing. Renewal 2027-01-01, 276 days: 100.
    Contraction missing (not a customer 90 days before). Score = (5 × 100 + 20 × 10
    + 15 × 100) / (5 + 20 + 15) = 2200 / 40 = 55.
    """
    w = seeded(
        {
            "subscriptions": [sub("C", 10, "2026-01-01")],
            "usage_events": _sessions("C", ["2026-03-31"]),
        }
    )
    r = _row(w, "C")
    assert r["missing"] == "adoption,nps,csat,tickets,escalations,onboarding,contraction"
    assert r["health_score"] == pytest.approx(55.0)


def test_month_to_month_accounts_have_no_renewal(seeded: Callable[..., Workspace]) -> None:
    """With renewal deals in the workspace, an account past its first term without one pays
    month to month (renewal missing); one with a renewal deal created by the day is on term
    contracts; a deal created after the day does not count yet."""
    deal = {"type": "renewal", "outcome": "won", "qualified": True}
    w = seeded(
        {
            "subscriptions": [sub("M", 10, "2024-01-10"), sub("T", 10, "2024-01-10"),
                              sub("L", 10, "2024-01-10")],
            "deals": [
                {"deal_id": "d1", "account_id": "T", "created_at": "2025-11-10T00:00:00"} | deal,
                {"deal_id": "d2", "account_id": "L", "created_at": "2026-04-01T00:00:00"} | deal,
            ],
        }
    )  # fmt: skip
    rows = scores(w, D).rows.set_index("account_id")
    assert "renewal" in rows.loc["M", "missing"].split(",")
    assert "renewal" in rows.loc["L", "missing"].split(",")
    # T: next anniversary of 2024-01-10 after d is 2027-01-10, 285 days away → 100.
    assert rows.loc["T", "renewal_score"] == pytest.approx(100.0)
    assert rows.loc["T", "days_to_renewal"] == 285


def test_only_customers_on_the_day_are_scored(seeded: Callable[..., Workspace]) -> None:
    w = seeded(
        {"subscriptions": [sub("X", 10, "2026-01-01", "2026-03-31"), sub("Y", 0, "2026-01-01")]}
    )
    assert scores(w, D).rows.empty
    assert list(scores(w, dt.date(2026, 3, 30)).rows.account_id) == ["X"]


def test_bands_and_weights_from_settings(ws: Workspace) -> None:
    """Only NPS weighted: A's score is its NPS sub-score, 0; B has no NPS, so no score."""
    weights = {f"weight_{n}": 0 for n in HealthSettings().weights()}
    ws.settings = Settings(health=HealthSettings(**(weights | {"weight_nps": 10})))
    rows = scores(ws, D).rows.set_index("account_id")
    assert rows.loc["A", "health_score"] == 0.0
    assert rows.loc["B", "health_score"] != rows.loc["B", "health_score"]
    assert rows.loc["B", "band"] == "none"
    assert list(rows.index) == ["A", "B"]  # worst first, no score last
    knobs = HealthSettings(red_below=40, green_from=70)
    assert [band(x, knobs) for x in (39.99, 40, 69.99, 70)] == ["red", "amber", "amber", "green"]


def test_bands_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="red_below must not be above green_from"):
        HealthSettings(red_below=80, green_from=70)


def test_purchases_component_is_p_alive_and_missing_without_a_prediction() -> None:
    """purchases = 100 × P(alive): 0.25 → 25; an account without orders (no prediction)
    has no sub-score, so its weight goes to the others."""
    import pandas as pd

    from tandem.health.components import BY_NAME
    from tandem.settings import HealthSettings

    facts = pd.DataFrame({"as_of_day": [1, 1], "p_alive": [0.25, float("nan")]})
    got = BY_NAME["purchases"].formula(facts, HealthSettings()).tolist()
    assert got[0] == 25.0 and got[1] != got[1]
    without = pd.DataFrame({"as_of_day": [1]})
    assert BY_NAME["purchases"].formula(without, HealthSettings()).isna().all()
