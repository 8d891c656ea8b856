"""Support tickets and survey responses, both driven by hidden health.

Tickets. Paying account-months raise tickets at a rate ``days/30 ×
load(segment) × (0.25 + 2.2 (1 − h)^1.5)``, scaled to ``TICKETS_PER_CUSTOMER_MONTH``
on average. Unhealthy accounts' tickets are more often urgent, escalated
(``ESCALATION``) and need more contacts; resolution takes longer with
contacts and escalation, and tickets still unresolved at the end stay open.

Surveys. A resolved ticket is followed by a CSAT answer (30 %) or a CES
answer (8 %); a live onboarding by a CES answer (60 %); and each quarter's
last month brings the NPS relationship survey to paying accounts
(``NPS_PER_CUSTOMER_QUARTER`` answers per paying account, more in larger
segments). Every score rises with health; CSAT and CES fall with contacts and
escalation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tandem.schema import CES_SCALE, NPS_SCALE, SURVEYS
from tandem.synth import columns as col
from tandem.synth.company import Accounts, account_ids, business_seconds, child_ids
from tandem.synth.config import DAY, Array, Calendar
from tandem.synth.lifecycle import Lifecycle, seats_for
from tandem.synth.log import Log
from tandem.synth.onboarding import LIVE, OVERDUE_DAYS, Handover
from tandem.synth.windows import counts, expand, paying_months

SEGMENT_LOAD = np.array([1.0, 1.6, 2.5])
#: Tickets per paying customer and month, on average over the company.
TICKETS_PER_CUSTOMER_MONTH = 0.4
#: Chance a ticket is escalated: base + slope × (1 − h)², + more when urgent.
ESCALATION = (0.02, 0.25, 0.08)
#: Extra contacts a ticket needs: Poisson(base + slope × (1 − h)² + 0.6 if escalated).
CONTACTS_EXTRA = (0.05, 0.6)
#: NPS answers per paying account in each quarter's last month (× 1 + 0.7 × segment).
NPS_PER_CUSTOMER_QUARTER = 0.35
#: Score = base + slope × h + normal noise (sd), before rounding and clipping.
NPS_SCORE = (4.0, 7.4, 1.5)
CSAT_SCORE = (3.4, 2.3, 0.8)
PRIORITIES = ("low", "normal", "high", "urgent")
CHANNELS = ("email", "chat", "phone", "portal")
CHANNEL_SHARE = (0.45, 0.3, 0.15, 0.1)
TOUCHPOINTS = ("support_ticket", "onboarding", "relationship", "qbr")
#: Comments for low, middling and high scores: (first, count) in ``COMMENTS`` per band.
COMMENTS = (
    "Too many bugs lately.",
    "Support took ages to answer.",
    "Hard to get value from it.",
    "Considering alternatives.",
    "Does the job.",
    "Reporting could be better.",
    "Fine, a bit pricey.",
    "Love the dashboards!",
    "Our team uses it every day.",
    "Great support, quick answers.",
)
COMMENT_BANDS = np.array([[0, 4], [4, 3], [7, 3]])
CONTACTS = 25
NPS, CSAT, CES = range(3)
SCALES = np.array([NPS_SCALE, (1, 5), CES_SCALE])


@dataclass(frozen=True)
class Tickets:
    idx: Array
    created_s: Array
    resolved_s: Array
    contacts: Array
    escalated: Array
    priority: Array
    channel: Array
    health: Array


def tickets(rng: np.random.Generator, acc: Accounts, cal: Calendar, life: Lifecycle) -> Tickets:
    """Draw the tickets of the chunk, ordered by account and creation (see module)."""
    w = paying_months(life)
    weight = w.days / 30 * SEGMENT_LOAD[acc.segment[w.idx]] * (0.25 + 2.2 * (1 - w.health) ** 1.5)
    total = TICKETS_PER_CUSTOMER_MONTH * float(w.days.sum()) / 30.44
    row, day = expand(rng, w, counts(rng, weight, total))
    m = len(row)
    idx, h = w.idx[row], w.health[row]
    created = day * DAY + business_seconds(rng, m)
    order = np.lexsort((created, idx))
    idx, h, created = idx[order], h[order], created[order]
    sick = 1.0 - h
    u = rng.random(m)
    priority = np.select([u < 0.03 + 0.12 * sick, u < 0.18 + 0.22 * sick, u < 0.8], [3, 2, 1], 0)
    base, slope, urgent = ESCALATION
    escalated = rng.random(m) < base + slope * sick**2 + urgent * (priority == 3)
    contacts = 1 + rng.poisson(CONTACTS_EXTRA[0] + CONTACTS_EXTRA[1] * sick**2 + 0.6 * escalated)
    hours = np.exp(rng.normal(np.log(6.0), 1.0, m)) * contacts**0.8 * np.where(escalated, 4, 1)
    resolved = created + (hours * 3600).astype(np.int64) + 60
    resolved = np.where((resolved > cal.end_s) | (rng.random(m) < 0.01), -1, resolved)
    return Tickets(
        idx, created, resolved, contacts, escalated, priority, rng.choice(4, m, p=CHANNEL_SHARE), h
    )


def tickets_table(acc: Accounts, t: Tickets) -> dict[str, pa.Array]:
    return {
        "ticket_id": child_ids(acc, "K", t.idx, col.sequence(t.idx)),
        "account_id": account_ids(acc, t.idx),
        "created_at": col.timestamps(t.created_s),
        "resolved_at": col.timestamps(np.maximum(t.resolved_s, 0), mask=t.resolved_s < 0),
        "contacts": pa.array(t.contacts, pa.int64()),
        "escalated": pa.array(t.escalated),
        "priority": col.labels(PRIORITIES, t.priority),
        "channel": col.labels(CHANNELS, t.channel),
    }


def surveys(
    rng: np.random.Generator,
    acc: Accounts,
    cal: Calendar,
    life: Lifecycle,
    hand: Handover,
    state: Array,
    t: Tickets,
) -> dict[str, pa.Array]:
    """The ``survey_responses`` columns (see the module docstring)."""
    log = Log()
    _after_tickets(rng, t, log)
    _after_onboarding(rng, acc, cal, life, hand, state, log)
    _relationship(rng, acc, cal, life, log)
    return _responses(rng, acc, cal, life, log.done())


def _after_tickets(rng: np.random.Generator, t: Tickets, log: Log) -> None:
    resolved = t.resolved_s >= 0
    u = rng.random(len(t.idx))
    for survey, chosen in ((CSAT, resolved & (u < 0.3)), (CES, resolved & (u >= 0.3) & (u < 0.38))):
        m = int(chosen.sum())
        h, extra = t.health[chosen], 0.3 * (t.contacts[chosen] - 1) + 0.5 * t.escalated[chosen]
        base, slope, _ = CSAT_SCORE
        score = (base + slope * h if survey == CSAT else 2.5 + 4.5 * h) - extra
        log.add(
            idx=t.idx[chosen],
            survey=np.full(m, survey),
            score=score + rng.normal(0.0, 0.8, m),
            at=t.resolved_s[chosen] + rng.integers(600, 2 * DAY, m),
            touchpoint=np.zeros(m, np.int64),
        )


def _after_onboarding(
    rng: np.random.Generator,
    acc: Accounts,
    cal: Calendar,
    life: Lifecycle,
    hand: Handover,
    state: Array,
    log: Log,
) -> None:
    live = np.flatnonzero((state == LIVE) & (hand.go_live_day >= cal.first_day))
    live = live[rng.random(len(live)) < 0.6]
    m = len(live)
    month = np.clip(cal.month_of(hand.go_live_day[live]), 0, cal.months - 1)
    late = hand.go_live_day[live] - acc.contract_day[live] > OVERDUE_DAYS[acc.segment[live]]
    log.add(
        idx=live,
        survey=np.full(m, CES),
        score=2.5 + 4.5 * life.health[live, month] - 1.0 * late + rng.normal(0.0, 0.8, m),
        at=hand.go_live_s[live] + rng.integers(1, 15, m) * DAY,
        touchpoint=np.ones(m, np.int64),
    )


def _relationship(
    rng: np.random.Generator,
    acc: Accounts,
    cal: Calendar,
    life: Lifecycle,
    log: Log,
) -> None:
    """NPS in each quarter's last month; Mid-Market and Enterprise have more contacts to ask."""
    w = paying_months(life)
    quarter_end = cal.lo.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 3 == 2
    w = w.take(quarter_end[w.month])
    weight = 1.0 + 0.7 * acc.segment[w.idx]
    row, day = expand(rng, w, rng.poisson(NPS_PER_CUSTOMER_QUARTER * weight))
    m = len(row)
    qbr = (acc.segment[w.idx[row]] > 0) & (rng.random(m) < 0.3)
    log.add(
        idx=w.idx[row],
        survey=np.full(m, NPS),
        score=NPS_SCORE[0] + NPS_SCORE[1] * w.health[row] + rng.normal(0.0, NPS_SCORE[2], m),
        at=day * DAY + business_seconds(rng, m),
        touchpoint=np.where(qbr, 3, 2),
    )


