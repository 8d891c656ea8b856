"""Customer survival: lifetimes by the catalog's paid coverage, Kaplan-Meier, log-rank.

The curve is checked three ways: against a curve worked out by hand (ties and
censoring), against lifelines on random data, and the log-rank test against
lifelines (3 groups) and SciPy (2 groups). lifelines is installed for the
tests only (see docs/decisions.md); its pandas deprecation warnings are
silenced around its calls.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import stats

from tandem import Workspace
from tandem.errors import UsageError
from tandem.models.survival import (
    CURVE_COLUMNS,
    SurvivalRequest,
    kaplan_meier,
    lifetimes,
    logrank,
    survival,
)
from tandem.settings import MetricSettings
from tests.models.conftest import TODAY, tables


def _lifelines() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import lifelines
        import lifelines.statistics
    return lifelines


def test_hand_worked_curve_with_ties_and_censoring() -> None:
    """Eight lifetimes (days; + = censored): 3, 3, 3+, 5, 7+, 8, 8+, 10.

    t    n  d  c  S
    3    8  2  1  1 − 2/8 = 0.75        (the one censored at 3 is at risk at 3)
    5    5  1  0  0.75 × 4/5 = 0.6
    7    4  0  1  0.6
    8    3  1  1  0.6 × 2/3 = 0.4       → median 8 (first S ≤ 0.5)
    10   1  1  0  0

    Band at t = 3 on the log(−log) scale: Greenwood's Σ d/(n(n−d)) = 2/48 =
    0.041667; over (ln 0.75)² = 0.082761 → 0.503460, root 0.709549, × 1.959964
    = 1.390676; limits 0.75^e^(+1.390676) = 0.75^4.01763 = 0.31481 and
    0.75^e^(−1.390676) = 0.75^0.24890 = 0.93090. At t = 5: Σ = 0.041667 + 1/20
    = 0.091667, over (ln 0.6)² = 0.260943 → 0.351290, root 0.592697 × 1.959964 =
    1.161665; limits 0.6^3.19511 = 0.19549 and 0.6^0.312978 = 0.85225.
    """
    days = np.array([3, 3, 3, 5, 7, 8, 8, 10])
    churned = np.array([1, 1, 0, 1, 0, 1, 0, 1], dtype=bool)
    curve = kaplan_meier(days, churned)
    rows = curve.rows.to_pydict()
    assert tuple(rows) == CURVE_COLUMNS
    assert rows["days"] == [0, 3, 5, 7, 8, 10]
    assert rows["at_risk"] == [8, 8, 5, 4, 3, 1]
    assert rows["events"] == [0, 2, 1, 0, 1, 1]
    assert rows["censored"] == [0, 1, 0, 1, 1, 0]
    assert rows["survival"] == pytest.approx([1, 0.75, 0.6, 0.6, 0.4, 0.0], abs=1e-12)
    assert rows["ci_lower"][1:3] == pytest.approx([0.31481, 0.19549], abs=1e-5)
    assert rows["ci_upper"][1:3] == pytest.approx([0.93090, 0.85225], abs=1e-5)
    assert (rows["ci_lower"][-1], rows["ci_upper"][-1]) == (0.0, 0.0)  # S = 0, as lifelines
    assert curve.median_days == 8
    assert (curve.customers, curve.churned) == (8, 5)


def test_curve_matches_lifelines() -> None:
    rng = np.random.default_rng(5)
    days = rng.integers(1, 60, 2000).astype(float)  # many ties
    churned = rng.random(2000) < 0.6
    curve = kaplan_meier(days, churned).rows.to_pandas().set_index("days")
    km = _lifelines().KaplanMeierFitter().fit(days, churned)
    theirs = km.survival_function_.join(km.confidence_interval_).join(km.event_table)
    assert list(curve.index) == list(theirs.index)
    assert curve.survival.to_numpy() == pytest.approx(theirs.KM_estimate.to_numpy(), abs=1e-12)
    for ours, col in (
        ("ci_lower", "KM_estimate_lower_0.95"),
        ("ci_upper", "KM_estimate_upper_0.95"),
    ):
        assert curve[ours].to_numpy() == pytest.approx(theirs[col].to_numpy(), abs=1e-10)
    assert curve.at_risk.to_numpy()[1:] == pytest.approx(theirs.at_risk.to_numpy()[1:])
    assert curve.events.to_numpy() == pytest.approx(theirs.observed.to_numpy())
    assert kaplan_meier(days, churned).median_days == km.median_survival_time_


def test_logrank_matches_lifelines_and_scipy() -> None:
    rng = np.random.default_rng(8)
    codes = rng.integers(0, 3, 900)
    days = np.ceil(rng.exponential(30 + 8 * codes)).astype(float)
    churned = rng.random(900) < 0.8
    ours = logrank(days, churned, codes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _lifelines().statistics.multivariate_logrank_test(days, codes, churned)
    assert ours.statistic == pytest.approx(theirs.test_statistic, rel=1e-10)
    assert ours.p_value == pytest.approx(theirs.p_value, rel=1e-8)
    assert ours.degrees_of_freedom == 2
    two = codes < 2
    sample = [
        stats.CensoredData(
            uncensored=days[(codes == g) & churned], right=days[(codes == g) & ~churned]
        )
        for g in (0, 1)
    ]
    pair = logrank(days[two], churned[two], codes[two])
    assert pair.p_value == pytest.approx(stats.logrank(*sample).pvalue, rel=1e-8)


AS_OF = dt.date(2024, 6, 30)

SUBSCRIPTIONS = [
    # A: paid 1 Jan to 29 Feb (first unpaid day 1 Mar): 31 + 29 = 60 days, churned.
    ("A", "2024-01-01", "2024-03-01", 100.0),
    # B: a 4-day gap (1-4 Feb), then back: churn at 31 days without grace; bridged with 7.
    ("B", "2024-01-01", "2024-02-01", 100.0),
    ("B", "2024-02-05", None, 100.0),
    # C: a free plan first (not paid coverage), paid from 1 Feb, still paying.
    ("C", "2024-01-01", "2024-02-01", 0.0),
    ("C", "2024-02-01", None, 50.0),
    # D: paid 1 Mar to 27 Jun (119 days); first unpaid day 28 Jun, 3 days before the as-of date.
    ("D", "2024-03-01", "2024-06-28", 80.0),
    # E: starts after the as-of date: not yet a customer.
    ("E", "2024-07-15", None, 80.0),
    # F: runs past the as-of date: censored at 1 Jul − 1 May = 61 days.
    ("F", "2024-05-01", "2024-09-01", 80.0),
]


def _subs() -> list[dict[str, Any]]:
    return [
        {
            "subscription_id": f"s{i}",
            "account_id": a,
            "mrr": m,
            "valid_from": f,
            "valid_to": t or "",
        }
        for i, (a, f, t, m) in enumerate(SUBSCRIPTIONS)
    ]


@pytest.mark.parametrize(
    ("grace", "expected"),
    [
        # B churns at 31; C censored at 1 Jul − 1 Feb = 151; D churned (lapse of 3 days > 0).
        (
            0,
            {
                "A": (60, True),
                "B": (31, True),
                "C": (151, False),
                "D": (119, True),
                "F": (61, False),
            },
        ),
        # B bridged: censored at 1 Jul − 1 Jan = 182; D's 3-day lapse is within 7: censored.
        (
            7,
            {
                "A": (60, True),
                "B": (182, False),
                "C": (151, False),
                "D": (119, False),
                "F": (61, False),
            },
        ),
    ],
)
def test_lifetimes_follow_paid_coverage(
    workspace: Callable[..., Workspace], grace: int, expected: dict[str, tuple[int, bool]]
) -> None:
    ws = workspace({"subscriptions": _subs()})
    life = lifetimes(tables(ws).subscriptions, MetricSettings(churn_grace_days=grace), AS_OF)
    got = {
        a: (int(d), bool(c))
        for a, d, c in zip(life.account_id, life.days, life.churned, strict=True)
    }
    assert got == expected


def test_grace_comes_from_the_workspace_settings(workspace: Callable[..., Workspace]) -> None:
    ws = workspace({"subscriptions": _subs()}, metrics={"churn_grace_days": 7})
    assert ws.settings.metrics.churn_grace_days == 7
    result = survival(
        tables(ws).subscriptions, ws.settings.metrics, SurvivalRequest(AS_OF), today=TODAY
    )
    assert result.churn_grace_days == 7
    assert result.curves[0].churned == 1  # only A


def test_by_segment_and_cohort(workspace: Callable[..., Workspace]) -> None:
    accounts = [
        {"account_id": a, "name": a, "created_at": "2024-01-01", "segment": s}
        for a, s in (
            ("A", "SMB"),
            ("B", "SMB"),
            ("C", "Enterprise"),
            ("D", "Enterprise"),
            ("E", "SMB"),
            ("F", ""),
        )
    ]
    ws = workspace({"accounts": accounts, "subscriptions": _subs()})
    t = tables(ws)
    knobs = MetricSettings()
    by_segment = survival(
        t.subscriptions, knobs, SurvivalRequest(AS_OF, "segment"), today=TODAY, accounts=t.accounts
    )
    assert [(c.group, c.customers, c.churned) for c in by_segment.curves] == [
        ("Enterprise", 2, 1),
        ("SMB", 2, 2),
        (None, 1, 0),
    ]
    assert by_segment.logrank is not None and by_segment.logrank.degrees_of_freedom == 2
    cohorts = survival(
        t.subscriptions, knobs, SurvivalRequest(AS_OF, "cohort"), today=TODAY, accounts=t.accounts
    )
    # Cohort = month of the first paid day: A, B in January; C in February; D in March; F in May.
    assert [(c.group, c.customers) for c in cohorts.curves] == [
        ("2024-01", 2),
        ("2024-02", 1),
        ("2024-03", 1),
        ("2024-05", 1),
    ]


def test_unknown_dimension_and_empty_data(workspace: Callable[..., Workspace]) -> None:
    ws = workspace({"subscriptions": _subs()})
    t = tables(ws)
    with pytest.raises(
        UsageError, match="unknown dimension 'segmnt' \\(did you mean 'segment'\\?\\)"
    ):
        survival(
            t.subscriptions,
            MetricSettings(),
            SurvivalRequest(AS_OF, "segmnt"),
            today=TODAY,
            accounts=t.accounts,
        )
    with pytest.raises(UsageError, match="no account had paid coverage on or before 2023-12-31"):
        survival(
            t.subscriptions, MetricSettings(), SurvivalRequest(dt.date(2023, 12, 31)), today=TODAY
        )


def test_default_as_of_is_the_last_day_with_data(workspace: Callable[..., Workspace]) -> None:
    """The latest valid_from or valid_to is 1 Sep 2024 (F's end)."""
    ws = workspace({"subscriptions": _subs()})
    result = survival(tables(ws).subscriptions, MetricSettings(), SurvivalRequest(), today=TODAY)
    assert result.as_of == dt.date(2024, 9, 1)
