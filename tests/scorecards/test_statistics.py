"""Intervals and significance tests, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from tandem.scorecards import statistics as st

Z = 1.959963984540054


def test_nps_interval() -> None:
    """3 promoters, 1 passive, 1 detractor: p = 0.6, d = 0.2, NPS = 40.

    variance = (0.6 + 0.2 − 0.4²) / 5 = 0.128, SE = 100 × √0.128 = 35.7771;
    40 ± 1.96 × 35.7771 = [−30.12, 110.12], clipped to [−30.12, 100].
    """
    ci = st.nps_interval(3, 1, 5)
    assert ci is not None
    assert ci.low == pytest.approx(40 - Z * 100 * math.sqrt(0.128))
    assert ci.low == pytest.approx(-30.1218, abs=1e-4)
    assert ci.high == 100.0
    assert st.nps_interval(0, 0, 0) is None


def test_nps_change_z_test() -> None:
    """Before: 20 promoters, 20 detractors of 100 (NPS 0, variance 0.4 / 100 = 0.004).
    After: 50 promoters, 10 detractors of 100 (NPS 40, variance (0.6 − 0.16) / 100 = 0.0044).
    z = 0.4 / √0.0084 = 4.3644; two-sided p = 1.275e-5.
    """
    change = st.nps_change((20, 20, 100), (50, 10, 100))
    assert change is not None
    assert change.significant
    assert change.p_value == pytest.approx(2 * 0.5 * math.erfc(4.364357804719847 / math.sqrt(2)))
    assert change.p_value == pytest.approx(1.275e-5, rel=1e-2)
    small = st.nps_change((2, 1, 5), (3, 1, 5))
    assert small is not None and not small.significant
    assert st.nps_change((0, 0, 0), (3, 1, 5)) is None


def test_csat_wilson_interval() -> None:
    """8 satisfied of 10: centre (0.8 + z²/20) / (1 + z²/10) = 0.716754,
    half-width z √(0.016 + z²/400) / (1 + z²/10) = 0.226577 → [49.02, 94.33]."""
    ci = st.csat_interval(8, 10)
    assert ci is not None
    z2 = Z * Z
    centre = (0.8 + z2 / 20) / (1 + z2 / 10)
    half = Z * math.sqrt(0.8 * 0.2 / 10 + z2 / 400) / (1 + z2 / 10)
    assert ci.low == pytest.approx(100 * (centre - half))
    assert ci.high == pytest.approx(100 * (centre + half))
    assert (round(ci.low, 2), round(ci.high, 2)) == (49.02, 94.33)
    assert ci.method == "Wilson score interval"


def test_csat_two_proportion_test() -> None:
    """40 of 100 then 60 of 100: pooled 0.5, SE √(0.25 × 0.02) = 0.070711, z = 2.828427,
    p = 0.004678."""
    change = st.csat_change((40, 100), (60, 100))
    assert change is not None and change.significant
    assert change.p_value == pytest.approx(0.004678, abs=1e-6)
    same = st.csat_change((40, 100), (42, 100))
    assert same is not None and not same.significant
    assert st.csat_change((10, 10), (10, 10)) is None  # no spread, no verdict


def test_ces_t_interval() -> None:
    """Scores 3, 4, 5, 6, 7: mean 5, Σx² = 135, s² = (135 − 125) / 4 = 2.5;
    t(0.975, 4) = 2.776445 (tables); half-width 2.776445 × √(2.5 / 5) = 1.963243."""
    ci = st.ces_interval(5.0, 135.0, 5)
    assert ci is not None
    assert ci.low == pytest.approx(5 - 2.776445 * math.sqrt(0.5), abs=1e-5)
    assert ci.high == pytest.approx(6.963243, abs=1e-5)
    assert st.ces_interval(5.0, 25.0, 1) is None


def test_ces_welch_test() -> None:
    """Before 1, 2, 3 (mean 2, s² 1, Σx² 14); after 5, 6, 7 (mean 6, s² 1, Σx² 110).
    t = 4 / √(1/3 + 1/3) = 4.898979 with 4 degrees of freedom (Welch–Satterthwaite).
    With 4 degrees of freedom the t distribution has a closed form: x = t / √(t² + 4),
    two-sided p = 1 − x (1 + (1 − x²) / 2) = 0.008050."""
    change = st.ces_change((2.0, 14.0, 3), (6.0, 110.0, 3))
    assert change is not None and change.significant
    t = 4 / math.sqrt(2 / 3)
    x = t / math.sqrt(t * t + 4)
    assert change.p_value == pytest.approx(1 - x * (1 + (1 - x * x) / 2), rel=1e-6)
    assert change.test == "Welch's t-test"
