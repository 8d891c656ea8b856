"""Which accounts cross which rule on a day: one ``Hit`` per account, rule and subject.

Only customers on the as-of day (the catalog's paid coverage) are judged. A
hit's *subject* names what it is about when that is a thing with an identity
(the response, the ticket, the onboarding, the handoff, the renewal day): such
an alert is raised once per subject, ever. A usage drop has no subject: its
episode lasts while the condition holds on consecutive runs (see ledger.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tandem.alerts.rules import (
    DetractorResponse,
    EscalatedTicket,
    MissingHandoffField,
    OnboardingPastDue,
    RenewalRisk,
    Rule,
    UsageDrop,
)
from tandem.semantic.calendar import EPOCH, day_expr, day_number

if TYPE_CHECKING:
    import ibis

    from tandem.service.session import ReadSession
    from tandem.settings import HealthSettings


@dataclass(frozen=True)
class Hit:
    rule_id: str
    account_id: str
    subject: str
    reason: str
    facts: dict[str, Any] = field(default_factory=dict)


def evaluate(
    session: ReadSession, rules: list[Rule], as_of: dt.date, knobs: HealthSettings
) -> list[Hit]:
    """Every hit of every enabled rule as of ``as_of``."""
    from tandem.health.signals import Signals

    signals = Signals(session, [as_of], knobs)
    customers = signals.population().select("account_id")
    hits: list[Hit] = []
    for rule in rules:
        if not rule.enabled:
            continue
        match rule:
            case UsageDrop():
                hits += _usage_drop(session, rule, as_of, knobs, customers)
            case DetractorResponse():
                hits += _detractors(session, rule, as_of, customers)
            case EscalatedTicket():
                hits += _escalated(session, rule, as_of, customers)
            case OnboardingPastDue():
                hits += _onboarding(session, rule, as_of, customers)
            case RenewalRisk():
                hits += _renewal(session, rule, as_of, knobs)
            case MissingHandoffField():
                hits += _handoffs(session, rule, as_of, customers)
    return hits


def _rows(session: ReadSession, expr: ibis.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = session.run(expr).to_pylist()
    return rows


def _day(n: int) -> str:
    return (EPOCH + dt.timedelta(days=int(n))).isoformat()


def _usage_drop(
    session: ReadSession,
    rule: UsageDrop,
    as_of: dt.date,
    knobs: HealthSettings,
    customers: ibis.Table,
) -> list[Hit]:
    from tandem.health.signals import Signals

    k = knobs.model_copy(update={"usage_window_days": rule.window_days})
    s = Signals(session, [as_of], k).sessions()
    s = s.semi_join(customers, "account_id")
    keep = 1 - rule.drop_pct / 100
    s = s.filter(
        (s.sessions_before >= rule.min_sessions_before)
        & (s.sessions_recent <= s.sessions_before * keep)
    )
    out = []
    for r in _rows(session, s.order_by("account_id")):
        before, recent = r["sessions_before"], r["sessions_recent"]
        drop = 100 * (before - recent) / before
        out.append(
            Hit(
                rule.id,
                r["account_id"],
                "",
                f"usage fell {drop:.0f} %: {recent} session{'' if recent == 1 else 's'} in the "
                f"last {rule.window_days} days against {before} in the {rule.window_days} before",
                {"sessions_recent": recent, "sessions_before": before, "drop_pct": drop},
            )
        )
    return out


def _detractors(
    session: ReadSession, rule: DetractorResponse, as_of: dt.date, customers: ibis.Table
) -> list[Hit]:
    r = session.table("survey_responses")
    day = day_expr(r.responded_at)
    d = day_number(as_of)
    r = r.filter((r.survey == "nps") & (r.score <= 6) & (day <= d) & (day > d - rule.within_days))
    r = r.semi_join(customers, "account_id")
    out = []
    for x in _rows(session, r.order_by(["account_id", "responded_at", "response_id"])):
        comment = f': "{x["comment"]}"' if x.get("comment") else ""
        when = x["responded_at"].date().isoformat()
        out.append(
            Hit(
                rule.id,
                x["account_id"],
                f"response:{x['response_id']}",
                f"detractor: NPS {x['score']} on {when}{comment}",
                {"response_id": x["response_id"], "score": x["score"], "responded_on": when},
            )
        )
    return out


def _escalated(
    session: ReadSession, rule: EscalatedTicket, as_of: dt.date, customers: ibis.Table
) -> list[Hit]:
    t = session.table("tickets")
    day = day_expr(t.created_at)
    d = day_number(as_of)
    t = t.filter(t.escalated & (day <= d) & (day > d - rule.within_days))
    t = t.semi_join(customers, "account_id")
    out = []
    for x in _rows(session, t.order_by(["account_id", "created_at", "ticket_id"])):
        when = x["created_at"].date().isoformat()
        priority = f" ({x['priority']})" if x.get("priority") else ""
        out.append(
            Hit(
                rule.id,
                x["account_id"],
                f"ticket:{x['ticket_id']}",
                f"ticket {x['ticket_id']}{priority} opened on {when} was escalated",
                {"ticket_id": x["ticket_id"], "created_on": when, "priority": x.get("priority")},
            )
        )
    return out


def _onboarding(
    session: ReadSession, rule: OnboardingPastDue, as_of: dt.date, customers: ibis.Table
) -> list[Hit]:
    import ibis

    o = session.table("onboardings")
    status = o.status.lower().strip()
    o = o.filter(status.isnull() | (status != "cancelled"))
    a = session.table("accounts").select("account_id", "segment")
    o = o.left_join(a, "account_id").select(o, a.segment)
    m = session.settings.metrics
    by_segment = [(o.segment == s, n) for s, n in m.onboarding_target_days_by_segment.items()]
    knob = (
        ibis.cases(*by_segment, else_=m.onboarding_target_days)
        if by_segment
        else ibis.literal(m.onboarding_target_days)
    )
    target = ibis.coalesce(o.target_days, knob)
    o = o.mutate(due_day=day_expr(o.started_at) + target, live_day=day_expr(o.go_live_at))
    d = day_number(as_of)
    late = (o.live_day.isnull() | (o.live_day > d)) & (o.due_day + rule.grace_days < d)
    o = o.filter(late & (day_expr(o.started_at) <= d)).semi_join(customers, "account_id")
    out = []
    for x in _rows(session, o.order_by(["account_id", "onboarding_id"])):
        due = _day(x["due_day"])
        late_days = d - x["due_day"]
        out.append(
            Hit(
                rule.id,
                x["account_id"],
                f"onboarding:{x['onboarding_id']}",
                f"onboarding {x['onboarding_id']} is {late_days} days past its due date {due} "
                "and not live",
                {"onboarding_id": x["onboarding_id"], "due_on": due, "days_late": late_days},
            )
        )
    return out


def _renewal(
    session: ReadSession, rule: RenewalRisk, as_of: dt.date, knobs: HealthSettings
) -> list[Hit]:
    from tandem.health.score import score_days

    rows = score_days(session, [as_of], knobs).rows
    if rows.empty:
        return []
    term = rows.renewal_score.notna()  # a renewal date (term contract) is known
    near = rows.days_to_renewal <= rule.within_days
    low = rows.health_score < rule.health_below
    out = []
    for r in rows[term & near & low].sort_values("account_id").to_dict("records"):
        renewal = r["renewal_day"].isoformat()
        out.append(
            Hit(
                rule.id,
                r["account_id"],
                f"renewal:{renewal}",
                f"renews on {renewal} (in {r['days_to_renewal']} days) with health "
                f"{r['health_score']:.0f} (below {rule.health_below:g}, band {r['band']})",
                {
                    "renewal_on": renewal,
                    "days_to_renewal": int(r["days_to_renewal"]),
                    "health_score": round(float(r["health_score"]), 1),
                    "band": r["band"],
                },
            )
        )
    return out


def _handoffs(
    session: ReadSession, rule: MissingHandoffField, as_of: dt.date, customers: ibis.Table
) -> list[Hit]:
    h = session.table("handoffs")
    day = day_expr(h.handed_off_at)
    d = day_number(as_of)
    h = h.filter(
        (h.fields_completed < h.fields_required) & (day <= d) & (day > d - rule.within_days)
    ).semi_join(customers, "account_id")
    out = []
    for x in _rows(session, h.order_by(["account_id", "handoff_id"])):
        missing = x["fields_required"] - x["fields_completed"]
        when = x["handed_off_at"].date().isoformat()
        out.append(
            Hit(
                rule.id,
                x["account_id"],
                f"handoff:{x['handoff_id']}",
                f"handoff {x['handoff_id']} on {when} lacks {missing} of "
                f"{x['fields_required']} required fields",
                {"handoff_id": x["handoff_id"], "missing_fields": missing, "handed_off_on": when},
            )
        )
    return out
