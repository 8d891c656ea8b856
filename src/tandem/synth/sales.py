"""Deals and trials: the pipeline around the subscriptions.

Deals. Every customer has a won ``new_business`` deal (12 × its first MRR,
owned by its rep, closed at the signature). Most prospects have one or more
new-business deals, months apart, all lost (half of them qualified) but for a
last one that may still be open; the others only tried the product. Each
expansion in the subscriptions is a won ``upsell`` or ``cross_sell`` (12 × the
MRR added, owned by the CSM or the rep); unhealthy paying accounts also lose
expansion deals. Each contract
anniversary brings a ``renewal``, lost when the account churns that month.

Trials. Customers may have tried first: free trials and freemium mostly in
SMB, pilots in Enterprise and Mid-Market; ``converted_at`` is the signature
(the first paid day). Most free trials convert within 30 days, a fifth later;
a quarter of pilots convert with no ``ended_at``. Prospects' trials never convert:
sign-ups' free trials and freemium, sales prospects' pilots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tandem.schema import DEAL_OUTCOMES, DEAL_TYPES, TRIAL_KINDS
from tandem.synth import columns as col
from tandem.synth.company import (
    PROSPECT,
    Accounts,
    Staff,
    account_ids,
    business_seconds,
    child_ids,
)
from tandem.synth.config import DAY, Array, Calendar
from tandem.synth.lifecycle import MRR_RANGE, Lifecycle
from tandem.synth.log import Log
from tandem.synth.onboarding import Handover

NEW_BUSINESS, UPSELL, CROSS_SELL, RENEWAL = range(4)
WON, LOST, OPEN = range(3)
PILOT, FREE_TRIAL, FREEMIUM = range(3)
#: Per segment: a customer's chance of a trial, and the share of each kind (pilot,
#: free trial, freemium) among customers' trials and among sign-ups' ones.
CUSTOMER_TRIALS = np.array([0.5, 0.45, 0.55])
CUSTOMER_MIX = np.array([[0.0, 0.7, 0.3], [0.4, 0.6, 0.0], [1.0, 0.0, 0.0]])
SIGNUP_MIX = np.array([0.0, 0.6, 0.4])
#: Sign-ups (self-serve prospects) all tried; sales prospects of Mid-Market and
#: Enterprise ran a pilot this often.
PROSPECT_PILOTS = np.array([0.0, 0.35, 0.5])
#: New-business attempts of a sales prospect: 1 + Poisson(this), months apart.
PROSPECT_TRIES = 3.5
#: Share of lost new-business deals that had been qualified.
LOST_QUALIFIED = 0.85
#: Share of customers' free trials that convert after more than 30 days.
LATE_CONVERSION = 0.3


@dataclass(frozen=True)
class Trials:
    """One trial per account at most; ``lo``/``hi`` are the days of trial usage."""

    idx: Array
    kind: Array
    started_s: Array
    ended_s: Array
    converted_s: Array
    lo: Array
    hi: Array


def deals(
    rng: np.random.Generator,
    acc: Accounts,
    staff: Staff,
    cal: Calendar,
    hand: Handover,
    life: Lifecycle,
) -> tuple[dict[str, pa.Array], Array]:
    """The ``deals`` columns, and the id of each customer's won new-business deal."""
    log = Log()
    rep = staff.rep_number[acc.rep]
    csm = np.where(acc.csm >= 0, staff.csm_number[np.maximum(acc.csm, 0)], rep)
    cust = np.flatnonzero(acc.customer)
    log.add(
        idx=cust,
        type=np.full(len(cust), NEW_BUSINESS),
        created=acc.created_s[cust],
        closed=hand.signed_s[cust],
        outcome=np.full(len(cust), WON),
        amount=12.0 * life.initial_mrr[cust],
        qualified=rng.random(len(cust)) < 0.97,
        owner=rep[cust],
    )
    _prospects(rng, acc, cal, rep, log)
    _expansions(rng, life, rep, csm, log)
    rn = life.renewals
    m = len(rn["idx"])
    done = rn["day"] * DAY + business_seconds(rng, m)
    log.add(
        idx=rn["idx"],
        type=np.full(m, RENEWAL),
        created=done - 60 * DAY,
        closed=done,
        outcome=np.where(rn["won"], WON, LOST),
        amount=rn["amount"],
        qualified=np.ones(m, bool),
        owner=csm[rn["idx"]],
    )

    d = log.done()
    order = np.lexsort((d["created"], d["idx"]))
    d = {k: v[order] for k, v in d.items()}
    deal_ids = child_ids(acc, "D", d["idx"], col.sequence(d["idx"]))
    won_new = (d["type"] == NEW_BUSINESS) & (d["outcome"] == WON)
    row_of = np.zeros(len(acc), np.int64)
    row_of[d["idx"][won_new]] = np.flatnonzero(won_new)
    is_open = d["outcome"] == OPEN
    columns = {
        "deal_id": deal_ids,
        "account_id": account_ids(acc, d["idx"]),
        "owner_id": col.ids("E", d["owner"], staff.width),
        "type": col.labels(DEAL_TYPES, d["type"]),
        "created_at": col.timestamps(d["created"]),
        "closed_at": col.timestamps(np.where(is_open, 0, d["closed"]), mask=is_open),
        "outcome": col.labels(DEAL_OUTCOMES, d["outcome"]),
        "amount": pa.array(col.money(d["amount"])),
        "qualified": pa.array(d["qualified"].astype(bool)),
    }
    return columns, deal_ids.take(pa.array(row_of[cust]))


