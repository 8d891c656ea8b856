"""Customer survival for subscription businesses: Kaplan-Meier curves and the log-rank test.

A customer's **lifetime** is their first spell of paid coverage, by the
catalog's own definition (:func:`tandem.semantic.coverage.islands_of`: MRR > 0,
gaps of at most ``churn_grace_days`` bridged): from the first paid day to
the first day without paid coverage, in days. Only what was known on the
as-of date counts: rows starting after it are ignored and coverage is cut at
the end of that day. A customer has **churned** when their coverage lapsed and
the lapse had lasted longer than the grace by the as-of date (first unpaid day
≤ as-of − grace); everyone else is **censored** at the days they were covered
so far (still paying: up to the as-of date; in a lapse still within the grace:
up to the lapse). A later return (a second spell) does not undo a churn.

The **Kaplan-Meier** estimate at each observed duration t_j with n_j customers
at risk (lifetime ≥ t_j) and d_j churns (lifetime = t_j)::

    S(t) = Π_{t_j ≤ t} (1 − d_j / n_j)

with Greenwood's variance and the 95% band on the log(−log S) scale (the
default of lifelines and of R's ``survfit(conf.type = "log-log")``). Customers
censored at t_j are still at risk at t_j. The median lifetime is the first t
with S(t) ≤ 0.5 (none when the curve stays above). SciPy computes the curve
and band (``scipy.stats.ecdf``); the counts come from the same lifetimes.

The **log-rank test** compares k groups: with e_gj = d_j n_gj / n_j the
churns expected in group g at t_j, O − E summed over times and the
hypergeometric covariance V_gh = Σ_j d_j (n_j − d_j)/(n_j − 1) · n_gj/n_j ·
(δ_gh − n_hj/n_j), the statistic (O − E)ᵀ V⁻¹ (O − E) over k − 1 groups is
χ² with k − 1 degrees of freedom under "the groups survive alike".
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tandem.semantic.calendar import day_number

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

    from tandem.settings import MetricSettings

#: Columns of :attr:`Curve.rows`, in order (SPEC.md, ``tandem survival``).
CURVE_COLUMNS = ("days", "at_risk", "events", "survival", "ci_lower", "ci_upper", "censored")


@dataclass(frozen=True)
class SurvivalRequest:
    as_of: dt.date | None = None
    #: A dimension (account column, ``cohort`` = signup month, ``plan``): one curve each.
    by: str | None = None


@dataclass(frozen=True, eq=False)
class Lifetimes:
    """One entry per customer: days covered and whether they churned (else censored)."""

    as_of: dt.date
    account_id: np.ndarray
    days: np.ndarray
    churned: np.ndarray
    group: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Curve:
    group: str | None
    customers: int
    churned: int
    median_days: float | None
    rows: pa.Table


@dataclass(frozen=True)
class LogRank:
    statistic: float
    degrees_of_freedom: int
    p_value: float


@dataclass(frozen=True, eq=False)
class Survival:
    as_of: dt.date
    by: str | None
    churn_grace_days: int
    curves: tuple[Curve, ...]
    logrank: LogRank | None = None


def default_as_of(subscriptions: ibis.Table, today: dt.date) -> dt.date:
    """The last day subscription data speak of (a row starting or ending), not after today."""
    import ibis

    s = subscriptions
    hi = s.aggregate(hi=ibis.greatest(s.valid_from.max(), s.valid_to.max())).to_pyarrow()["hi"][0]
    value = hi.as_py()
    return today if value is None else min(value, today)


def lifetimes(
    subscriptions: ibis.Table,
    knobs: MetricSettings,
    as_of: dt.date,
    groups: ibis.Table | None = None,
) -> Lifetimes:
    """Every customer's first spell of paid coverage as known on ``as_of``."""
    import ibis

    from tandem.semantic.coverage import islands_of

    s = subscriptions
    cap = ibis.date((as_of + dt.timedelta(days=1)).isoformat())
    known = s.filter(s.valid_from <= ibis.date(as_of.isoformat())).mutate(
        valid_to=ibis.least(s.valid_to.fill_null(cap), cap)
    )
    spells = islands_of(known, knobs)
    order = ibis.window(group_by=spells.account_id, order_by=spells.start)
    first = spells.mutate(n=ibis.row_number().over(order))
    first = first.filter(first.n == 0).select("account_id", "start", "end")
    if groups is not None:
        first = first.left_join(groups, "account_id").select(*first.columns, "group")
    data = first.order_by("account_id").to_pyarrow()
    start = np.asarray(data["start"].to_numpy(), dtype=np.int64)
    end = np.asarray(data["end"].to_numpy(), dtype=np.int64)
    return Lifetimes(
        as_of=as_of,
        account_id=np.asarray(data["account_id"].to_numpy(zero_copy_only=False), dtype=object),
        days=(end - start).astype(float),
        churned=end <= day_number(as_of) - knobs.churn_grace_days,
        group=(
            np.asarray(data["group"].to_numpy(zero_copy_only=False), dtype=object)
            if groups is not None
            else None
        ),
    )


