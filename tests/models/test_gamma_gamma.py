"""Gamma-Gamma: the published CDNOW fit, and the formulas against numerical integration.

Published figures (Fader & Hardie, "The Gamma-Gamma model of monetary
value", 2013, on the CDNOW sample): on the 946 customers with at least one
repeat purchase in the 39-week calibration period, each summarised by x and
the mean value m of the repeat purchases, p = 6.25, q = 3.74, γ = 15.44.

Independent route for the formulas: the mean of x values drawn from
Gamma(shape p, rate ν) is Gamma(shape px, rate νx); mixing over
ν ~ Gamma(shape q, rate γ) numerically gives the likelihood of m, and the
posterior mean of p/ν given (x, m) is the expected value of a purchase.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from scipy.optimize import approx_fprime

from tandem import Workspace
from tandem.models import gamma_gamma
from tandem.models.estimation import ModelRefused
from tandem.models.transactions import Window, summarise
from tests.models.conftest import lifetimes_file, tables


def test_published_parameters_from_the_raw_orders(cdnow: Workspace) -> None:
    customers = summarise(tables(cdnow).orders, Window(dt.date(1997, 9, 30)))
    fit = gamma_gamma.fit(customers.frequency, customers.value, max_correlation=0.3)
    assert fit.customers == 946
    assert (round(fit.p, 2), round(fit.q, 2), round(fit.v, 2)) == (6.25, 3.74, 15.44)


def test_correlation_is_reported() -> None:
    """corr(x, mean value) over the authors' summary of the 946 repeat customers,
    computed by pandas, is what the fit reports (and small: 0.11)."""
    data = pd.read_csv(lifetimes_file("cdnow_customers_summary_with_transactions.csv"))
    repeat = data[data.x > 0]
    fit = gamma_gamma.fit(repeat.x.to_numpy(), repeat.zbar.to_numpy())
    assert fit.correlation == pytest.approx(repeat.x.corr(repeat.zbar), abs=1e-12)
    assert round(fit.correlation, 2) == 0.11


def _mixture(p: float, q: float, v: float, x: int, m: float, weight: object) -> float:
    def integrand(nu: float) -> float:
        mean_density = stats.gamma.pdf(m, p * x, scale=1 / (nu * x))
        return float(weight(nu) * mean_density * stats.gamma.pdf(nu, q, scale=1 / v))  # type: ignore[operator]

    value, _ = integrate.quad(integrand, 0, np.inf, epsabs=1e-14, epsrel=1e-11, limit=200)
    return float(value)


CASES = [(1, 12.0), (2, 35.5), (5, 20.0), (12, 8.25)]
PARAMS = [(6.25, 3.74, 15.44), (2.0, 5.0, 30.0)]


@pytest.mark.parametrize(("p", "q", "v"), PARAMS)
@pytest.mark.parametrize(("x", "m"), CASES)
def test_likelihood_and_expected_value(p: float, q: float, v: float, x: int, m: float) -> None:
    density = _mixture(p, q, v, x, m, lambda nu: 1.0)
    got = gamma_gamma.log_likelihood((p, q, v), np.array([float(x)]), np.array([m]))[0]
    assert got == pytest.approx(np.log(density), abs=1e-8)
    posterior_mean = _mixture(p, q, v, x, m, lambda nu: p / nu) / density
    model = gamma_gamma.GammaGamma(p, q, v, 0.0, 1, 0.0)
    assert model.expected_value(np.array([x]), np.array([m]))[0] == pytest.approx(
        posterior_mean, rel=1e-8
    )


def test_without_repeat_purchase_the_population_mean() -> None:
    """E[p/ν] for ν ~ Gamma(q, γ) is p γ / (q − 1): 6.25 × 15.44 / 2.74 = 35.218978..."""
    model = gamma_gamma.GammaGamma(6.25, 3.74, 15.44, 0.0, 1, 0.0)
    got = model.expected_value(np.array([0.0]), np.array([0.0]))[0]
    assert got == pytest.approx(6.25 * 15.44 / 2.74, rel=1e-12)


def test_gradient_matches_finite_differences() -> None:
    data = pd.read_csv(lifetimes_file("cdnow_customers_summary_with_transactions.csv"))
    repeat = data[data.x > 0]
    x, m = repeat.x.to_numpy(dtype=float), repeat.zbar.to_numpy(dtype=float)
    theta = np.log([3.0, 2.0, 9.0])
    _, grad = gamma_gamma.total_and_gradient(theta, x, m)
    numeric = approx_fprime(theta, lambda t: gamma_gamma.total_and_gradient(t, x, m)[0], 1e-7)
    assert grad == pytest.approx(numeric, rel=1e-4)


def test_value_tied_to_frequency_is_refused() -> None:
    """Mean value = 10 × purchases (plus noise): correlation near 1, far above 0.3."""
    rng = np.random.default_rng(3)
    x = rng.integers(1, 10, 200).astype(float)
    m = 10 * x + rng.uniform(0, 1, 200)
    with pytest.raises(ModelRefused, match=r"correlation is 1\.00 \(limit 0\.3"):
        gamma_gamma.fit(x, m, max_correlation=0.3)
