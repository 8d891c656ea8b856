"""Predictive customer lifetime value: BG/NBD × Gamma-Gamma on the ``orders`` table.

:func:`fit_clv` fits both models on the calibration cohort (optionally per
group, and checked against a holdout); :func:`score_accounts` scores
every customer: P(alive), expected purchases over a horizon, expected value
per purchase and the discounted, margin-weighted lifetime value::

    clv = margin × E[M | x, m] × Σ_{k=1..K} (E[Y(t_k)] − E[Y(t_{k−1})]) / (1 + d)^(7k / 365.25)

with t_k the end of week k of the horizon (the last week cut at the
horizon), d the yearly ``models.discount_rate`` and the margin the catalog's
``metrics.gross_margin``. A fit that cannot be trusted is refused with
:class:`ModelRefused` (a TandemError: the CLI prints it and exits 2).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tandem.errors import UsageError
from tandem.models import bgnbd, gamma_gamma
from tandem.models.bgnbd import BGNBD
from tandem.models.estimation import ModelRefused
from tandem.models.gamma_gamma import GammaGamma
from tandem.models.holdout import Holdout, Week, holdout, tracking
from tandem.models.transactions import (
    Customers,
    Window,
    last_order_day,
    summarise,
    weekly_repeats,
)

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

    from tandem.settings import ModelSettings

#: Columns of :attr:`AccountPredictions.rows`, in order (SPEC.md, ``tandem clv accounts``).
ACCOUNT_COLUMNS = (
    "account_id",
    "frequency",
    "recency_weeks",
    "T_weeks",
    "p_alive",
    "expected_transactions",
    "expected_avg_value",
    "clv",
)


@dataclass(frozen=True)
class ClvRequest:
    calibration_end: dt.date | None = None
    holdout_end: dt.date | None = None
    #: A dimension (account column, ``cohort`` or ``plan``): one fit per value.
    by: str | None = None


@dataclass(frozen=True)
class ClvFit:
    """Both models fitted on one group of customers (``group`` None = everyone)."""

    group: str | None
    window: Window
    customers: int
    repeat_customers: int
    bgnbd: BGNBD
    gamma_gamma: GammaGamma
    holdout: Holdout | None = None
    tracking: tuple[Week, ...] = ()


@dataclass(frozen=True)
class Refusal:
    group: str | None
    reason: str


@dataclass(frozen=True)
class ClvFits:
    by: str | None
    window: Window
    fits: tuple[ClvFit, ...]
    refused: tuple[Refusal, ...] = ()


def resolve_window(
    orders: ibis.Table,
    knobs: ModelSettings,
    calibration_end: dt.date | None,
    holdout_end: dt.date | None,
    today: dt.date,
) -> Window:
    """The calibration window asked for; by default everything up to the last order."""
    if holdout_end is not None and calibration_end is None:
        raise UsageError("--holdout-end needs --calibration-end (where the holdout starts)")
    if calibration_end is None:
        last = last_order_day(orders)
        if last is None:
            raise ModelRefused("the orders table is empty: there is nothing to fit")
        calibration_end = min(last, today)
    if holdout_end is not None and holdout_end <= calibration_end:
        raise UsageError(
            f"--holdout-end {holdout_end} must be after --calibration-end {calibration_end}"
        )
    return Window(calibration_end, holdout_end, knobs.time_unit_days)


def fit_customers(customers: Customers, knobs: ModelSettings, group: str | None = None) -> ClvFit:
    """Both models on ``customers``, or ModelRefused saying why the data will not do."""
    end = customers.window.calibration_end
    if customers.repeat_customers < knobs.min_repeat_customers:
        raise ModelRefused(
            f"orders up to {end}: {customers.repeat_customers:,} of {len(customers):,} "
            f"customers made a repeat purchase; the models need at least "
            f"{knobs.min_repeat_customers} (knob models.min_repeat_customers)"
        )
    purchases = bgnbd.fit(customers.frequency, customers.recency, customers.age)
    value = gamma_gamma.fit(
        customers.frequency, customers.value, max_correlation=knobs.max_value_frequency_correlation
    )
    return ClvFit(
        group, customers.window, len(customers), customers.repeat_customers, purchases, value
    )


def fit_clv(
    orders: ibis.Table,
    knobs: ModelSettings,
    request: ClvRequest,
    *,
    today: dt.date,
    accounts: ibis.Table | None = None,
    subscriptions: ibis.Table | None = None,
) -> ClvFits:
    """Fit, check against the holdout and track; per group when ``request.by`` is set.

    Without ``by`` a refusal is raised; with ``by`` each group that cannot be
    fitted is listed in ``refused`` (and the call raises only if none can).
    """
    window = resolve_window(orders, knobs, request.calibration_end, request.holdout_end, today)
    groups = None
    if request.by is not None:
        from tandem.models.groups import account_groups

        if accounts is None:
            raise UsageError("cutting the models by a dimension needs the accounts table")
        groups = account_groups(request.by, accounts, subscriptions)
    everyone = summarise(orders, window, groups)
    if len(everyone) == 0:
        raise ModelRefused(
            f"no customer made a first purchase on or before {window.calibration_end}"
        )
    if everyone.group is None:
        parts: list[tuple[str | None, Customers]] = [(None, everyone)]
    else:
        import pandas as pd

        codes, values = pd.factorize(everyone.group, sort=True)
        parts = [(str(g), everyone.subset(codes == i)) for i, g in enumerate(values)]
        if (codes < 0).any():
            parts.append((None, everyone.subset(codes < 0)))
    fits, refused = [], []
    for label, customers in parts:
        try:
            fitted = fit_customers(customers, knobs, label)
        except ModelRefused as exc:
            if request.by is None:
                raise
            refused.append(Refusal(label, str(exc)))
            continue
        fits.append(_checked(fitted, orders, customers, groups, label))
    if not fits:
        reasons = "; ".join(f"{r.group or '(none)'}: {r.reason}" for r in refused)
        raise ModelRefused(f"no group of {request.by} can be fitted ({reasons})")
    return ClvFits(request.by, window, tuple(fits), tuple(refused))


def _checked(
    fitted: ClvFit,
    orders: ibis.Table,
    customers: Customers,
    groups: ibis.Table | None,
    label: str | None,
) -> ClvFit:
    """``fitted`` with its holdout comparison and tracking weeks."""
    from dataclasses import replace

    from tandem.semantic.calendar import from_day_number

    members = None
    if groups is not None:
        members = groups.filter(
            groups.group.isnull() if label is None else groups.group == label
        ).select("account_id")
    window = customers.window
    start = from_day_number(int(customers.first_day.min()))
    track = tracking(fitted.bgnbd, customers, weekly_repeats(orders, window, start, members), start)
    check = None
    if window.holdout_end is not None:
        after = window.calibration_end + dt.timedelta(days=1)
        check = holdout(fitted.bgnbd, customers, weekly_repeats(orders, window, after, members))
    return replace(fitted, holdout=check, tracking=track)


@dataclass(frozen=True, eq=False)
class AccountPredictions:
    """Per-account predictions (``rows``, columns :data:`ACCOUNT_COLUMNS`) and their fit."""

    fit: ClvFit
    horizon_weeks: float
    discount_rate: float
    gross_margin: float
    rows: pa.Table

    def predicted(self) -> pa.Table:
        """account_id, predicted_clv and p_alive: what the health score and account pages show."""
        return self.rows.select(["account_id", "clv", "p_alive"]).rename_columns(
            ["account_id", "predicted_clv", "p_alive"]
        )


def score_accounts(
    orders: ibis.Table,
    knobs: ModelSettings,
    *,
    gross_margin: float,
    horizon_weeks: float = 52.0,
    calibration_end: dt.date | None = None,
    today: dt.date,
) -> AccountPredictions:
    """P(alive), expected purchases and value, and CLV for every account that ordered.

    Accounts without an order up to the calibration end have no row. Times in
    the rows are in weeks whatever the time unit of the fit.
    """
    import pyarrow as pa

    if not horizon_weeks > 0:
        raise UsageError(f"--horizon-weeks {horizon_weeks:g}: must be more than 0")
    window = resolve_window(orders, knobs, calibration_end, None, today)
    customers = summarise(orders, window)
    if len(customers) == 0:
        raise ModelRefused(
            f"no customer made a first purchase on or before {window.calibration_end}"
        )
    fitted = fit_customers(customers, knobs)
    model, unit = fitted.bgnbd, window.unit_days
    # Every prediction is a function of the history: compute it once per distinct one.
    (x, t_x, T), _, back = bgnbd.distinct(
        customers.frequency.astype(float), customers.recency, customers.age
    )
    discounted = np.zeros(len(x))
    before = np.zeros(len(x))
    for k in range(1, math.ceil(horizon_weeks) + 1):
        days = 7.0 * min(k, horizon_weeks)
        upto = model.expected(days / unit, x, t_x, T)
        discounted += (upto - before) / (1.0 + knobs.discount_rate) ** (days / 365.25)
        before = upto
    value = fitted.gamma_gamma.expected_value(customers.frequency, customers.value)
    weeks = 7.0 / unit
    rows = pa.table(
        {
            "account_id": pa.array(customers.account_id, pa.string()),
            "frequency": pa.array(customers.frequency, pa.int64()),
            "recency_weeks": customers.recency / weeks,
            "T_weeks": customers.age / weeks,
            "p_alive": model.p_alive(x, t_x, T)[back],
            "expected_transactions": before[back],
            "expected_avg_value": value,
            "clv": gross_margin * value * discounted[back],
        }
    )
    return AccountPredictions(fitted, horizon_weeks, knobs.discount_rate, gross_margin, rows)
