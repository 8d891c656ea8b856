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

Orders. A minority of customers (more in Enterprise) buy training or services
now and then, sometimes several times in a month.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

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
SEGMENT_USERS = np.array([1.0, 2.5, 6.0])
DECLINE = (0.6, 0.55, 0.75, 0.9)
MAX_USERS = 999
BATCH_EVENTS = 2_000_000
ORDER_PRONE = np.array([0.12, 0.25, 0.4])
ORDER_MEDIAN = np.array([500.0, 2_500.0, 12_000.0])


def _decline(life: Lifecycle) -> Array:
    """Per account and month, how much usage is left by an approaching churn (``DECLINE``)."""
    factor = np.ones(life.health.shape, np.float64)
    for back, f in enumerate(DECLINE):
        k = life.churns["month"] - back
        ok = k >= 0
        np.minimum.at(factor, (life.churns["idx"][ok], k[ok]), f)
    return factor


def usage_windows(
    acc: Accounts, cal: Calendar, life: Lifecycle, tr: Trials
) -> tuple[Windows, Array]:
    """All windows of usage with their weights (see the module docstring)."""
    users = SEGMENT_USERS[acc.segment]
    paying = paying_months(life)
    w_pay = paying.days * users[paying.idx] * (0.15 + 1.7 * paying.health**1.5)
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
    w, weight = usage_windows(acc, cal, life, tr)
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
    active = np.maximum(1, np.round(seats[idx] * (0.25 + 0.75 * h))).astype(np.int64)
    user = (active * rng.random(m) ** 1.7).astype(np.int64)
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


def orders(rng: np.random.Generator, acc: Accounts, life: Lifecycle) -> dict[str, pa.Array]:
    """The ``orders`` columns: one-off purchases by order-prone customers."""
    paying = paying_months(life)
    prone = rng.random(len(acc)) < ORDER_PRONE[acc.segment]
    months = paying.take(prone[paying.idx] & (rng.random(len(paying)) < 0.08))
    row, day = expand(rng, months, 1 + rng.binomial(2, 0.2, len(months)))
    idx = months.idx[row]
    at = day * DAY + business_seconds(rng, len(row))
    order = np.lexsort((at, idx))
    idx, at = idx[order], at[order]
    amount = ORDER_MEDIAN[acc.segment[idx]] * np.exp(rng.normal(0.0, 0.6, len(idx)))
    return {
        "order_id": child_ids(acc, "O", idx, col.sequence(idx)),
        "account_id": account_ids(acc, idx),
        "ordered_at": col.timestamps(at),
        "amount": pa.array(col.money(amount)),
    }
