"""Product usage and one-off orders.

Usage. Events fall mostly on paying days, with a weight per account-month of
``days × users(segment) × (0.15 + 1.7 h^1.5)``: healthy accounts log in far
more, and usage sags in the three months before a churn (× 0.9, 0.75, 0.55,
then 0.6 in the churn month). Some fall on non-paying days: trial usage
before the conversion (or instead of it) and stragglers in the month after a
churn. An event is a ``session`` (with a log-normal duration, longer for
healthy accounts) or a feature event; healthy accounts use more features. The
users of an account are its seats; the share of seats in use grows with
health and a few power users act most. Events are unique on (account, user,
second, event) by construction: they are encoded as one integer and deduplicated.

Orders. Some customers (more in Enterprise) buy training or services now and
then, as in the BG/NBD story: each buyer orders at its own Poisson rate
(Gamma-distributed across buyers) and, after each order, drops out for good with
its own probability (Beta-distributed); amounts follow Gamma-Gamma (each buyer
has its own mean spend, Gamma-distributed). The draws are kept in the truth
folder (``account_traits``) so fitted models can be checked against them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tandem.synth import columns as col
from tandem.synth.company import Accounts, account_ids, business_seconds, child_ids
from tandem.synth.config import DAY, Array, Calendar
from tandem.synth.lifecycle import Lifecycle, seats_for
from tandem.synth.sales import Trials
from tandem.synth.windows import Windows, counts, expand, paying_months

EVENTS = (
    "session",
    "report_created",
    "dashboard_viewed",
    "integration_added",
    "export_run",
    "user_invited",
)
FEATURE_CDF = np.cumsum([0.3, 0.38, 0.04, 0.18, 0.10])
SEGMENT_USERS = np.array([1.0, 3.0, 6.0])
#: How much accounts differ in how often they use the product, at equal health (log sd).
USE_SPREAD = 0.9
DECLINE = (0.5, 0.45, 0.6, 0.75, 0.9)
MAX_USERS = 999
BATCH_EVENTS = 2_000_000
#: Share of customers who buy one-off orders (training, services), by segment.
ORDER_PRONE = np.array([0.45, 0.6, 0.75])
#: BG/NBD: order rate ~ Gamma(r, α) per month, dropout after each order ~ Beta(a, b).
ORDER_R, ORDER_ALPHA, ORDER_A, ORDER_B = 0.9, 4.0, 1.2, 3.5
#: Gamma-Gamma: amount ~ Gamma(p, ν), ν ~ Gamma(q, γ), in units of ``ORDER_SCALE``.
SPEND_P, SPEND_Q, SPEND_GAMMA = 4.0, 5.0, 4.0
ORDER_SCALE = np.array([300.0, 420.0, 600.0])
FIRST_ORDER_DAYS = 120
MONTH_DAYS = 30.44
MAX_ORDERS = 60


def _decline(life: Lifecycle) -> Array:
    """Per account and month, how much usage is left by an approaching churn (``DECLINE``)."""
    factor = np.ones(life.health.shape, np.float64)
    for back, f in enumerate(DECLINE):
        k = life.churns["month"] - back
        ok = k >= 0
        np.minimum.at(factor, (life.churns["idx"][ok], k[ok]), f)
    return factor


def usage_windows(
    rng: np.random.Generator, acc: Accounts, cal: Calendar, life: Lifecycle, tr: Trials
) -> tuple[Windows, Array]:
    """All windows of usage with their weights (see the module docstring)."""
    users = SEGMENT_USERS[acc.segment] * np.exp(rng.normal(-0.4, USE_SPREAD, len(acc)))
    paying = paying_months(life)
    w_pay = paying.days * users[paying.idx] * (0.05 + 1.8 * paying.health**2)
    w_pay *= _decline(life)[paying.idx, paying.month]

    month = np.clip(cal.month_of(tr.lo), 0, cal.months - 1)
    h_trial = life.health[tr.idx, month].astype(np.float64)
    trial = Windows(tr.idx, tr.lo, tr.hi, h_trial, month)
    trial = trial.take(trial.hi > trial.lo)
    w_trial = trial.days * 0.5 * users[trial.idx] * (0.2 + trial.health)

    ch = life.churns
    h_churn = life.health[ch["idx"], ch["month"]].astype(np.float64)
    late = Windows(
        ch["idx"], ch["day"], np.minimum(ch["day"] + 30, cal.end_day + 1), h_churn, ch["month"]
    )
    late = late.take(late.hi > late.lo)
    w_late = late.days * 0.08 * users[late.idx] * late.health

    weight = np.concatenate([w_pay, w_trial, w_late])
    order = np.argsort(np.concatenate([paying.idx, trial.idx, late.idx]), kind="stable")
    return Windows.join([paying, trial, late]), weight[order]


def usage_events(
    rng: np.random.Generator,
    acc: Accounts,
    cal: Calendar,
    life: Lifecycle,
    tr: Trials,
    per_account: float,
) -> Iterator[dict[str, pa.Array]]:
    """``usage_events`` columns in batches of at most a few million rows, split between accounts."""
    w, weight = usage_windows(rng, acc, cal, life, tr)
    n = counts(rng, weight, per_account * len(acc))
    seats = np.minimum(seats_for(life.initial_mrr, acc.segment), MAX_USERS)
    for a, b in _batches(w.idx, n):
        yield _events(rng, acc, cal, life, w.take(slice(a, b)), n[a:b], seats)


def _batches(idx: Array, n: Array) -> list[tuple[int, int]]:
    """Runs of windows holding about ``BATCH_EVENTS`` events, never splitting an account."""
    if not n.sum():
        return []
    account_end = np.flatnonzero(np.r_[idx[1:] != idx[:-1], True]) + 1
    reached = np.cumsum(n)[account_end - 1]
    targets = np.arange(1, reached[-1] // BATCH_EVENTS + 1) * BATCH_EVENTS
    cuts = account_end[np.minimum(np.searchsorted(reached, targets), len(account_end) - 1)]
    bounds = np.unique(np.r_[0, cuts, len(idx)])
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]


def _events(
    rng: np.random.Generator,
    acc: Accounts,
    cal: Calendar,
    life: Lifecycle,
    w: Windows,
    n: Array,
    seats: Array,
) -> dict[str, pa.Array]:
    row, day = expand(rng, w, n)
    m = len(row)
    idx, h = w.idx[row], w.health[row]
    active = np.maximum(1, np.round(seats[idx] * (0.4 + 0.55 * h))).astype(np.int64)
    user = (active * rng.random(m) ** 1.1).astype(np.int64)
    p_session = 0.7 - 0.2 * h
    u = rng.random(m)
    feature = 1 + np.searchsorted(FEATURE_CDF, (u - p_session) / (1.0 - p_session)).clip(0, 4)
    kind = np.where(u < p_session, 0, feature)
    base = idx.min()
    span = (cal.end_day + 1 - cal.first_day) * DAY
    second = day * DAY + business_seconds(rng, m) - cal.first_day * DAY
    key = (((idx - base) * span + second) * (MAX_USERS + 1) + user) * 8 + kind
    key.sort()
    key = key[np.r_[True, key[1:] != key[:-1]]]
    kind = key % 8
    user = key // 8 % (MAX_USERS + 1)
    ts = key // (8 * (MAX_USERS + 1)) % span + cal.first_day * DAY
    idx = key // (8 * (MAX_USERS + 1) * span) + base
    month = np.clip(cal.month_of(ts // DAY), 0, cal.months - 1)
    h = life.health[idx, month].astype(np.float64)
    session = kind == 0
    duration = np.clip(np.exp(rng.normal(np.log(300.0) + 1.2 * h, 0.9)), 5.0, 4 * 3600.0)
    return {
        "account_id": account_ids(acc, idx),
        "user_id": child_ids(acc, "U", idx, user + 1, 3),
        "ts": col.timestamps(ts),
        "event": col.labels(EVENTS, kind),
        "duration_s": pa.array(np.round(duration), pa.float64(), mask=~session),
    }


@dataclass(frozen=True)
class Buyers:
    """Each account's order process (NaN where it never buys): the BG/NBD and Gamma-Gamma draws."""

    rate: Array
    dropout: Array
    spend: Array


