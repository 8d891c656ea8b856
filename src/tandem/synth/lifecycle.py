"""Hidden health and subscriptions, simulated month by month over a chunk of accounts.

Health ``h = sigmoid(z)`` in [0, 1]. Each month ``z`` moves a step of 15 %
towards the account's fit plus 0.6 × its CSM's quality (so better CSMs raise
health over time), with noise; an onboarding running late pulls it down.
Health then decides, for each paying account, at most one change that month:

- churn, with a monthly hazard ``base(segment) × 4 (1 − h)²`` (``CHURN_BASE``).
  Contracts are monthly (most SMB) or annual (``ANNUAL_SHARE``): an annual
  customer can only leave, or shrink, in the month its contract renews, with the
  twelve months' hazard at once, so renewal proximity matters as it does in
  real life. A fifth of churners move to the Free plan (MRR 0) instead of
  ending their row;
- expansion (more likely when healthy) or contraction (when unhealthy): the
  row ends and a new one starts with more or less MRR and seats;
- a failed payment (monthly contracts): the row ends and the same one resumes
  1–10 days later.

Churned accounts come back (reactivation) with a probability that grows with
health. Changes fall on the first of the month half of the time, else on a
random day. Subscription rows are one per period of constant MRR, with
``valid_to`` exclusive and -1 (empty) while still running.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tandem.synth import columns as col
from tandem.synth.company import EXISTING, NEW, Accounts, Staff, account_ids, child_ids
from tandem.synth.config import Array, Calendar
from tandem.synth.log import Log
from tandem.synth.onboarding import NEVER, OVERDUE_DAYS, Handover

PLANS = ("Free", "Starter", "Growth", "Scale", "Enterprise")
PLAN_FLOORS = np.array([0.005, 300.0, 2_000.0, 8_000.0])
MRR_RANGE = np.array([[100.0, 600.0], [800.0, 4_000.0], [5_000.0, 30_000.0]])
#: MRR per seat by segment: SMB 1–7 seats, Mid-Market 4–22, Enterprise 8–50 at the start.
SEAT_PRICE = np.array([90.0, 180.0, 600.0])
#: Monthly churn hazard at health 0.5, by segment (see ``docs/demo-company.md``).
CHURN_BASE = np.array([0.034, 0.016, 0.009])
#: Share of annual contracts by segment; the others pay month to month.
ANNUAL_SHARE = np.array([0.1, 0.6, 0.95])
UP_BASE = np.array([0.022, 0.032, 0.036])
DOWN_BASE = np.array([0.006, 0.006, 0.005])
GAP_RATE = 0.006
FREE_SHARE = 0.2
FIRST_OF_MONTH = 0.5
THETA, CSM_EFFECT, SIGMA, OVERDUE_PENALTY = 0.12, 0.6, 0.22, 0.25


#: Lost expansion attempts a month: ``LOST_EXPANSION × UP_BASE × (1.6 − h)``, so that
#: about 55–65 % of expansion deals are won, fewer for unhealthy accounts.
LOST_EXPANSION = 0.9


def p_up_of(h: Array, seg: Array) -> Array:
    """The monthly chance of an expansion (before the other events are drawn)."""
    p: Array = UP_BASE[seg] * (0.2 + 1.6 * h**2)
    return p


def sigmoid(z: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def plan_of(mrr: Array) -> Array:
    return np.searchsorted(PLAN_FLOORS, mrr, side="right").astype(np.int8)


def seats_for(mrr: Array, segment: Array) -> Array:
    seats: Array = np.maximum(1, np.round(mrr / SEAT_PRICE[segment])).astype(np.int64)
    return seats


@dataclass(frozen=True)
class Lifecycle:
    """What the simulation hands to the other tables.

    ``health`` and the active interval ``[active_lo, active_hi)`` (days paid in
    the month; empty when equal) are (accounts × months). ``rows`` are the
    subscription rows; ``churns`` (with ``free`` for moves to the Free plan),
    ``changes``, ``renewals`` and ``lost_expansions`` are event logs with a
    local account ``idx``. ``annual`` marks annual contracts.
    """

    health: Array
    active_lo: Array
    active_hi: Array
    rows: dict[str, Array]
    churns: dict[str, Array]
    changes: dict[str, Array]
    renewals: dict[str, Array]
    lost_expansions: dict[str, Array]
    first_churn_day: Array
    initial_mrr: Array
    annual: Array
    new_customers: Array
    customers: Array
    mrr: Array


class _Ledger:
    """The subscription row each account has open, and the rows already closed."""

    def __init__(self, start: Array, mrr: Array, seats: Array) -> None:
        self.start, self.mrr, self.seats = start, mrr, seats
        self.closed = Log()

    def close(self, mask: Array, day: Array) -> None:
        i = np.flatnonzero(mask)
        self.closed.add(idx=i, vf=self.start[i], vt=day[i], mrr=self.mrr[i], seats=self.seats[i])

    def open(self, mask: Array, day: Array, mrr: Array, seats: Array) -> None:
        self.start[mask] = day[mask]
        self.mrr[mask] = mrr[mask]
        self.seats[mask] = seats[mask]

    def end(self, mask: Array) -> None:
        self.start[mask] = -1
        self.mrr[mask] = 0.0

    def rows(self) -> dict[str, Array]:
        """Every row, the ones still open with ``vt`` -1."""
        self.close(self.start >= 0, np.full(len(self.start), -1))
        return self.closed.done()


def _events(
    rng: np.random.Generator,
    h: Array,
    seg: Array,
    paying: Array,
    annual: Array,
    renewing: Array,
    lo: int,
    hi: int,
) -> tuple[Array, Array, Array, Array, Array]:
    """At most one of churn, up, down or a payment gap per paying account, and its day.

    Annual contracts take twelve months of churn and contraction hazard in their
    renewal month and none in the others.
    """
    n = len(h)
    p_churn = CHURN_BASE[seg] * 8.0 * (1.0 - h) ** 3
    p_up = p_up_of(h, seg)
    p_down = DOWN_BASE[seg] * (0.2 + 1.6 * (1.0 - h) ** 2)
    at_renewal = np.where(renewing, 1.0, 0.0)
    p_churn = np.where(annual, at_renewal * (1.0 - (1.0 - p_churn) ** 12), p_churn)
    p_down = np.where(annual, at_renewal * (1.0 - (1.0 - p_down) ** 12), p_down)
    p_gap = np.where(annual, 0.0, GAP_RATE)
    edges = np.cumsum([p_churn, p_up, p_down, p_gap], axis=0)
    event = np.where(paying, (rng.random(n)[None, :] >= edges).sum(axis=0), 4)
    day = np.where(rng.random(n) < FIRST_OF_MONTH, lo, lo + rng.integers(0, hi - lo, n))
    churn, up, down, gap = (event == e for e in range(4))
    return churn, up, down, gap & (hi - lo > 11), day


def _anniversaries(acc: Accounts, cal: Calendar, start_month: Array) -> tuple[Array, Array]:
    """Month of the year (index modulo 12) and day of the month of each contract's renewal."""
    month = acc.contract_day.astype("datetime64[D]").astype("datetime64[M]")
    first = np.datetime64(cal.first_day, "D").astype("datetime64[M]")
    offset = (month - first).astype(np.int64)
    dom = acc.contract_day - month.astype("datetime64[D]").astype(np.int64)
    return np.where(acc.kind == EXISTING, offset, start_month) % 12, dom


