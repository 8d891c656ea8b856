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