def kaplan_meier(days: np.ndarray, churned: np.ndarray, group: str | None = None) -> Curve:
    """The Kaplan-Meier curve (module docstring), one row per distinct duration after day 0."""
    import pyarrow as pa
    from scipy.stats import CensoredData, ecdf

    days = np.asarray(days, dtype=float)
    churned = np.asarray(churned, dtype=bool)
    times, index = np.unique(days, return_inverse=True)
    events = np.bincount(index, weights=churned, minlength=len(times)).astype(np.int64)
    leaving = np.bincount(index, minlength=len(times))
    at_risk = len(days) - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    survival = np.ones(len(times))
    lower, upper = np.ones(len(times)), np.ones(len(times))
    if churned.any():
        fitted = ecdf(CensoredData(uncensored=days[churned], right=days[~churned]))
        where = np.searchsorted(fitted.sf.quantiles, times)
        survival = fitted.sf.probabilities[where]
        with warnings.catch_warnings():
            # Undefined where S is 0 or 1 (log of 0); those points are set below.
            warnings.filterwarnings("ignore", "The confidence interval is undefined")
            band = fitted.sf.confidence_interval(0.95, method="log-log")
        lower, upper = band.low.probabilities[where], band.high.probabilities[where]
        # As lifelines: the band is the point itself where S is 1 (no churn yet) or 0.
        lower, upper = (
            np.where(survival >= 1, 1.0, np.where(survival <= 0, 0.0, b)) for b in (lower, upper)
        )
    below = np.nonzero(survival <= 0.5)[0]
    rows = pa.table(
        {
            "days": _whole(np.concatenate([[0.0], times])),
            "at_risk": np.concatenate([[len(days)], at_risk]).astype(np.int64),
            "events": np.concatenate([[0], events]),
            "survival": np.concatenate([[1.0], survival]),
            "ci_lower": np.concatenate([[1.0], lower]),
            "ci_upper": np.concatenate([[1.0], upper]),
            "censored": np.concatenate([[0], leaving - events]).astype(np.int64),
        }
    )
    return Curve(
        group=group,
        customers=len(days),
        churned=int(churned.sum()),
        median_days=float(times[below[0]]) if len(below) else None,
        rows=rows,
    )


def _whole(days: np.ndarray) -> np.ndarray:
    """Days as integers when they are whole (lifetimes always are)."""
    return days.astype(np.int64) if np.all(np.mod(days, 1) == 0) else days


def logrank(days: np.ndarray, churned: np.ndarray, codes: np.ndarray) -> LogRank:
    """The k-group log-rank test (module docstring); ``codes`` numbers the groups 0..k−1."""
    from scipy.stats import chi2

    days = np.asarray(days, dtype=float)
    churned = np.asarray(churned, dtype=bool)
    k = int(codes.max()) + 1
    times, index = np.unique(days, return_inverse=True)
    shape = (len(times), k)
    leaving = np.zeros(shape)
    died = np.zeros(shape)
    np.add.at(leaving, (index, codes), 1.0)
    np.add.at(died, (index, codes), churned.astype(float))
    # At risk at t_j: those leaving at t_j or later (a reverse cumulative sum).
    risk = np.cumsum(leaving[::-1], axis=0)[::-1]
    n = risk.sum(axis=1)
    d = died.sum(axis=1)
    keep = d > 0
    risk, died, n, d = risk[keep], died[keep], n[keep], d[keep]
    share = risk / n[:, None]
    observed_minus_expected = (died - d[:, None] * share).sum(axis=0)
    spread = np.where(n > 1, d * (n - d) / np.maximum(n - 1, 1), 0.0)
    cov = np.diag(spread @ share) - (share * spread[:, None]).T @ share
    z = observed_minus_expected[: k - 1]
    statistic = float(z @ np.linalg.solve(cov[: k - 1, : k - 1], z))
    return LogRank(statistic, k - 1, float(chi2.sf(statistic, k - 1)))


def survival(
    subscriptions: ibis.Table,
    knobs: MetricSettings,
    request: SurvivalRequest,
    *,
    today: dt.date,
    accounts: ibis.Table | None = None,
) -> Survival:
    """Kaplan-Meier curves (per group with ``request.by``) and, for 2+ groups, the log-rank test."""
    from tandem.errors import UsageError

    as_of = request.as_of or default_as_of(subscriptions, today)
    groups = None
    if request.by is not None:
        from tandem.models.groups import account_groups

        if accounts is None:
            raise UsageError("cutting survival by a dimension needs the accounts table")
        groups = account_groups(request.by, accounts, subscriptions)
    life = lifetimes(subscriptions, knobs, as_of, groups)
    if len(life.days) == 0:
        raise UsageError(f"no account had paid coverage on or before {as_of}: no lifetimes")
    if life.group is None:
        curve = kaplan_meier(life.days, life.churned)
        return Survival(as_of, None, knobs.churn_grace_days, (curve,))
    import pandas as pd

    codes, values = pd.factorize(life.group, sort=True)
    labels: list[str | None] = [str(v) for v in values]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(values), codes)
        labels.append(None)
    curves = tuple(
        kaplan_meier(life.days[codes == i], life.churned[codes == i], label)
        for i, label in enumerate(labels)
    )
    test = logrank(life.days, life.churned, codes) if len(labels) > 1 else None
    return Survival(as_of, request.by, knobs.churn_grace_days, curves, test)
