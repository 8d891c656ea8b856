"""Subscription rows turned into the events a CSM reads, classified as SPEC's MRR movements."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
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


def test_an_onboarding_without_its_own_target_takes_the_catalogs(tmp_path: Path) -> None:
    """As the onboarding metrics do: the segment's knob (Enterprise 45 days), else
    ``onboarding_target_days`` (20 here). A4 (Enterprise) started 2026-08-01 and is not
    live: due 2026-09-15, overdue on 2026-10-15. A2 (SMB) took 2025-06-01 → 2025-07-01,
    30 days against 20: late. A1 keeps its own 30 days (live in 20: on time)."""
    from tandem.accounts.timeline import account_story
    from tandem.service.workspace import Workspace
    from tests.company import TODAY, make_workspace

    path = make_workspace(tmp_path)
    toml = path / "tandem.toml"
    text = toml.read_text(encoding="utf-8")
    for old, new in (
        ("onboarding_target_days = 30", "onboarding_target_days = 20"),
        (
            "onboarding_target_days_by_segment = {}",
            "onboarding_target_days_by_segment = { Enterprise = 45 }",
        ),
    ):
        assert old in text
        text = text.replace(old, new)
    toml.write_text(text, encoding="utf-8")
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "onboardings.csv").write_text(
        "onboarding_id,account_id,started_at,target_days,go_live_at,status\n"
        "B4,A4,2026-08-01T00:00:00Z,,,in_progress\n"
        "B2,A2,2025-06-01T00:00:00Z,,2025-07-01T00:00:00Z,live\n",
        encoding="utf-8",
    )
    with Workspace(path, today=lambda: TODAY) as ws:
        ws.load([extra])
        with ws.read() as s:
            a4 = account_story(s, "A4", TODAY)
            a2 = account_story(s, "A2", TODAY)
            a1 = account_story(s, "A1", TODAY)
    (b4,) = a4.onboardings
    assert (b4["target_days"], b4["target_source"], b4["due"], b4["late"]) == (
        45,
        "settings",
        D(2026, 9, 15),
        True,
    )
    assert ("Onboarding overdue", D(2026, 9, 15)) in [(e.title, e.day) for e in a4.events]
    (b2,) = a2.onboardings
    assert (b2["target_days"], b2["days"], b2["late"]) == (20, 30, True)
    started = next(e for e in a2.events if e.title == "Onboarding started")
    assert started.detail == "target 20 days (the default in settings)"
    (b1,) = a1.onboardings
    assert (b1["target_days"], b1["target_source"], b1["days"], b1["late"]) == (
        30,
        "onboarding",
        20,
        False,
    )
