"""Handoffs and onboardings: what happens between the signature and go-live.

Every customer has one won new-business deal, one handoff and one onboarding,
all at the contract's signature. The handoff record is as good as the rep
who sold the account: better reps leave fewer required fields empty and make
fewer errors. The onboarding's length has a median by segment (SMB 14 days,
Mid-Market 35, Enterprise 65), is shorter for healthy accounts and longer
for poor handoffs; unhealthy accounts stall more often. While an onboarding
runs late, it lowers the account's hidden health (``tandem.synth.lifecycle``).
Target days are set on some onboardings; the others are left empty so the
workspace's per-segment knob applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tandem.synth import columns as col
from tandem.synth.company import Accounts, Staff, account_ids, business_seconds, child_ids
from tandem.synth.config import DAY, Array, Calendar

MEDIAN_DAYS = np.array([14.0, 35.0, 90.0])
#: Days after signature from which an onboarding not yet live hurts health.
OVERDUE_DAYS = np.array([21, 45, 90])
TARGETS = np.array([[14, 21], [30, 45], [60, 90]])
TARGET_SET = 0.65
STATUSES = ("live", "in_progress", "stalled", "cancelled")
LIVE, IN_PROGRESS, STALLED, CANCELLED = range(4)
NEVER = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Handover:
    """Per account (customers only are meaningful): the signature, handoff and go-live."""

    signed_s: Array
    handed_off_s: Array
    fields_required: Array
    fields_completed: Array
    errors_found: Array
    target_days: Array
    go_live_day: Array
    go_live_s: Array

    def live_by(self, day: int) -> Array:
        return self.go_live_day <= day


def plan(
    rng: np.random.Generator, acc: Accounts, staff: Staff, health: Array, cal: Calendar
) -> Handover:
    """Draw every customer's handoff and onboarding from rep quality and starting health."""
    n = len(acc)
    rep_q = staff.rep_quality[acc.rep]
    signed = acc.contract_day * DAY + business_seconds(rng, n)
    required = rng.integers(12, 21, n)
    missing = np.minimum(
        rng.poisson(np.exp(-0.2 - 0.9 * rep_q + rng.normal(0.0, 0.3, n))), required
    )
    errors = rng.poisson(np.exp(-1.3 - 0.7 * rep_q))
    days = (
        MEDIAN_DAYS[acc.segment]
        * np.exp(rng.normal(0.0, 0.45, n) - 1.2 * (health - 0.55))
        * (1.0 + 0.05 * missing + 0.1 * errors)
    )
    stalled = rng.random(n) < 0.03 + 0.15 * (1.0 - health) ** 2
    live_day = acc.contract_day + np.ceil(days).astype(np.int64)
    target = np.where(rng.random(n) < TARGET_SET, TARGETS[acc.segment, rng.integers(0, 2, n)], -1)
    return Handover(
        signed_s=signed,
        # A contract signed on the last simulated days is handed off by the end, not after.
        handed_off_s=np.minimum(
            signed + rng.integers(1_800, 3 * DAY, n), (cal.end_day + 1) * DAY - 1
        ),
        fields_required=required,
        fields_completed=required - missing,
        errors_found=errors,
        target_days=target,
        go_live_day=np.where(stalled, NEVER, live_day),
        go_live_s=np.where(stalled, -1, live_day * DAY + business_seconds(rng, n)),
    )


def status(hand: Handover, cal: Calendar, first_churn_day: Array) -> Array:
    """Live by the end; cancelled when the account churned first; else stalled or running."""
    live = (hand.go_live_day <= cal.end_day) & (hand.go_live_day < first_churn_day)
    churned = first_churn_day < NEVER
    stalled = hand.go_live_day == NEVER
    return np.select([live, churned, stalled], [LIVE, CANCELLED, STALLED], IN_PROGRESS)


def tables(
    acc: Accounts, hand: Handover, state: Array, deal_ids: pa.Array
) -> tuple[dict[str, pa.Array], dict[str, pa.Array]]:
    """``handoffs`` and ``onboardings`` columns for the customers of the chunk.

    ``deal_ids`` holds each customer's new-business deal (``tandem.synth.sales``),
    so the handoff names the deal that triggered it.
    """
    idx = np.flatnonzero(acc.customer)
    handoffs = {
        "handoff_id": child_ids(acc, "H", idx),
        "account_id": account_ids(acc, idx),
        "deal_id": deal_ids,
        "handed_off_at": col.timestamps(hand.handed_off_s[idx]),
        "fields_required": pa.array(hand.fields_required[idx], pa.int64()),
        "fields_completed": pa.array(hand.fields_completed[idx], pa.int64()),
        "errors_found": pa.array(hand.errors_found[idx], pa.int64()),
    }
    live = state[idx] == LIVE
    target = hand.target_days[idx]
    onboardings = {
        "onboarding_id": child_ids(acc, "B", idx),
        "account_id": account_ids(acc, idx),
        "started_at": col.timestamps(hand.signed_s[idx]),
        "target_days": pa.array(target, pa.int64(), mask=target < 0),
        "go_live_at": col.timestamps(np.where(live, hand.go_live_s[idx], 0), mask=~live),
        "status": col.labels(STATUSES, state[idx]),
    }
    return handoffs, onboardings
