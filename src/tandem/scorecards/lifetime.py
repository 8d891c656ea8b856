"""Lifetime value two ways, side by side: the catalog's simple formula and the model's.

The catalog's ``customer_lifetime_value`` (ARPC × gross margin ÷ mean monthly churn)
suits a steady subscription business; the predicted CLV (BG/NBD × Gamma-Gamma on
``orders``, tandem.models) suits one-off purchases and young companies. The view
shows both for the scorecard's scope, with a note on when each applies, and the
model's refusal when its fit cannot be trusted.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tandem.errors import TandemError
from tandem.models.predictions import LIFETIME_VALUE_NOTE, account_predictions
from tandem.scorecards.model import LifetimeValue

if TYPE_CHECKING:
    from tandem.service.workspace import Workspace

#: The horizon of the predicted CLV: three years of purchases, discounted.
HORIZON_WEEKS = 156


def lifetime_value(
    ws: Workspace, last_day: dt.date, where: dict[str, str], simple: float | None
) -> LifetimeValue:
    """The simple CLV (as the scorecard computed it) beside the mean predicted CLV of the
    scope's accounts that ordered, calibrated on orders up to ``last_day``."""
    import pyarrow.compute as pc

    base = {"simple_clv": simple, "horizon_weeks": HORIZON_WEEKS, "note": LIFETIME_VALUE_NOTE}
    try:
        with ws.read() as session:
            predictions = account_predictions(
                session, horizon_weeks=HORIZON_WEEKS, calibration_end=last_day
            )
            rows = predictions.rows
            if where:
                accounts = session.table("accounts")
                for column, value in where.items():
                    accounts = accounts.filter(accounts[column] == value)
                ids = session.run(accounts.select("account_id"))["account_id"]
                rows = rows.filter(pc.is_in(rows["account_id"], value_set=ids))
    except TandemError as exc:
        return LifetimeValue(**base, refused=str(exc))
    scored = rows.num_rows
    mean = pc.mean(rows["clv"]).as_py() if scored else None
    return LifetimeValue(**base, predicted_clv=mean, accounts_scored=scored)