def buyers(rng: np.random.Generator, acc: Accounts) -> Buyers:
    """Who buys one-off orders, how often and for how much (see the module docstring)."""
    n, seg = len(acc), acc.segment
    buys = acc.customer & (rng.random(n) < ORDER_PRONE[seg])
    rate = rng.gamma(ORDER_R, 1.0 / ORDER_ALPHA, n)
    dropout = rng.beta(ORDER_A, ORDER_B, n)
    nu = rng.gamma(SPEND_Q, 1.0 / SPEND_GAMMA, n)
    spend = ORDER_SCALE[seg] * SPEND_P / nu
    nan = np.full(n, np.nan)
    return Buyers(
        np.where(buys, rate, nan), np.where(buys, dropout, nan), np.where(buys, spend, nan)
    )


def orders(
    rng: np.random.Generator, acc: Accounts, cal: Calendar, b: Buyers
) -> dict[str, pa.Array]:
    """The ``orders`` columns: BG/NBD purchases with Gamma-Gamma amounts.

    A buyer's first order falls in its first ``FIRST_ORDER_DAYS`` as a customer
    within the range; after each order it drops out with chance ``dropout``,
    else orders again after an exponential wait at ``rate`` orders a month.
    """
    idx = np.flatnonzero(~np.isnan(b.rate))
    start = np.maximum(acc.contract_day[idx], cal.first_day)
    first = start + (rng.random(len(idx)) * FIRST_ORDER_DAYS).astype(np.int64)
    count = np.minimum(rng.geometric(b.dropout[idx]), MAX_ORDERS)
    row = np.repeat(np.arange(len(idx)), count)
    gap = rng.exponential(1.0, len(row)) / b.rate[idx][row] * MONTH_DAYS
    nth = col.sequence(row) - 1
    gap[nth == 0] = 0.0
    offset = np.cumsum(gap)
    offset -= np.repeat(offset[np.cumsum(count) - count], count)
    at = (first[row] + offset) * DAY + business_seconds(rng, len(row))
    keep = at <= cal.end_s
    i, at = idx[row][keep], at[keep].astype(np.int64)
    order = np.lexsort((at, i))
    i, at = i[order], at[order]
    amount = rng.gamma(SPEND_P, b.spend[i] / SPEND_P)
    return {
        "order_id": child_ids(acc, "O", i, col.sequence(i)),
        "account_id": account_ids(acc, i),
        "ordered_at": col.timestamps(at),
        "amount": pa.array(col.money(np.maximum(amount, 1.0))),
    }
