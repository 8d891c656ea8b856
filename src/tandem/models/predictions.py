"""Predicted value and P(alive) per account, for the health score, account pages and scorecards.

:func:`account_predictions` is the one call the layers beside the models make:
it reads ``orders`` through a read session, takes every knob from the
workspace's settings (time unit, discount rate, refusal thresholds, the
catalog's gross margin) and returns per-account rows. It raises
:class:`~tandem.models.estimation.ModelRefused` when the orders cannot support
a fit (no orders, too few repeat buyers, no convergence): callers that show
the prediction beside other figures catch it and show the reason instead.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tandem.models.clv import AccountPredictions, score_accounts

if TYPE_CHECKING:
    from tandem.service.session import ReadSession


def account_predictions(
    session: ReadSession,
    *,
    horizon_weeks: float = 52.0,
    calibration_end: dt.date | None = None,
) -> AccountPredictions:
    """Per account that ordered: p_alive, expected purchases and value, and CLV (``clv``).

    ``calibration_end`` defaults to the last order (not after the session's
    today). ``.predicted()`` of the result is the short form: account_id,
    predicted_clv, p_alive.
    """
    settings = session.settings
    return score_accounts(
        session.table("orders"),
        settings.models,
        gross_margin=settings.metrics.gross_margin,
        horizon_weeks=horizon_weeks,
        calibration_end=calibration_end,
        today=session.today,
    )


#: What a scorecard's "lifetime value" section says beside the two figures.
LIFETIME_VALUE_NOTE = (
    "Customer lifetime value (the catalog's) is ARPC × gross margin ÷ mean monthly churn: "
    "it fits a subscription business with a year or more of churn history. Predicted CLV "
    "(BG/NBD × Gamma-Gamma) adds up each customer's expected purchases and their value over "
    "the horizon, discounted: it fits one-off purchases, a young company with few churned "
    "customers, and ranking customers; it needs repeat purchases in orders."
)


def average_clv(predictions: AccountPredictions) -> float:
    """The mean predicted CLV over the accounts scored (the figure beside the catalog's)."""
    import pyarrow.compute as pc

    return float(pc.mean(predictions.rows["clv"]).as_py())
