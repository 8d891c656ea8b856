"""The back-test: AUC by the Mann-Whitney route, churn labels from paid coverage, bands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tandem.health.backtest import auc, backtest, evaluate
from tandem.service.workspace import Workspace
from tests.seed import sub


def test_auc_counts_ordered_pairs_and_halves_ties() -> None:
    """Churners' risks {0.9, 0.3}, stayers' {0.8, 0.1}: of the 4 pairs, the churner is riskier
    in 3 (0.9>0.8, 0.9>0.1, 0.3>0.1) → 0.75. All tied → 0.5. One class empty → None."""
    assert auc(np.array([0.9, 0.8, 0.3, 0.1]), np.array([1, 0, 1, 0])) == pytest.approx(0.75)
    assert auc(np.array([1.0, 1.0, 1.0]), np.array([1, 0, 0])) == pytest.approx(0.5)
    assert auc(np.array([1.0, 2.0]), np.array([0, 0])) is None


def test_evaluate_labels_churn_within_the_horizon() -> None:
    """Day 100, horizon 90: a spell ending on day 190 (first unpaid day) is churn, 191 is not.
    Scores 10 (red, churned), 50 (amber, stayed), 80 (green, churned), 90 (green, stayed):
    AUC pairs churner riskier: (10 vs 50) yes, (10 vs 90) yes, (80 vs 50) no, (80 vs 90) yes
    → 3/4. Churn rates: red 1/1, amber 0/1, green 1/2 → red / green = 2."""
    rows = pd.DataFrame(
        {
            "as_of_day": [100, 100, 100, 100],
            "spell_end": [190, 191, 150, 10_000_000],
            "health_score": [10.0, 50.0, 80.0, 90.0],
            "band": ["red", "amber", "green", "green"],
        }
    )
    for c in ("usage_trend", "activity", "adoption", "nps", "csat", "tickets", "escalations",
              "onboarding", "contraction", "renewal"):  # fmt: skip
        rows[f"{c}_score"] = rows.health_score
    b = evaluate(rows, [dt.date(1970, 4, 11)], 90)
    assert b.auc == pytest.approx(0.75)
    assert [(x.band, x.account_days, x.churned) for x in b.bands] == [
        ("red", 1, 1),
        ("amber", 1, 0),
        ("green", 2, 1),
    ]
    assert b.red_to_green == pytest.approx(2.0)


def test_backtest_on_a_small_demo_company(tmp_path: Path) -> None:
    """A cheap run of the real thing: 400 accounts over 12 months. The score must beat a coin
    clearly and red must churn more than green (docs/health.md has the full-size figures)."""
    from tandem.synth import SynthConfig, generate

    generate(SynthConfig(accounts=400, months=12, seed=3), tmp_path / "data")
    ws = Workspace.init(tmp_path / "ws")
    ws.load([tmp_path / "data"])
    result = backtest(ws)
    ws.close()
    assert result.account_days > 500
    assert result.auc is not None and result.auc > 0.65
    rates = {b.band: b.churn_rate for b in result.bands}
    assert rates["red"] is not None and rates["green"] is not None
    assert rates["red"] > 2 * rates["green"]


def test_backtest_needs_data(seeded: Callable[..., Workspace]) -> None:
    from tandem.errors import UsageError

    with pytest.raises(UsageError, match="no data to back-test on"):
        backtest(seeded({"subscriptions": [sub("A", 10, "2026-01-01")]}))