def _prospects(
    rng: np.random.Generator, acc: Accounts, cal: Calendar, rep: Array, log: Log
) -> None:
    """One or more new-business attempts per prospect, months apart; lost, or open at the end."""
    pro = np.flatnonzero((acc.kind == PROSPECT) & ~acc.signup)
    tries = 1 + rng.poisson(PROSPECT_TRIES, len(pro))
    i = np.repeat(pro, tries)
    nth = col.sequence(i) - 1
    created = acc.created_s[i] + nth * rng.integers(45, 150, len(i)) * DAY
    closed = created + rng.integers(7, 120, len(i)) * DAY
    last = nth == np.repeat(tries, tries) - 1
    still_open = (last & (rng.random(len(i)) < 0.2)) | (closed > cal.end_s)
    span = MRR_RANGE[acc.segment[i]]
    guess = np.exp(rng.uniform(np.log(span[:, 0]), np.log(span[:, 1])))
    keep = created <= cal.end_s
    log.add(
        idx=i[keep],
        type=np.full(keep.sum(), NEW_BUSINESS),
        created=created[keep],
        closed=np.where(still_open, -1, closed)[keep],
        outcome=np.where(still_open, OPEN, LOST)[keep],
        amount=np.round(12.0 * guess, 0)[keep],
        qualified=(rng.random(len(i)) < np.where(still_open, 0.7, LOST_QUALIFIED))[keep],
        owner=rep[i][keep],
    )


def _expansions(
    rng: np.random.Generator, life: Lifecycle, rep: Array, csm: Array, log: Log
) -> None:
    """Won upsells and cross-sells behind each MRR increase; the attempts that were lost."""
    ch = life.changes
    grew = ch["new"] > ch["old"]
    i = ch["idx"][grew]
    m = len(i)
    done = ch["day"][grew] * DAY + business_seconds(rng, m)
    log.add(
        idx=i,
        type=np.where(rng.random(m) < 0.7, UPSELL, CROSS_SELL),
        created=done - rng.integers(7, 45, m) * DAY,
        closed=done,
        outcome=np.full(m, WON),
        amount=12.0 * (ch["new"] - ch["old"])[grew],
        qualified=np.ones(m, bool),
        owner=np.where(rng.random(m) < 0.6, csm[i], rep[i]),
    )
    i = life.lost_expansions["idx"]
    m = len(i)
    done = life.lost_expansions["day"] * DAY + business_seconds(rng, m)
    log.add(
        idx=i,
        type=np.where(rng.random(m) < 0.6, UPSELL, CROSS_SELL),
        created=done - rng.integers(10, 60, m) * DAY,
        closed=done,
        outcome=np.full(m, LOST),
        amount=np.round(12.0 * life.initial_mrr[i] * rng.uniform(0.1, 0.5, m), 0),
        qualified=rng.random(m) < 0.6,
        owner=csm[i],
    )


def trials(rng: np.random.Generator, acc: Accounts, cal: Calendar, hand: Handover) -> Trials:
    """Who tried the product before buying (or instead of it); see the module docstring."""
    n, seg = len(acc), acc.segment
    cust = acc.customer
    u = rng.random(n)
    tried = np.where(cust, u < CUSTOMER_TRIALS[seg], acc.signup | (u < PROSPECT_PILOTS[seg]))
    mix = np.where(cust[:, None], CUSTOMER_MIX[seg], np.where(acc.signup[:, None], SIGNUP_MIX, 1.0))
    kind = (rng.random(n)[:, None] > mix.cumsum(axis=1)).sum(axis=1).clip(0, 2)

    late = rng.random(n) < LATE_CONVERSION
    lead_days = np.select(
        [kind == FREE_TRIAL, kind == FREEMIUM],
        [np.where(late, rng.integers(31, 90, n), rng.integers(3, 30, n)), rng.integers(10, 200, n)],
        rng.integers(20, 120, n),
    )
    signed = hand.signed_s
    start_c = signed - lead_days * DAY - rng.integers(0, DAY // 2, n)
    start_p = acc.created_s + rng.integers(0, 20, n) * DAY
    started = np.where(cust, start_c, start_p)
    length = (
        np.select(
            [kind == FREE_TRIAL, kind == FREEMIUM],
            [np.full(n, 14), rng.integers(20, 200, n)],
            rng.integers(14, 60, n),
        )
        * DAY
    )
    open_ended = ((kind == FREEMIUM) & (cust | (rng.random(n) < 0.4))) | (
        (kind == PILOT) & cust & (rng.random(n) < 0.25)
    )
    ended = np.where(cust, np.minimum(started + length, signed), started + length)
    ended = np.where(open_ended | (ended > cal.end_s), -1, ended)
    keep = tried & (started <= cal.end_s)
    idx = np.flatnonzero(keep)
    usage_end = np.where(
        cust, signed // DAY, np.where(ended < 0, started // DAY + 60, ended // DAY)
    )
    return Trials(
        idx=idx,
        kind=kind[idx],
        started_s=started[idx],
        ended_s=ended[idx],
        converted_s=np.where(cust, signed, -1)[idx],
        lo=np.maximum(started[idx] // DAY, cal.first_day),
        hi=np.minimum(usage_end[idx], cal.end_day + 1),
    )


def trials_table(acc: Accounts, tr: Trials) -> dict[str, pa.Array]:
    return {
        "trial_id": child_ids(acc, "R", tr.idx),
        "account_id": account_ids(acc, tr.idx),
        "kind": col.labels(TRIAL_KINDS, tr.kind),
        "started_at": col.timestamps(tr.started_s),
        "ended_at": col.timestamps(np.maximum(tr.ended_s, 0), mask=tr.ended_s < 0),
        "converted_at": col.timestamps(np.maximum(tr.converted_s, 0), mask=tr.converted_s < 0),
    }
