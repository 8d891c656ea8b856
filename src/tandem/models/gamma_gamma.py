"""The Gamma-Gamma model of purchase value (Fader, Hardie & Lee 2005b; Colombo & Jiang 1999).

A customer's purchase values are Gamma(p, ν) around a mean p/ν personal to
them, and ν ~ Gamma(q, γ) across customers. A customer is summarised by x,
the number of repeat purchases, and m, their mean value (the first purchase
is left out, as in the papers). The likelihood of one customer's mean::

    ln L = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ
           + (px−1) ln m + px ln x − (px+q) ln(γ + m x)

and the expected value of their next purchases given (x, m)::

    E[M | x, m] = p (γ + m x) / (p x + q − 1)

a weighted mean of the population mean p γ / (q − 1) and the customer's own
mean m. The model assumes value and frequency are independent: fitting it on
data where they are correlated is refused (see :func:`value_frequency_correlation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem.models.estimation import ModelRefused, maximise


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters (``v`` is γ, named as in the CLI's JSON)."""

    p: float
    q: float
    v: float
    log_likelihood: float
    customers: int
    correlation: float
    iterations: int = 0

    @property
    def population_mean(self) -> float:
        """Expected value of a purchase by a customer we know nothing of: p γ / (q − 1)."""
        return self.p * self.v / (self.q - 1.0)

    def expected_value(self, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        """E[M | x, m]; the population mean for customers without a repeat purchase."""
        x = np.asarray(x, dtype=float)
        m = np.asarray(m, dtype=float)
        own = self.p * (self.v + m * x) / (self.p * x + self.q - 1.0)
        return np.where(x > 0, own, self.population_mean)


def log_likelihood(params: tuple[float, ...], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """ln L of each customer's mean value (module docstring)."""
    from scipy.special import gammaln

    p, q, v = params
    px = p * x
    return np.asarray(
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + m * x)
    )


def total_and_gradient(
    log_params: np.ndarray, x: np.ndarray, m: np.ndarray
) -> tuple[float, np.ndarray]:
    """Σ ln L and its gradient with respect to (ln p, ln q, ln γ)."""
    from scipy.special import digamma

    p, q, v = (float(t) for t in np.exp(log_params))
    ll = log_likelihood((p, q, v), x, m)
    px = p * x
    psi = digamma(px + q)
    log_vmx = np.log(v + m * x)
    d_p = x * (psi - digamma(px) + np.log(m) + np.log(x) - log_vmx)
    d_q = psi - digamma(q) + np.log(v) - log_vmx
    d_v = q / v - (px + q) / (v + m * x)
    grad = np.array([p * d_p.sum(), q * d_q.sum(), v * d_v.sum()])
    return float(ll.sum()), grad


def value_frequency_correlation(x: np.ndarray, m: np.ndarray) -> float:
    """Pearson correlation of repeat purchases and mean value (0 when either is constant)."""
    if len(x) < 2 or np.std(x) == 0 or np.std(m) == 0:
        return 0.0
    return float(np.corrcoef(x, m)[0, 1])


def fit(x: np.ndarray, m: np.ndarray, *, max_correlation: float = 1.0) -> GammaGamma:
    """Maximum-likelihood parameters on customers with x > 0 and m > 0 (others are ignored).

    Refused when |corr(x, m)| exceeds ``max_correlation`` or the fit does not
    converge, or when q ≤ 1 (the mean value would be infinite).
    """
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    corr = value_frequency_correlation(x, m)
    if abs(corr) > max_correlation:
        raise ModelRefused(
            f"the Gamma-Gamma model assumes purchase value and frequency are independent, but "
            f"over {len(x):,} repeat customers their correlation is {corr:.2f} (limit "
            f"{max_correlation:g}, knob models.max_value_frequency_correlation)"
        )
    mean, var = float(np.mean(m)), float(np.var(m))
    # Method-of-moments start: q from the spread of customers' means, p ≈ 1.
    q0 = max(2.0 + mean**2 / var, 1.5) if var > 0 else 5.0
    opt = maximise(
        lambda theta: total_and_gradient(theta, x, m),
        (1.0, q0, mean * (q0 - 1.0)),
        model="Gamma-Gamma",
        n=len(x),
    )
    p, q, v = opt.params
    if q <= 1.0:
        raise ModelRefused(
            f"the Gamma-Gamma fit gives q = {q:.3g} ≤ 1: the expected purchase value is "
            "infinite, so values are too dispersed for the model"
        )
    return GammaGamma(p, q, v, opt.log_likelihood, len(x), corr, opt.iterations)
