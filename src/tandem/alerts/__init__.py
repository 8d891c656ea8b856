"""Risk rules and alerts: raised once per episode, routed, escalated, delivered without loss.

``run(ws)`` evaluates the workspace's rules and delivers; ``list_alerts``,
``acknowledge``, ``resolve`` and ``history`` serve the CLI and the dashboard.
State lives in ``<workspace>/.tandem/state.sqlite`` (``tandem.state``). See docs/alerts.md.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from tandem.alerts.ledger import Alert
from tandem.alerts.rules import KINDS, Owner, Rule, Severity, load_rules, write_default_rules
from tandem.alerts.run import RunReport, run

if TYPE_CHECKING:
    from tandem.service.workspace import Workspace

__all__ = [
    "KINDS",
    "Alert",
    "Owner",
    "Rule",
    "RunReport",
    "Severity",
    "acknowledge",
    "history",
    "list_alerts",
    "load_rules",
    "resolve",
    "run",
    "write_default_rules",
]


def list_alerts(
    ws: Workspace,
    *,
    status: str | None = None,
    account: str | None = None,
    owner: str | None = None,
    rule: str | None = None,
    limit: int | None = None,
) -> list[Alert]:
    """Alerts newest first; ``owner`` matches the owner or the manager it was escalated to."""
    from tandem.alerts import ledger
    from tandem.state import connect

    con = connect(ws.path)
    try:
        return ledger.find(con, status=status, account=account, owner=owner, rule=rule, limit=limit)
    finally:
        con.close()


def acknowledge(
    ws: Workspace, alert_id: int, *, by: str, note: str = "", now: dt.datetime | None = None
) -> Alert:
    """Acknowledge an open alert (no escalation after this)."""
    from tandem.alerts import ledger
    from tandem.state import connect, system_now

    con = connect(ws.path)
    try:
        return ledger.acknowledge(con, alert_id, by, now or system_now(), note)
    finally:
        con.close()


def resolve(
    ws: Workspace, alert_id: int, *, by: str, note: str = "", now: dt.datetime | None = None
) -> Alert:
    """Resolve an alert (its episode still ends only when the condition does)."""
    from tandem.alerts import ledger
    from tandem.state import connect, system_now

    con = connect(ws.path)
    try:
        return ledger.resolve(con, alert_id, by, now or system_now(), note)
    finally:
        con.close()


def history(ws: Workspace, alert_id: int) -> dict[str, Any]:
    """An alert with its full history of events and deliveries."""
    from tandem.alerts import ledger, outbox
    from tandem.state import connect

    con = connect(ws.path)
    try:
        alert = ledger.get(con, alert_id)
        return {
            "alert": alert.as_dict(),
            "events": ledger.events(con, alert_id),
            "deliveries": outbox.deliveries(con, alert_id),
        }
    finally:
        con.close()