def simulate(
    rng: np.random.Generator,
    acc: Accounts,
    cal: Calendar,
    staff: Staff,
    hand: Handover,
    z: Array,
) -> Lifecycle:
    """Run the months; ``z`` is the starting health logit of each account (see module)."""
    n, months, seg = len(acc), cal.months, acc.segment
    csm_q = np.where(acc.csm >= 0, staff.csm_quality[np.maximum(acc.csm, 0)], 0.0)
    target = acc.fit + CSM_EFFECT * csm_q
    start_month = np.where(acc.kind == NEW, cal.month_of(acc.contract_day), months + 1)
    anniversary, renew_dom = _anniversaries(acc, cal, start_month)
    annual = rng.random(n) < ANNUAL_SHARE[seg]
    span = MRR_RANGE[seg]
    mrr0 = np.round(np.exp(rng.uniform(np.log(span[:, 0]), np.log(span[:, 1]))), 0)
    paid = acc.kind == EXISTING
    book = _Ledger(
        np.where(paid, acc.contract_day, -1), np.where(paid, mrr0, 0.0), seats_for(mrr0, seg)
    )
    ever = paid.copy()
    last_mrr = mrr0.copy()
    churned_in = np.full(n, -(10**6))
    first_churn = np.full(n, NEVER, np.int64)

    health = np.zeros((n, months), np.float32)
    act_lo = np.zeros((n, months), np.int32)
    act_hi = np.zeros((n, months), np.int32)
    churns, changes, renewals, lost = Log(), Log(), Log(), Log()
    new_customers = np.zeros((months, 3), np.int64)
    customers = np.zeros(months, np.int64)
    mrr_total = np.zeros(months)

    for k in range(months):
        lo, hi = int(cal.lo[k]), int(cal.hi[k])
        overdue = paid & ~hand.live_by(lo) & (lo - acc.contract_day > OVERDUE_DAYS[seg])
        z = z + THETA * (target - z) + rng.normal(0.0, SIGMA, n) - OVERDUE_PENALTY * overdue
        h = sigmoid(z)
        health[:, k] = h
        was_paid = paid
        renewing = was_paid & (anniversary == k % 12)
        churn, up, down, gap, day = _events(rng, h, seg, was_paid, annual, renewing, lo, hi)
        # A renewal's decision takes effect on the renewal day.
        renewal_day = np.minimum(lo + renew_dom, hi - 1)
        day = np.where(annual & renewing & (churn | down), renewal_day, day)

        book.close(churn, day)
        last_mrr = np.where(churn, book.mrr, last_mrr)
        free = churn & (rng.random(n) < FREE_SHARE)
        book.end(churn)
        book.open(free, day, np.zeros(n), np.ones(n, np.int64))
        churns.add(
            idx=np.flatnonzero(churn),
            day=day[churn],
            month=np.full(churn.sum(), k),
            free=free[churn],
        )
        churned_in[churn] = k
        first_churn = np.where(churn, np.minimum(first_churn, day), first_churn)

        moved = up | down
        factor = np.where(up, rng.uniform(1.15, 1.75, n), rng.uniform(0.6, 0.9, n))
        new_mrr = np.round(book.mrr * factor, 0)
        new_seats = np.where(
            up,
            np.maximum(book.seats + 1, seats_for(new_mrr, seg)),
            np.minimum(book.seats, seats_for(new_mrr, seg)),
        )
        changes.add(
            idx=np.flatnonzero(moved), day=day[moved], old=book.mrr[moved], new=new_mrr[moved]
        )
        book.close(moved, day)
        book.open(moved, day, new_mrr, new_seats)

        pause = rng.integers(1, 11, n)
        gap_day = lo + rng.integers(0, np.maximum(hi - lo - pause, 1))
        book.close(gap, gap_day)
        book.open(gap, gap_day + pause, book.mrr, book.seats)

        starting = start_month == k
        book.open(starting, acc.contract_day, mrr0, seats_for(mrr0, seg))
        new_customers[k] = np.bincount(seg[starting], minlength=3)

        back = ~was_paid & ever & (k - churned_in >= 2) & (rng.random(n) < 0.01 + 0.04 * h)
        book.close(back & (book.start >= 0), day)
        back_mrr = np.maximum(np.round(last_mrr * rng.uniform(0.7, 1.1, n), 0), 50.0)
        book.open(back, day, back_mrr, seats_for(back_mrr, seg))

        paid = (was_paid & ~churn) | starting | back
        ever |= starting
        negotiated = renewing & annual
        renewals.add(
            idx=np.flatnonzero(negotiated),
            day=np.where(churn, day, renewal_day)[negotiated],
            won=~churn[negotiated],
            amount=12.0 * np.where(churn, last_mrr, book.mrr)[negotiated],
        )
        lose = LOST_EXPANSION * UP_BASE[seg] * (1.6 - h)
        trying = was_paid & ~churn & ~up & (rng.random(n) < lose)
        lost.add(idx=np.flatnonzero(trying), day=day[trying])

        act_lo[:, k] = np.select([was_paid, starting, back], [lo, acc.contract_day, day], 0)
        act_hi[:, k] = np.where(was_paid | starting | back, np.where(churn, day, hi), 0)
        customers[k] = paid.sum()
        mrr_total[k] = book.mrr[paid].sum()

    return Lifecycle(
        health=health,
        active_lo=act_lo,
        active_hi=act_hi,
        rows=book.rows(),
        churns=churns.done(),
        changes=changes.done(),
        renewals=renewals.done(),
        lost_expansions=lost.done(),
        first_churn_day=first_churn,
        initial_mrr=mrr0,
        annual=annual,
        new_customers=new_customers,
        customers=customers,
        mrr=mrr_total,
    )


def subscriptions(acc: Accounts, life: Lifecycle) -> dict[str, pa.Array]:
    """The ``subscriptions`` columns, ordered by account and ``valid_from``."""
    rows = life.rows
    order = np.lexsort((rows["vf"], rows["idx"]))
    idx, vf, vt = rows["idx"][order], rows["vf"][order], rows["vt"][order]
    mrr, seats = rows["mrr"][order], rows["seats"][order]
    return {
        "subscription_id": child_ids(acc, "S", idx, col.sequence(idx)),
        "account_id": account_ids(acc, idx),
        "plan": col.labels(PLANS, plan_of(mrr)),
        "mrr": pa.array(mrr, pa.float64()),
        "seats": pa.array(seats, pa.int64()),
        "valid_from": col.dates(vf),
        "valid_to": col.dates(np.maximum(vt, 0), mask=vt < 0),
    }
