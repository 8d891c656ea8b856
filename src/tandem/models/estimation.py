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
GRADIENT_TOLERANCE = 1e-4
#: Bounds of the log-parameters: e^±15 (3e-7 to 3e6), far outside any sensible value.
BOUND = 15.0


def maximise(objective: Objective, start: tuple[float, ...], *, model: str, n: int) -> Optimum:
    """The parameters maximising ``objective``, or :class:`ModelRefused`.

    The optimiser sees the mean log-likelihood per customer, so its tolerances
    mean the same on 100 customers as on a million. A search that ends on
    SciPy's line-search limit (floating-point precision near the optimum) is
    run once more from where it stopped; what counts is the gradient there.
    """
    from scipy.optimize import minimize

    size = float(max(n, 1))

    def negative(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = objective(theta)
        if not np.isfinite(ll) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(theta)
        return -ll / size, -grad / size

    theta = np.log(np.asarray(start, dtype=float))
    iterations = 0
    message = ""
    for _ in range(3):
        res = minimize(
            negative,
            theta,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-BOUND, BOUND)] * len(theta),
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
        )
        theta, iterations, message = res.x, iterations + int(res.nit), str(res.message)
        ll, grad = objective(theta)
        worst = float(np.max(np.abs(grad))) / size
        if np.isfinite(ll) and worst <= GRADIENT_TOLERANCE:
            break
    at_bound = bool(np.any(np.abs(theta) >= BOUND - 1e-6))
    if not np.isfinite(ll) or at_bound or worst > GRADIENT_TOLERANCE:
        reason = "a parameter ran off to 0 or infinity" if at_bound else message
        raise ModelRefused(
            f"the {model} fit did not converge ({reason}; gradient {worst:.2g} per customer "
            f"after {iterations} iterations): the data do not determine the model"
        )
    params = tuple(float(v) for v in np.exp(theta))
    return Optimum(params, float(ll), iterations)
