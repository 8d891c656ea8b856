"""The models' results as plain data: the JSON of ``tandem clv`` and ``tandem survival``.

One shape for every consumer (the command line, the JSON API), so a page and
its JSON twin cannot drift apart. Floats are kept at full precision; a value
that does not exist (a median never reached) is ``null``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from tandem.models.clv import AccountPredictions, ClvFit, ClvFits
    from tandem.models.holdout import Week
    from tandem.models.survival import Curve, Survival


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _weeks(weeks: tuple[Week, ...]) -> list[dict[str, Any]]:
    return [
        {"week_start": w.start.isoformat(), "actual": w.actual, "predicted": w.predicted}
        for w in weeks
    ]


def fit_json(fit: ClvFit) -> dict[str, Any]:
    """One group's fit: sizes, both models' parameters, holdout and tracking weeks."""
    b, g = fit.bgnbd, fit.gamma_gamma
    out: dict[str, Any] = {
        "customers": fit.customers,
        "repeat_customers": fit.repeat_customers,
        "bgnbd": {
            "r": b.r,
            "alpha": b.alpha,
            "a": b.a,
            "b": b.b,
            "log_likelihood": b.log_likelihood,
        },
        "gamma_gamma": {
            "p": g.p,
            "q": g.q,
            "v": g.v,
            "log_likelihood": g.log_likelihood,
            "customers": g.customers,
            "value_frequency_correlation": g.correlation,
            "mean_value": g.population_mean,
        },
        "holdout": None,
        "tracking": _weeks(fit.tracking),
    }
    if fit.holdout is not None:
        h = fit.holdout
        out["holdout"] = {
            "start": h.start.isoformat(),
            "end": h.end.isoformat(),
            "actual_transactions": h.actual_transactions,
            "predicted_transactions": h.predicted_transactions,
            "weeks": _weeks(h.weeks),
        }
    return out


def fits_json(fits: ClvFits, knobs: dict[str, Any]) -> dict[str, Any]:
    """``tandem clv fit --format json``: one fit at the top level, or one per group."""
    w = fits.window
    head: dict[str, Any] = {
        "calibration_end": w.calibration_end.isoformat(),
        "holdout_end": w.holdout_end.isoformat() if w.holdout_end else None,
        "time_unit_days": w.unit_days,
        "knobs": knobs,
    }
    if fits.by is None:
        return head | fit_json(fits.fits[0])
    return head | {
        "by": fits.by,
        "groups": [{fits.by: f.group} | fit_json(f) for f in fits.fits],
        "refused": [{fits.by: r.group, "reason": r.reason} for r in fits.refused],
    }


def predictions_json(p: AccountPredictions, knobs: dict[str, Any]) -> dict[str, Any]:
    """``tandem clv accounts --format json``: the settings used, then one object per account."""
    return {
        "calibration_end": p.fit.window.calibration_end.isoformat(),
        "horizon_weeks": p.horizon_weeks,
        "discount_rate": p.discount_rate,
        "gross_margin": p.gross_margin,
        "knobs": knobs,
        "bgnbd": fit_json(p.fit)["bgnbd"],
        "gamma_gamma": fit_json(p.fit)["gamma_gamma"],
        "accounts": rows_json(p.rows),
    }


def rows_json(rows: pa.Table) -> list[dict[str, Any]]:
    return [
        {k: _num(v) if isinstance(v, float) else v for k, v in r.items()} for r in rows.to_pylist()
    ]


def curve_json(curve: Curve) -> dict[str, Any]:
    return {
        "customers": curve.customers,
        "churned": curve.churned,
        "median_days": _num(curve.median_days),
        "rows": rows_json(curve.rows),
    }


def survival_json(result: Survival) -> dict[str, Any]:
    """``tandem survival --format json``: the curve(s), medians and the log-rank test."""
    head: dict[str, Any] = {
        "as_of": result.as_of.isoformat(),
        "churn_grace_days": result.churn_grace_days,
    }
    if result.by is None:
        return head | curve_json(result.curves[0])
    test = result.logrank
    return head | {
        "by": result.by,
        "groups": [{result.by: c.group} | curve_json(c) for c in result.curves],
        "logrank": None
        if test is None
        else {
            "statistic": test.statistic,
            "degrees_of_freedom": test.degrees_of_freedom,
            "p_value": test.p_value,
        },
    }
