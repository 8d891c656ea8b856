"""BG/NBD: the published CDNOW fit, and each formula against numerical integration.

Published figures (Fader, Hardie & Lee 2005, "Counting your customers the easy
way", section 5): on the 2,357 customers of the CDNOW 1/10th sample who made
a first purchase in the first 12 weeks of 1997, calibrated on the 39 weeks to
1997-09-30, r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.

The prediction formulas are checked against their definitions, integrated
over the mixing distributions by another route: λ in closed form (a gamma
integral), p numerically (``scipy.integrate.quad``), so no hypergeometric
function is involved. For a customer with purchase rate λ and
dropout probability p, alive at the end of the history with probability
proportional to (1−p)^x λ^x e^(−λT), the expected purchases in the next t are
(1/p)(1 − e^(−λpt)) (FHL 2005, eq. 7, applied from T on); λ ~ Gamma(r, rate α),
p ~ Beta(a, b).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from scipy.optimize import approx_fprime
from scipy.special import gammaln

from tandem import Workspace
from tandem.models import bgnbd
from tandem.models.transactions import Window, summarise
from tests.models.conftest import lifetimes_file, tables

PUBLISHED = (0.243, 4.414, 0.793, 2.426)


def test_published_parameters_from_the_raw_orders(cdnow: Workspace) -> None:
    customers = summarise(tables(cdnow).orders, Window(dt.date(1997, 9, 30)))
    fit = bgnbd.fit(customers.frequency, customers.recency, customers.age)
    assert fit.customers == 2357
    got = (fit.r, fit.alpha, fit.a, fit.b)
    assert got == pytest.approx(PUBLISHED, abs=6e-4)
    assert round(fit.log_likelihood, 1) == -9582.4


def test_likelihood_at_the_published_parameters() -> None:
    """The authors' own summary of the data (x, t_x, T in weeks, in the lifetimes
    package) at their published parameters gives their published LL."""
    data = pd.read_csv(lifetimes_file("cdnow_customers_summary.csv"))
    x, t_x, T = (data[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    total = bgnbd.log_likelihood(PUBLISHED, x, t_x, T).sum()
    assert round(total, 1) == -9582.4


def _lambda_moment(params: tuple[float, ...], k: int, rate: float) -> float:
    """∫ λ^k e^(−λ·rate) g(λ) dλ = Γ(r+k)/Γ(r) · α^r / (α+rate)^(r+k), the gamma integral."""
    r, alpha, _, _ = params
    return float(
        np.exp(gammaln(r + k) - gammaln(r) + r * np.log(alpha) - (r + k) * np.log(alpha + rate))
    )


def _over_p(params: tuple[float, ...], f: Callable[[float], float]) -> float:
    """∫ f(p) h(p) dp over the Beta(a, b) density, numerically."""
    _, _, a, b = params
    h = stats.beta(a, b)
    value, _ = integrate.quad(
        lambda p: f(p) * h.pdf(p), 0, 1, epsabs=1e-13, epsrel=1e-11, limit=200
    )
    return float(value)


HISTORIES = [(0, 0.0, 20.0), (1, 3.0, 20.0), (4, 18.0, 30.0), (7, 9.5, 40.0)]
PARAMS = [(2.0, 5.0, 1.5, 3.0), (1.3, 4.0, 2.5, 1.2), PUBLISHED]


def _alive(params: tuple[float, ...], x: int, T: float) -> float:
    return _over_p(params, lambda p: (1 - p) ** x) * _lambda_moment(params, x, T)


def _dead(params: tuple[float, ...], x: int, t_x: float) -> float:
    if x == 0:
        return 0.0
    return _over_p(params, lambda p: p * (1 - p) ** (x - 1)) * _lambda_moment(params, x, t_x)


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize(("x", "t_x", "T"), HISTORIES)
def test_likelihood_is_the_mixture_integral(
    params: tuple[float, ...], x: int, t_x: float, T: float
) -> None:
    """L = E[(1−p)^x λ^x e^(−λT) + [x>0] p (1−p)^(x−1) λ^x e^(−λ t_x)] over λ and p."""
    expected = np.log(_alive(params, x, T) + _dead(params, x, t_x))
    got = bgnbd.log_likelihood(params, np.array([x]), np.array([t_x]), np.array([T]))[0]
    assert got == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize(("x", "t_x", "T"), HISTORIES[1:])
def test_p_alive_and_conditional_expectation_are_posterior_means(
    params: tuple[float, ...], x: int, t_x: float, T: float
) -> None:
    """P(alive) = alive / (alive + dead); E[Y(t)] = E[alive-weight · (1/p)(1 − e^(−λpt))]
    / (alive + dead), where λ^x e^(−λT)(1 − e^(−λpt)) integrates over λ to the
    difference of two gamma integrals, at rates T and T + pt."""
    t = 13.0
    alive, dead = _alive(params, x, T), _dead(params, x, t_x)

    def buys(p: float) -> float:
        gap = _lambda_moment(params, x, T) - _lambda_moment(params, x, T + p * t)
        return (1 - p) ** x * gap / p

    model = bgnbd.BGNBD(*params, log_likelihood=0.0, customers=1)
    hx, ht, hT = np.array([float(x)]), np.array([t_x]), np.array([T])
    assert model.p_alive(hx, ht, hT)[0] == pytest.approx(alive / (alive + dead), rel=1e-7)
    want = _over_p(params, buys) / (alive + dead)
    assert model.expected(t, hx, ht, hT)[0] == pytest.approx(want, rel=1e-6)


def test_a_customer_without_repeat_purchase_is_alive() -> None:
    model = bgnbd.BGNBD(*PUBLISHED, log_likelihood=0.0, customers=1)
    assert model.p_alive(np.array([0.0]), np.array([0.0]), np.array([30.0]))[0] == 1.0


@pytest.mark.parametrize("params", PARAMS)
def test_expected_purchases_of_a_new_customer(params: tuple[float, ...]) -> None:
    """E[X(t)] = E[(1/p)(1 − e^(−λpt))], the λ part a gamma integral at rates 0 and pt;
    for a < 1 (CDNOW) too, since the integrand stays below λt as p → 0."""
    model = bgnbd.BGNBD(*params, log_likelihood=0.0, customers=1)
    for t in (1.0, 39.0, 78.0):
        want = _over_p(params, lambda p, t=t: (1 - _lambda_moment(params, 0, p * t)) / p)
        assert model.expected_new(np.array([t]))[0] == pytest.approx(want, rel=1e-7)


def test_gradient_matches_finite_differences() -> None:
    data = pd.read_csv(lifetimes_file("cdnow_customers_summary.csv"))
    x, t_x, T = (data[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    theta = np.log([0.5, 3.0, 1.2, 1.7])
    _, grad = bgnbd.total_and_gradient(theta, x, t_x, T)
    numeric = approx_fprime(theta, lambda v: bgnbd.total_and_gradient(v, x, t_x, T)[0], 1e-7)
    assert grad == pytest.approx(numeric, rel=1e-4)


def test_distinct_histories() -> None:
    """Rows (1, 2, 3), (0, 0, 5), (1, 2, 3), (1, 2, 4): three distinct, the first twice."""
    x, t_x, T = np.array([1.0, 0, 1, 1]), np.array([2.0, 0, 2, 2]), np.array([3.0, 5, 3, 4])
    (ux, ut, uT), counts, back = bgnbd.distinct(x, t_x, T)
    assert list(zip(ux, ut, uT, counts, strict=True)) == [(0, 0, 5, 1), (1, 2, 3, 2), (1, 2, 4, 1)]
    assert list(back) == [1, 0, 1, 2]


def test_fit_on_distinct_histories_equals_the_fit_on_customers() -> None:
    """The authors' CDNOW summary has 2,357 customers but fewer distinct histories; the
    weighted likelihood at any parameters equals the sum over customers."""
    data = pd.read_csv(lifetimes_file("cdnow_customers_summary.csv"))
    x, t_x, T = (data[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    (ux, ut, uT), counts, _ = bgnbd.distinct(x, t_x, T)
    assert len(ux) < len(x) and counts.sum() == len(x)
    theta = np.log([0.5, 3.0, 1.2, 1.7])
    whole = bgnbd.total_and_gradient(theta, x, t_x, T)
    grouped = bgnbd.total_and_gradient(theta, ux, ut, uT, counts.astype(float))
    assert grouped[0] == pytest.approx(whole[0], rel=1e-12)
    assert grouped[1] == pytest.approx(whole[1], rel=1e-10)