def _responses(
    rng: np.random.Generator, acc: Accounts, cal: Calendar, life: Lifecycle, r: dict[str, Array]
) -> dict[str, pa.Array]:
    """Order, round and clip to each survey's scale; add comments and respondents."""
    keep = r["at"] <= cal.end_s
    order = np.lexsort((r["at"][keep], r["idx"][keep]))
    r = {k: v[keep][order] for k, v in r.items()}
    m, survey = len(r["idx"]), r["survey"]
    low, high = SCALES[survey, 0], SCALES[survey, 1]
    score = np.clip(np.round(r["score"]), low, high).astype(np.int64)
    band = np.clip(((score - low) * 3) // (high - low + 1), 0, 2)
    first, count = COMMENT_BANDS[band, 0], COMMENT_BANDS[band, 1]
    comment = np.where(rng.random(m) < 0.12, first + rng.integers(0, 12, m) % count, -1)
    seats = np.minimum(seats_for(life.initial_mrr, acc.segment), CONTACTS)
    contact = rng.integers(0, seats[r["idx"]]) + 1
    return {
        "response_id": child_ids(acc, "V", r["idx"], col.sequence(r["idx"])),
        "account_id": account_ids(acc, r["idx"]),
        "contact_id": child_ids(acc, "U", r["idx"], contact, 3),
        "survey": col.labels(SURVEYS, survey),
        "score": pa.array(score, pa.int64()),
        "responded_at": col.timestamps(r["at"]),
        "touchpoint": col.labels(TOUCHPOINTS, r["touchpoint"]),
        "comment": col.labels(COMMENTS, np.maximum(comment, 0), mask=comment < 0),
    }
