"""Maximum likelihood for the purchase models: one optimiser, one refusal rule.

Every model's parameters are positive, so the optimiser works on their
logarithms (unbounded) with the analytic gradient of the total
log-likelihood, by L-BFGS-B (``scipy.optimize.minimize``). A fit counts as
converged only when SciPy says so *and* the gradient at the optimum is close
to zero relative to the number of customers; anything else is refused rather
than reported, since parameters from a stalled search look like any others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tandem.errors import TandemError

#: ``f(log_params) -> (log-likelihood, gradient with respect to log_params)``.
Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


class ModelRefused(TandemError):
    """The data cannot give a fit worth trusting; the message says why."""


@dataclass(frozen=True)
class Optimum:
    params: tuple[float, ...]
    log_likelihood: float
    iterations: int


#: Largest |d LL / d log θ| per customer accepted at the optimum.
GRADIENT_TOLERANCE = 1e-3


def maximise(objective: Objective, start: tuple[float, ...], *, model: str, n: int) -> Optimum:
    """The parameters maximising ``objective``, or :class:`ModelRefused`."""
    from scipy.optimize import minimize

    def negative(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = objective(theta)
        if not np.isfinite(ll):
            return np.inf, np.zeros_like(theta)
        return -ll, -grad

    x0 = np.log(np.asarray(start, dtype=float))
    res = minimize(
        negative,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=[(-15.0, 15.0)] * len(x0),
        options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-8},
    )
    _, grad = objective(res.x)
    params = tuple(float(v) for v in np.exp(res.x))
    at_bound = bool(np.any(np.abs(res.x) >= 15.0 - 1e-6))
    worst = float(np.max(np.abs(grad))) / max(n, 1)
    if not res.success or not np.isfinite(res.fun) or at_bound or worst > GRADIENT_TOLERANCE:
        reason = "a parameter ran to its bound" if at_bound else str(res.message)
        raise ModelRefused(
            f"the {model} fit did not converge ({reason}; gradient {worst:.2g} per customer "
            f"after {res.nit} iterations); the data do not determine the model"
        )
    return Optimum(params, float(-res.fun), int(res.nit))
