"""Raise once per episode, route to the owner, escalate on time, keep the history.

Deliveries are not sent here (``deliver=False`` or no channel configured); test_delivery
sends them to real receivers.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

import pytest

from tandem.alerts import acknowledge, history, list_alerts, resolve, run
from tandem.errors import UsageError
from tandem.service.workspace import Workspace
from tests.alerts.conftest import T0, D, _sessions
from tests.seed import sub

HOUR = dt.timedelta(hours=1)


def _rules(ws: Workspace, *lines: str) -> None:
    (ws.path / "alerts.yml").write_text("rules:\n" + "".join(f"  - {x}\n" for x in lines))


def test_raised_once_while_the_condition_holds(company: Callable[..., Workspace]) -> None:
    ws = company()
    first = run(ws, as_of=D, now=T0)
    again = run(ws, as_of=D, now=T0 + HOUR)
    assert len(first.raised) == 6  # one per rule, see conftest.crafted
    assert again.raised == () and again.cleared == ()
    assert len(list_alerts(ws)) == 6


def test_a_usage_drop_episode_ends_and_a_new_one_starts(
    seeded: Callable[..., Workspace], company: Callable[..., Workspace]
) -> None:
    """U: 6 sessions in January, 2 in February, 6 in March, none in April.

    As of 02-28: 2 against 6 (−67 %) → raised. As of 03-31: 6 against 2 → the episode ends.
    As of 04-30: 0 against 6 → a new episode (2). Resolving episode 2 does not bring a third
    on the next run while usage stays down.
    """
    jan = [f"2026-01-{d:02d}" for d in range(5, 11)]
    mar = [f"2026-03-{d:02d}" for d in range(5, 11)]
    ws = company(
        {
            "team_members": [{"member_id": "C1", "name": "Carl", "team": "customer_success"}],
            "accounts": [{"account_id": "U", "name": "U", "created_at": "2024-01-01",
                          "csm_id": "C1"}],
            "subscriptions": [sub("U", 100, "2025-01-01")],
            "usage_events": _sessions("U", [*jan, "2026-02-10", "2026-02-11", *mar]),
        }
    )  # fmt: skip
    _rules(ws, "{id: drop, kind: usage_drop, severity: high, owner: csm}")
    one = run(ws, as_of=dt.date(2026, 2, 28), now=T0)
    two = run(ws, as_of=dt.date(2026, 3, 31), now=T0 + HOUR)
    three = run(ws, as_of=dt.date(2026, 4, 30), now=T0 + 2 * HOUR)
    assert len(one.raised) == 1 and two.cleared == one.raised and len(three.raised) == 1
    alerts = {a.alert_id: a for a in list_alerts(ws)}
    assert alerts[one.raised[0]].episode == 1 and alerts[one.raised[0]].cleared_at is not None
    assert alerts[three.raised[0]].episode == 2 and alerts[three.raised[0]].cleared_at is None
    assert alerts[three.raised[0]].owner_name == "Carl"
    resolve(ws, three.raised[0], by="carl", now=T0 + 3 * HOUR)
    four = run(ws, as_of=dt.date(2026, 4, 30), now=T0 + 4 * HOUR)
    assert four.raised == ()


def test_an_event_alert_is_raised_once_ever(company: Callable[..., Workspace]) -> None:
    """The detractor answer of 03-28 is out of the 7-day window on 04-30 (the episode ends);
    evaluating 03-31 again later does not raise it a second time."""
    ws = company()
    _rules(ws, "{id: det, kind: detractor_response, severity: high, owner: csm}")
    first = run(ws, as_of=D, now=T0)
    later = run(ws, as_of=dt.date(2026, 4, 30), now=T0 + HOUR)
    back = run(ws, as_of=D, now=T0 + 2 * HOUR)
    assert len(first.raised) == 1 and later.cleared == first.raised and back.raised == ()


def test_routing_to_csm_sales_rep_and_manager(company: Callable[..., Workspace]) -> None:
    """DET's CSM is C1 (Carl), its rep R1 (Rita); the manager of its CSM is M1 (Maya).
    An account without CSM or rep is raised unowned."""
    from tests.alerts.conftest import crafted

    rows = crafted()
    rows["accounts"] = [
        {**a, "csm_id": None, "sales_rep_id": None} if a["account_id"] == "ESC" else a
        for a in rows["accounts"]
    ]
    ws = company(rows)
    _rules(
        ws,
        "{id: to-csm, kind: detractor_response, severity: high, owner: csm}",
        "{id: to-rep, kind: detractor_response, severity: high, owner: sales_rep}",
        "{id: to-manager, kind: detractor_response, severity: high, owner: manager}",
        "{id: nobody, kind: escalated_ticket, severity: high, owner: csm}",
    )
    run(ws, as_of=D, now=T0)
    owners = {a.rule_id: (a.owner_id, a.owner_name) for a in list_alerts(ws)}
    assert owners == {
        "to-csm": ("C1", "Carl Csm"),
        "to-rep": ("R1", "Rita Rep"),
        "to-manager": ("M1", "Maya Manager"),
        "nobody": (None, None),
    }


def test_escalation_to_the_owners_manager_after_the_set_time(
    company: Callable[..., Workspace],
) -> None:
    """escalate_after_hours 48 ([alerts]); raised at T0. At T0 + 47 h 59 min nothing; at
    T0 + 48 h the unacknowledged alert goes to Carl's manager Maya; the acknowledged one
    does not; the rule with its own 2 h escalates at T0 + 2 h. Rita's manager Max has no
    manager himself, which does not matter; an unowned alert cannot escalate."""
    ws = company(escalate_after_hours=48)
    _rules(
        ws,
        "{id: det, kind: detractor_response, severity: high, owner: csm}",
        "{id: esc, kind: escalated_ticket, severity: high, owner: csm}",
        "{id: fast, kind: missing_handoff_field, severity: low, owner: sales_rep,"
        " escalate_after_hours: 2}",
    )
    run(ws, as_of=D, now=T0)
    ids = {a.rule_id: a.alert_id for a in list_alerts(ws)}
    acknowledge(ws, ids["esc"], by="carl", now=T0 + HOUR)
    assert run(ws, as_of=D, now=T0 + 2 * HOUR - dt.timedelta(minutes=1)).escalated == ()
    assert run(ws, as_of=D, now=T0 + 2 * HOUR).escalated == (ids["fast"],)
    assert run(ws, as_of=D, now=T0 + 48 * HOUR - dt.timedelta(minutes=1)).escalated == ()
    assert run(ws, as_of=D, now=T0 + 48 * HOUR).escalated == (ids["det"],)
    assert run(ws, as_of=D, now=T0 + 96 * HOUR).escalated == ()  # once
    alerts = {a.rule_id: a for a in list_alerts(ws)}
    assert (
        alerts["det"].escalated_to == "M1"
        and alerts["det"].escalated_at == "2026-04-03T08:00:00+00:00"
    )
    assert alerts["fast"].escalated_to == "M2"
    assert alerts["esc"].escalated_at is None
    assert [a.alert_id for a in list_alerts(ws, owner="M1")] == [ids["det"]]
    actions = [e["action"] for e in history(ws, ids["det"])["events"]]
    assert actions == ["raised", "escalated"]


def test_ack_and_resolve_keep_the_history(company: Callable[..., Workspace]) -> None:
    ws = company()
    run(ws, as_of=D, now=T0)
    alert = list_alerts(ws, rule="detractor")[0]
    acknowledge(ws, alert.alert_id, by="carl", note="calling them", now=T0 + HOUR)
    acknowledge(ws, alert.alert_id, by="carl", now=T0 + 2 * HOUR)  # again: no change
    done = resolve(ws, alert.alert_id, by="maya", note="fixed", now=T0 + 3 * HOUR)
    assert done.status == "resolved" and done.acknowledged_by == "carl"
    events = [(e["action"], e["actor"], e["detail"]) for e in history(ws, alert.alert_id)["events"]]
    assert events == [
        ("raised", None, "routed to Carl Csm (csm)"),
        ("acknowledged", "carl", "calling them"),
        ("resolved", "maya", "fixed"),
    ]
    with pytest.raises(UsageError, match="already resolved"):
        acknowledge(ws, alert.alert_id, by="carl", now=T0 + 4 * HOUR)
    with pytest.raises(UsageError, match="alert 999: no such alert"):
        resolve(ws, 999, by="x", now=T0)
    assert [a.alert_id for a in list_alerts(ws, status="resolved")] == [alert.alert_id]
    with pytest.raises(UsageError, match="choose one of open, acknowledged, resolved"):
        list_alerts(ws, status="closed")


def test_the_outbox_is_written_in_the_raising_transaction(
    company: Callable[..., Workspace],
) -> None:
    """With a webhook and SMTP set, each alert queues a webhook delivery and an e-mail to its
    owner when the owner has an address. If queueing fails for one alert (a SQLite trigger
    refuses its outbox row), the whole run raises nothing: no alert without its deliveries."""
    from tandem.state import connect

    ws = company(webhook_url="http://127.0.0.1:9/hook", smtp_host="127.0.0.1", smtp_port=9)
    con = connect(ws.path)
    con.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON outbox WHEN NEW.channel = 'email' "
        "AND NEW.recipient = 'rita@example.com' BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        run(ws, as_of=D, now=T0, deliver=False)
    assert con.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 0
    assert con.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    con.execute("DROP TRIGGER refuse")
    report = run(ws, as_of=D, now=T0, deliver=False)
    rows = con.execute(
        "SELECT a.rule_id, o.channel, o.recipient, o.status FROM outbox o "
        "JOIN alerts a USING (alert_id) ORDER BY a.rule_id, o.channel"
    ).fetchall()
    con.close()
    assert len(report.raised) == 6 and report.waiting == 12
    assert [tuple(r) for r in rows if r[0] == "handoff-incomplete"] == [
        ("handoff-incomplete", "email", "rita@example.com", "pending"),
        ("handoff-incomplete", "webhook", "", "pending"),
    ]
    assert {r[2] for r in rows if r[1] == "email"} == {
        "carl@example.com", "maya@example.com", "rita@example.com"
    }  # fmt: skip
