"""Customers drawn from the models themselves, vectorised in NumPy (benchmarks and tests).

Orders follow the BG/NBD story exactly: each customer has a rate λ ~
Gamma(r, α) per week and a dropout probability p ~ Beta(a, b); they buy
once on a first day spread over ``acquisition_weeks``, then at the times of a
Poisson process with rate λ, and drop out after each repeat purchase with
probability p (so they make K ~ Geometric(p) repeat purchases at most). Given
M Poisson events in the window, their times are M sorted uniforms: that is
how the times are drawn, for all customers at once. Each order's amount is
Gamma(shape p_v, rate ν) with ν ~ Gamma(q_v, γ) per customer (the
Gamma-Gamma story). Subscriptions: one paid spell per account starting in
the acquisition window, with an exponential lifetime (censored by the end).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Truth:
    """The parameters customers are drawn from (λ per week)."""

    r: float = 3.0
    alpha: float = 20.0
    a: float = 1.2
    b: float = 12.0
    p: float = 6.0
    q: float = 4.0
    v: float = 15.0


def _ids(prefix: str, n: int) -> pa.Array:
    return pc.binary_join_element_wise(
        pa.array(np.full(n, prefix)), pc.cast(pa.array(np.arange(n)), pa.string()), ""
    )


def orders(
    accounts: int,
    *,
    start: dt.date,
    weeks: float,
    truth: Truth = Truth(),
    acquisition_weeks: float = 12.0,
    seed: int = 7,
) -> pa.Table:
    """The ``orders`` table of ``accounts`` customers over ``weeks`` from ``start``."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(truth.r, 1.0 / truth.alpha, accounts)
    drop = rng.beta(truth.a, truth.b, accounts)
    first = rng.uniform(0.0, acquisition_weeks, accounts)
    span = weeks - first
    events = rng.poisson(lam * span)
    most = rng.geometric(drop)
    owner = np.repeat(np.arange(accounts), events)
    times = first[owner] + rng.uniform(0.0, 1.0, len(owner)) * span[owner]
    order = np.lexsort((times, owner))
    owner, times = owner[order], times[order]
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(events) - events, events)
    keep = rank < most[owner]
    owner = np.concatenate([np.arange(accounts), owner[keep]])
    times = np.concatenate([first, times[keep]])
    nu = rng.gamma(truth.q, 1.0 / truth.v, accounts)
    amount = np.round(rng.gamma(truth.p, 1.0 / nu[owner]), 2)
    base = np.datetime64(start.isoformat(), "s")
    instants = base + (times * 7 * 86400).astype("timedelta64[s]")
    return pa.table(
        {
            "order_id": _ids("o", len(owner)),
            "account_id": pc.take(_ids("A", accounts), pa.array(owner)),
            "ordered_at": pa.array(instants.astype("datetime64[us]"), pa.timestamp("us", "UTC")),
            "amount": amount,
        }
    )


def subscriptions(
    accounts: int,
    *,
    start: dt.date,
    weeks: float,
    mean_lifetime_days: float = 400.0,
    acquisition_weeks: float = 52.0,
    seed: int = 7,
) -> pa.Table:
    """One paid row per account: starts in the acquisition window, lasts Exp(mean) days."""
    rng = np.random.default_rng(seed + 1)
    begin = rng.integers(0, int(acquisition_weeks * 7), accounts)
    life = np.ceil(rng.exponential(mean_lifetime_days, accounts)).astype(np.int64)
    end = begin + life
    day0 = np.datetime64(start.isoformat(), "D")
    horizon = int(weeks * 7)
    valid_to = pa.array(day0 + end, pa.date32(), mask=end > horizon)
    return pa.table(
        {
            "subscription_id": _ids("S", accounts),
            "account_id": _ids("A", accounts),
            "plan": pa.array(np.where(rng.random(accounts) < 0.5, "basic", "pro")),
            "mrr": np.full(accounts, 100.0),
            "seats": pa.nulls(accounts, pa.int64()),
            "valid_from": pa.array(day0 + begin, pa.date32()),
            "valid_to": valid_to,
        }
    )


def accounts(n: int, start: dt.date) -> pa.Table:
    """The ``accounts`` rows the other tables refer to (segment drawn among three)."""
    rng = np.random.default_rng(11)
    return pa.table(
        {
            "account_id": _ids("A", n),
            "name": _ids("Customer ", n),
            "segment": pa.array(
                np.array(["SMB", "Mid-Market", "Enterprise"])[rng.integers(0, 3, n)]
            ),
            "created_at": pa.array(
                np.full(n, np.datetime64(start.isoformat(), "us")), pa.timestamp("us", "UTC")
            ),
        }
    )
