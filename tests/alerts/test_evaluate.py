"""Each rule on crafted accounts (see conftest.crafted for who should cross what)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tandem.alerts.evaluate import evaluate
from tandem.alerts.rules import load_rules
from tandem.service.workspace import Workspace
from tests.alerts.conftest import D


@pytest.fixture(scope="module")
def hits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, str, str]]]:
    """Every hit of the default rules on 2026-03-31, per rule: (account, subject, reason)."""
    import datetime as dt

    from tandem.alerts.rules import write_default_rules
    from tandem.settings import MetricSettings, Settings
    from tests.alerts.conftest import crafted
    from tests.seed import insert

    folder = tmp_path_factory.mktemp("company")
    Workspace.init(folder).close()
    ws = Workspace(
        folder,
        settings=Settings(metrics=MetricSettings(min_survey_responses=0)),
        today=lambda: dt.date(2030, 1, 1),
    )
    for name, rows in crafted().items():
        insert(ws, name, rows)
    write_default_rules(folder)
    with ws.read() as s:
        found = evaluate(s, load_rules(folder), D, ws.settings.health)
    ws.close()
    out: dict[str, list[tuple[str, str, str]]] = {}
    for h in found:
        out.setdefault(h.rule_id, []).append((h.account_id, h.subject, h.reason))
    return out


def test_usage_drop(hits: dict[str, list[tuple[str, str, str]]]) -> None:
    """USAGE: 6 sessions in the 30 days before, 2 in the last 30: (6 − 2) / 6 = 67 %."""
    assert hits["usage-drop"] == [
        ("USAGE", "", "usage fell 67 %: 2 sessions in the last 30 days against 6 in the 30 before")
    ]


def test_detractor_response(hits: dict[str, list[tuple[str, str, str]]]) -> None:
    assert hits["detractor"] == [
        ("DET", "response:v1", 'detractor: NPS 6 on 2026-03-28: "Too many bugs"')
    ]


def test_escalated_ticket(hits: dict[str, list[tuple[str, str, str]]]) -> None:
    assert hits["escalated-ticket"] == [
        ("ESC", "ticket:k1", "ticket k1 (urgent) opened on 2026-03-30 was escalated")
    ]


def test_onboarding_past_due(hits: dict[str, list[tuple[str, str, str]]]) -> None:
    """Started 02-01 with 30 target days: due 03-03; on 03-31 it is 28 days late."""
    assert hits["onboarding-late"] == [
        (
            "LATE",
            "onboarding:b1",
            "onboarding b1 is 28 days past its due date 2026-03-03 and not live",
        )
    ]


def test_renewal_with_low_health(hits: dict[str, list[tuple[str, str, str]]]) -> None:
    """RENEW renews 2026-05-15, 45 days away. Its health: no usage (activity 0, adoption 0),
    tickets 100, escalations 100, contraction 100, renewal 100 × 45/90 = 50, the rest missing:
    (5·100 + 5·100 + 5·100 + 15·50) / (20 + 20 + 5 + 5 + 5 + 15) = 2250 / 70 = 32.1 < 50."""
    assert hits["renewal-at-risk"] == [
        (
            "RENEW",
            "renewal:2026-05-15",
            "renews on 2026-05-15 (in 45 days) with health 32 (below 50, band red)",
        )
    ]


def test_missing_handoff_field(hits: dict[str, list[tuple[str, str, str]]]) -> None:
    assert hits["handoff-incomplete"] == [
        ("HAND", "handoff:h1", "handoff h1 on 2026-03-20 lacks 2 of 10 required fields")
    ]


def test_disabled_rules_and_thresholds(company: Callable[..., Workspace]) -> None:
    """drop_pct 70 spares USAGE (67 %); a disabled rule finds nothing."""
    ws = company()
    (ws.path / "alerts.yml").write_text(
        "rules:\n"
        "  - {id: drop, kind: usage_drop, severity: low, owner: csm, drop_pct: 70}\n"
        "  - {id: det, kind: detractor_response, severity: low, owner: csm, enabled: false}\n"
        "  - {id: drop60, kind: usage_drop, severity: low, owner: csm, drop_pct: 60}\n"
    )
    with ws.read() as s:
        found = evaluate(s, load_rules(ws.path), D, ws.settings.health)
    assert [(h.rule_id, h.account_id) for h in found] == [("drop60", "USAGE")]
