"""Confidence intervals for survey metrics and tests of their change between periods.

All intervals are 95% two-sided; a change is called significant when its
two-sided p-value is below 0.05.

- **NPS** = 100 × (p − d), p and d the shares of promoters and detractors among n
  responses. Each response scores +1, 0 or −1, so the variance of one response is
  p + d − (p − d)² and the standard error of NPS is 100 × √((p + d − (p − d)²) / n).
  Interval: NPS ± 1.96 × SE (normal approximation), clipped to [−100, 100].
  Change: z = (NPS₁ − NPS₀) / √(SE₀² + SE₁²), two-sided normal p-value.
- **CSAT** = 100 × k / n. Interval: Wilson score interval (scipy's
  ``binomtest(...).proportion_ci(method="wilson")``). Change: two-proportion
  z-test with the pooled share (k₀ + k₁) / (n₀ + n₁).
- **CES** = mean score. Interval: Student's t, mean ± t(0.975, n − 1) × s / √n, with
  s² = (Σx² − n·mean²) / (n − 1) from the ``ces_score_sq_sum`` component. Change:
  Welch's t-test (``scipy.stats.ttest_ind_from_stats``, unequal variances).

A test that cannot be made (a period without responses, or no spread in either
period) gives no verdict rather than a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LEVEL = 0.95
ALPHA = 0.05
_Z = 1.959963984540054  # the 97.5th percentile of the standard normal


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    method: str
    level: float = LEVEL


@dataclass(frozen=True)
class Change:
    test: str
    p_value: float
    significant: bool


def _two_sided(z: float) -> float:
    from scipy.stats import norm

    return float(2 * norm.sf(abs(z)))


# -- NPS ----------------------------------------------------------------------------

NPS_INTERVAL = "normal approximation, variance (p + d − (p − d)²) / n"
NPS_TEST = "two-sample z-test on NPS (promoter minus detractor shares)"


def _nps_parts(promoters: float, detractors: float, n: float) -> tuple[float, float]:
    p, d = promoters / n, detractors / n
    return 100 * (p - d), 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)


def nps_interval(promoters: float, detractors: float, n: float) -> Interval | None:
    if n <= 0:
        return None
    nps, se = _nps_parts(promoters, detractors, n)
    return Interval(max(-100.0, nps - _Z * se), min(100.0, nps + _Z * se), NPS_INTERVAL)


def nps_change(
    before: tuple[float, float, float], after: tuple[float, float, float]
) -> Change | None:
    """``before`` and ``after`` are (promoters, detractors, responses)."""
    if before[2] <= 0 or after[2] <= 0:
        return None
    nps0, se0 = _nps_parts(*before)
    nps1, se1 = _nps_parts(*after)
    spread = math.sqrt(se0**2 + se1**2)
    if spread == 0:
        return None
    p = _two_sided((nps1 - nps0) / spread)
    return Change(NPS_TEST, p, p < ALPHA)


# -- CSAT ---------------------------------------------------------------------------

CSAT_INTERVAL = "Wilson score interval"
CSAT_TEST = "two-proportion z-test (pooled)"


def csat_interval(satisfied: float, n: float) -> Interval | None:
    if n <= 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(round(satisfied), round(n)).proportion_ci(
        confidence_level=LEVEL, method="wilson"
    )
    return Interval(100 * float(ci.low), 100 * float(ci.high), CSAT_INTERVAL)


def csat_change(before: tuple[float, float], after: tuple[float, float]) -> Change | None:
    """``before`` and ``after`` are (satisfied, responses)."""
    (k0, n0), (k1, n1) = before, after
    if n0 <= 0 or n1 <= 0:
        return None
    pooled = (k0 + k1) / (n0 + n1)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    if se == 0:
        return None
    p = _two_sided((k1 / n1 - k0 / n0) / se)
    return Change(CSAT_TEST, p, p < ALPHA)


# -- CES ----------------------------------------------------------------------------

CES_INTERVAL = "Student's t interval"
CES_TEST = "Welch's t-test"


def _variance(mean: float, square_sum: float, n: float) -> float:
    return max(square_sum - n * mean**2, 0.0) / (n - 1)


def ces_interval(mean: float, square_sum: float, n: float) -> Interval | None:
    if n < 2:
        return None
    from scipy.stats import t

    half = float(t.ppf(1 - ALPHA / 2, n - 1)) * math.sqrt(_variance(mean, square_sum, n) / n)
    return Interval(mean - half, mean + half, CES_INTERVAL)


def ces_change(
    before: tuple[float, float, float], after: tuple[float, float, float]
) -> Change | None:
    """``before`` and ``after`` are (mean, sum of squared scores, responses)."""
    if before[2] < 2 or after[2] < 2:
        return None
    from scipy.stats import ttest_ind_from_stats

    v0, v1 = _variance(*before), _variance(*after)
    if v0 == 0 and v1 == 0:
        return None
    result = ttest_ind_from_stats(
        after[0], math.sqrt(v1), after[2], before[0], math.sqrt(v0), before[2], equal_var=False
    )
    p = float(result.pvalue)
    return Change(CES_TEST, p, p < ALPHA)
