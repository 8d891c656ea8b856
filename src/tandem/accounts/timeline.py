"""One account's story: what happened to it, in order, and how much it used the product.

The timeline lists, newest first:

- subscription changes, classified as the MRR movements of SPEC.md classify
  accounts (from the MRR just before a row starts to the row's MRR): ``new``
  (first paid row), ``reactivation`` (paid before, nothing the day before),
  ``expansion``, ``contraction``, ``plan change`` (same MRR), and ``churn``
  when paid coverage ends with nothing following it;
- survey responses (an NPS score is called promoter 9-10, passive 7-8 or
  detractor 0-6; CSAT and CES show their score);
- tickets (opened, and escalated when they were);
- onboardings: started, live (with days taken against the target), or overdue; an
  onboarding without its own target takes the catalog's (the segment's knob, else
  ``onboarding_target_days``).

Usage is counted per ISO week over the 52 weeks ending with the as-of day:
``session`` events, minutes in sessions and distinct users.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from tandem.service.session import ReadSession

USAGE_WEEKS = 52


@dataclass(frozen=True)
class Event:
    day: dt.date
    kind: str
    title: str
    detail: str
    tone: str  # good, bad or neutral


@dataclass(frozen=True)
class AccountStory:
    account_id: str
    events: list[Event]
    subscriptions: list[dict[str, Any]]
    surveys: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    onboardings: list[dict[str, Any]]
    usage: list[dict[str, Any]]


def account_story(s: ReadSession, account_id: str, as_of: dt.date) -> AccountStory:
    """Everything about one account up to ``as_of`` (rows after it are left out)."""
    import ibis

    end = ibis.timestamp(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    subs = s.table("subscriptions")
    subs = subs.filter((subs.account_id == account_id) & (subs.valid_from <= as_of))
    surveys = s.table("survey_responses")
    surveys = surveys.filter((surveys.account_id == account_id) & (surveys.responded_at < end))
    tickets = s.table("tickets")
    tickets = tickets.filter((tickets.account_id == account_id) & (tickets.created_at < end))
    onb = s.table("onboardings")
    onb = onb.filter((onb.account_id == account_id) & (onb.started_at < end))
    sub_rows = _rows(s.run(subs.order_by("valid_from", "subscription_id")))
    survey_rows = _rows(s.run(surveys.order_by(ibis.desc("responded_at"))))
    ticket_rows = _rows(s.run(tickets.order_by(ibis.desc("created_at"))))
    onb_rows = _rows(s.run(onb.order_by(ibis.desc("started_at"))))
    if onb_rows:
        accounts = s.table("accounts")
        found = _rows(s.run(accounts.filter(accounts.account_id == account_id).select("segment")))
        segment = found[0]["segment"] if found else None
        default = s.settings.metrics.onboarding_target_for(segment)
    for r in onb_rows:
        _onboarding_facts(r, as_of, default)
    for r in survey_rows:
        r["category"] = _category(r["survey"], r["score"])
    events = [
        *_subscription_events(sub_rows, as_of),
        *(_survey_event(r) for r in survey_rows),
        *(e for r in ticket_rows for e in _ticket_events(r, as_of)),
        *(e for r in onb_rows for e in _onboarding_events(r)),
    ]
    events.sort(key=lambda e: e.day, reverse=True)
    return AccountStory(
        account_id,
        events,
        sub_rows,
        survey_rows,
        ticket_rows,
        onb_rows,
        _usage(s, account_id, as_of),
    )


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()  # type: ignore[no-any-return]


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _subscription_events(rows: list[dict[str, Any]], as_of: dt.date) -> list[Event]:
    """Changes of MRR, day by day, from the rows covering each day."""

    def mrr_on(day: dt.date) -> float:
        return sum(
            float(r["mrr"])
            for r in rows
            if r["valid_from"] <= day and (r["valid_to"] is None or day < r["valid_to"])
        )

    days = sorted(
        {r["valid_from"] for r in rows}
        | {r["valid_to"] for r in rows if r["valid_to"] is not None and r["valid_to"] <= as_of}
    )
    out: list[Event] = []
    paid_before = False
    for day in days:
        before, after = mrr_on(day - dt.timedelta(days=1)), mrr_on(day)
        plans = sorted({r["plan"] or "" for r in rows if r["valid_from"] == day} - {""})
        plan = f" on {', '.join(plans)}" if plans else ""
        if before == 0 and after > 0:
            kind = "reactivation" if paid_before else "new"
            title = "Reactivated" if paid_before else "Became a customer"
            out.append(Event(day, kind, title, f"MRR {_money(after)}{plan}", "good"))
        elif before > 0 and after == 0:
            out.append(Event(day, "churn", "Churned", f"MRR {_money(before)} → 0", "bad"))
        elif after > before:
            out.append(
                Event(
                    day,
                    "expansion",
                    "Expanded",
                    f"MRR {_money(before)} → {_money(after)}{plan}",
                    "good",
                )
            )
        elif after < before:
            out.append(
                Event(
                    day,
                    "contraction",
                    "Contracted",
                    f"MRR {_money(before)} → {_money(after)}{plan}",
                    "bad",
                )
            )
        elif plans and after > 0:
            out.append(
                Event(
                    day, "renewal", "Subscription renewed", f"MRR {_money(after)}{plan}", "neutral"
                )
            )
        paid_before = paid_before or after > 0
    return out


def _category(survey: str, score: int | None) -> str:
    if score is None:
        return ""
    if survey == "nps":
        return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    return ""


def _survey_event(r: dict[str, Any]) -> Event:
    survey = str(r["survey"]).upper()
    category = r["category"]
    tone = {"promoter": "good", "detractor": "bad"}.get(category, "neutral")
    title = f"{survey} {r['score']}" + (f" ({category})" if category else "")
    detail = r.get("comment") or (r.get("touchpoint") or "").replace("_", " ")
    return Event(_day(r["responded_at"]), "survey", title, detail, tone)


def _ticket_events(r: dict[str, Any], as_of: dt.date) -> list[Event]:
    what = f"{r['ticket_id']} · {r.get('priority') or 'normal'} · {r.get('channel') or ''}".strip(
        " ·"
    )
    if r["escalated"]:
        return [Event(_day(r["created_at"]), "escalation", "Escalated ticket", what, "bad")]
    return [Event(_day(r["created_at"]), "ticket", "Ticket opened", what, "neutral")]


def _onboarding_facts(r: dict[str, Any], as_of: dt.date, default_target: int) -> None:
    """Due date, days taken and lateness, by the rule of the catalog's onboarding
    metrics: the onboarding's own target, else the knob for the account's segment, else
    ``onboarding_target_days`` (``target_source`` says which)."""
    start = _day(r["started_at"])
    r["target_source"] = "onboarding" if r["target_days"] is not None else "settings"
    if r["target_days"] is None:
        r["target_days"] = default_target
    r["due"] = start + dt.timedelta(days=r["target_days"])
    live = _day(r["go_live_at"]) if r["go_live_at"] is not None else None
    if live is not None and live > as_of:
        live = None
    r["days"] = (live - start).days if live else None
    r["late"] = bool(r["due"] and ((live or as_of) > r["due"]))


def _onboarding_events(r: dict[str, Any]) -> list[Event]:
    start = _day(r["started_at"])
    out = [
        Event(
            start,
            "onboarding",
            "Onboarding started",
            f"target {r['target_days']} days"
            + (" (the default in settings)" if r["target_source"] == "settings" else ""),
            "neutral",
        )
    ]
    if r["days"] is not None:
        live = start + dt.timedelta(days=r["days"])
        tone = "bad" if r["late"] else "good"
        out.append(Event(live, "onboarding", "Went live", f"after {r['days']} days", tone))
    elif r["late"]:
        out.append(Event(r["due"], "onboarding", "Onboarding overdue", f"due {r['due']}", "bad"))
    return out


def _usage(s: ReadSession, account_id: str, as_of: dt.date) -> list[dict[str, Any]]:
    """Sessions, minutes and users per ISO week, every week shown (0 when idle)."""
    import ibis

    last_monday = as_of - dt.timedelta(days=as_of.weekday())
    first = last_monday - dt.timedelta(weeks=USAGE_WEEKS - 1)
    start = ibis.timestamp(dt.datetime.combine(first, dt.time()))
    end = ibis.timestamp(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    ev = s.table("usage_events")
    ev = ev.filter((ev.account_id == account_id) & (ev.ts >= start) & (ev.ts < end))
    week = ev.ts.date().truncate("W")
    is_session = ev.event == "session"
    agg = ev.group_by(week=week).aggregate(
        sessions=is_session.ifelse(1, 0).sum(),
        minutes=is_session.ifelse(ev.duration_s.fill_null(0) / 60.0, 0.0).sum(),
        users=ev.user_id.nunique(),
        events=ev.count(),
    )
    found = {r["week"]: r for r in s.run(agg).to_pylist()}
    out = []
    for i in range(USAGE_WEEKS):
        monday = first + dt.timedelta(weeks=i)
        r = found.get(monday, {})
        out.append(
            {
                "week": monday,
                "sessions": int(r.get("sessions") or 0),
                "minutes": round(float(r.get("minutes") or 0.0), 1),
                "users": int(r.get("users") or 0),
                "events": int(r.get("events") or 0),
            }
        )
    return out
