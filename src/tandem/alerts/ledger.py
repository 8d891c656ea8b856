"""The alerts' ledger in the workspace state: raise once per episode, clear, escalate, ack, resolve.

Episodes. An alert with a subject (a response, a ticket, an onboarding, a
handoff, a renewal day) is raised at most once per account, rule and subject,
ever. An alert without one (a usage drop) is raised when the condition starts
to hold and no episode of it is open; the episode ends (``cleared_at``) on the
first run that finds the condition gone, and a later drop is a new episode.
Acknowledging or resolving an alert does not end its episode: a resolved usage
drop is not raised again until usage has recovered and dropped anew.

Every raise writes the alert, its history event and its outbox rows (one per
channel and recipient) in one SQLite transaction: an alert is never raised
without its deliveries queued, nor queued without being raised. Escalation
does the same for the escalation's deliveries.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tandem.alerts.channels import Message, compose
from tandem.errors import UsageError
from tandem.state import Migration, register, transaction

if TYPE_CHECKING:
    from tandem.alerts.evaluate import Hit
    from tandem.alerts.routing import People, Person
    from tandem.alerts.rules import Rule
    from tandem.settings import AlertSettings

STATUSES = ("open", "acknowledged", "resolved")

register(
    "alerts",
    Migration(
        1,
        "alerts, their history and the delivery outbox",
        """
        CREATE TABLE alerts (
            alert_id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL,
            account_name TEXT NOT NULL,
            rule_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            subject TEXT NOT NULL,
            episode INTEGER NOT NULL,
            owner_role TEXT NOT NULL,
            owner_id TEXT,
            owner_name TEXT,
            reason TEXT NOT NULL,
            facts TEXT NOT NULL,
            as_of TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            escalate_after_hours REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'acknowledged', 'resolved')),
            acknowledged_at TEXT,
            acknowledged_by TEXT,
            resolved_at TEXT,
            resolved_by TEXT,
            cleared_at TEXT,
            escalated_at TEXT,
            escalated_to TEXT,
            escalated_to_name TEXT,
            UNIQUE (account_id, rule_id, subject, episode)
        );
        CREATE UNIQUE INDEX alerts_one_open_episode
            ON alerts (account_id, rule_id, subject) WHERE cleared_at IS NULL;
        CREATE INDEX alerts_by_status ON alerts (status, raised_at);
        CREATE TABLE alert_events (
            event_id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts (alert_id),
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            actor TEXT,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX alert_events_by_alert ON alert_events (alert_id, event_id);
        CREATE TABLE outbox (
            delivery_id INTEGER PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            alert_id INTEGER NOT NULL REFERENCES alerts (alert_id),
            purpose TEXT NOT NULL CHECK (purpose IN ('raised', 'escalated')),
            channel TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
            recipient TEXT NOT NULL,
            message TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            lease_until TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
        """,
    ),
)


def stamp(t: dt.datetime) -> str:
    """An instant as stored: UTC, ISO 8601 to the second (sorts as text)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Recorded:
    raised: tuple[int, ...]
    cleared: tuple[int, ...]


def record(
    con: sqlite3.Connection,
    rules: list[Rule],
    hits: list[Hit],
    as_of: dt.date,
    now: dt.datetime,
    people: People,
    settings: AlertSettings,
) -> Recorded:
    """Raise the hits that open a new episode and clear the episodes whose condition ended."""
    by_id = {r.id: r for r in rules if r.enabled}
    at = stamp(now)
    raised, cleared = [], []
    with transaction(con):
        keys = {(h.account_id, h.rule_id, h.subject) for h in hits}
        marks = ",".join("?" * len(by_id))
        open_rows = con.execute(
            f"SELECT alert_id, account_id, rule_id, subject FROM alerts "
            f"WHERE cleared_at IS NULL AND rule_id IN ({marks})",
            list(by_id),
        ).fetchall()
        for row in open_rows:
            if (row["account_id"], row["rule_id"], row["subject"]) not in keys:
                con.execute("UPDATE alerts SET cleared_at = ? WHERE alert_id = ?", (at, row[0]))
                _event(con, row["alert_id"], at, "cleared", None, "the condition no longer holds")
                cleared.append(row["alert_id"])
        for hit in hits:
            alert_id = _raise(con, by_id[hit.rule_id], hit, as_of, at, people, settings)
            if alert_id is not None:
                raised.append(alert_id)
    return Recorded(tuple(raised), tuple(cleared))


def _raise(
    con: sqlite3.Connection,
    rule: Rule,
    hit: Hit,
    as_of: dt.date,
    at: str,
    people: People,
    settings: AlertSettings,
) -> int | None:
    key = (hit.account_id, hit.rule_id, hit.subject)
    if hit.subject:
        seen = con.execute(
            "SELECT 1 FROM alerts WHERE account_id = ? AND rule_id = ? AND subject = ?", key
        ).fetchone()
    else:
        seen = con.execute(
            "SELECT 1 FROM alerts WHERE account_id = ? AND rule_id = ? AND subject = ? "
            "AND cleared_at IS NULL",
            key,
        ).fetchone()
    if seen:
        return None
    episode = con.execute(
        "SELECT COALESCE(MAX(episode), 0) + 1 FROM alerts "
        "WHERE account_id = ? AND rule_id = ? AND subject = ?",
        key,
    ).fetchone()[0]
    owner = people.owner(hit.account_id, rule.owner)
    hours = rule.escalate_after_hours or settings.escalate_after_hours
    cur = con.execute(
        "INSERT INTO alerts (account_id, account_name, rule_id, kind, severity, subject, episode,"
        " owner_role, owner_id, owner_name, reason, facts, as_of, raised_at,"
        " escalate_after_hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            hit.account_id,
            people.account_name(hit.account_id),
            rule.id,
            rule.kind,
            rule.severity.value,
            hit.subject,
            episode,
            rule.owner.value,
            owner.member_id if owner else None,
            owner.name if owner else None,
            hit.reason,
            json.dumps(hit.facts, sort_keys=True, default=str),
            as_of.isoformat(),
            at,
            hours,
        ),
    )
    alert_id = int(cur.lastrowid or 0)
    who = f"{owner.name} ({rule.owner.value})" if owner else f"nobody: no {rule.owner.value}"
    _event(con, alert_id, at, "raised", None, f"routed to {who}")
    alert = get(con, alert_id)
    _queue(con, alert, "raised", owner, at, settings)
    return alert_id


def _queue(
    con: sqlite3.Connection,
    alert: Alert,
    purpose: str,
    to: Person | None,
    at: str,
    settings: AlertSettings,
) -> None:
    """Outbox rows for every configured channel (call inside the raising transaction)."""
    messages: list[Message] = []
    if settings.webhook_url:
        messages.append(compose(alert, purpose, "webhook", "", to))
    if settings.smtp_host:
        if to is not None and to.email:
            messages.append(compose(alert, purpose, "email", to.email, to))
        else:
            whom = to.name if to else "the alert has no owner"
            _event(con, alert.alert_id, at, "not e-mailed", None, f"no e-mail address ({whom})")
    for m in messages:
        con.execute(
            "INSERT INTO outbox (idempotency_key, alert_id, purpose, channel, recipient, message,"
            " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (m.key, alert.alert_id, purpose, m.channel, m.recipient, m.dumps(), at, at),
        )


def _event(
    con: sqlite3.Connection, alert_id: int, at: str, action: str, actor: str | None, detail: str
) -> None:
    con.execute(
        "INSERT INTO alert_events (alert_id, at, action, actor, detail) VALUES (?, ?, ?, ?, ?)",
        (alert_id, at, action, actor, detail),
    )


def escalate(
    con: sqlite3.Connection, now: dt.datetime, people: People, settings: AlertSettings
) -> list[int]:
    """Escalate every alert still unacknowledged ``escalate_after_hours`` after it was raised."""
    done = []
    at = stamp(now)
    rows = con.execute(
        "SELECT alert_id, raised_at, escalate_after_hours, owner_id FROM alerts "
        "WHERE status = 'open' AND escalated_at IS NULL ORDER BY alert_id"
    ).fetchall()
    for row in rows:
        due = dt.datetime.fromisoformat(row["raised_at"]) + dt.timedelta(
            hours=row["escalate_after_hours"]
        )
        if stamp(due) > at:
            continue
        manager = people.manager_of(row["owner_id"])
        with transaction(con):
            claimed = con.execute(
                "UPDATE alerts SET escalated_at = ?, escalated_to = ?, escalated_to_name = ? "
                "WHERE alert_id = ? AND status = 'open' AND escalated_at IS NULL",
                (
                    at,
                    manager.member_id if manager else None,
                    manager.name if manager else None,
                    row["alert_id"],
                ),
            ).rowcount
            if not claimed:
                continue
            if manager is None:
                _event(con, row["alert_id"], at, "not escalated", None, "the owner has no manager")
                continue
            hours = row["escalate_after_hours"]
            _event(
                con,
                row["alert_id"],
                at,
                "escalated",
                None,
                f"unacknowledged after {hours:g} h: escalated to {manager.name}",
            )
            _queue(con, get(con, row["alert_id"]), "escalated", manager, at, settings)
        done.append(row["alert_id"])
    return done


# -- reading and acting on alerts ------------------------------------------------


@dataclass(frozen=True)
class Alert:
    alert_id: int
    account_id: str
    account_name: str
    rule_id: str
    kind: str
    severity: str
    subject: str
    episode: int
    owner_role: str
    owner_id: str | None
    owner_name: str | None
    reason: str
    facts: dict[str, Any]
    as_of: str
    raised_at: str
    escalate_after_hours: float
    status: str
    acknowledged_at: str | None
    acknowledged_by: str | None
    resolved_at: str | None
    resolved_by: str | None
    cleared_at: str | None
    escalated_at: str | None
    escalated_to: str | None
    escalated_to_name: str | None

    @classmethod
    def of(cls, row: sqlite3.Row) -> Alert:
        data = dict(row)
        data["facts"] = json.loads(data["facts"])
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def get(con: sqlite3.Connection, alert_id: int) -> Alert:
    row = con.execute("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone()
    if row is None:
        raise UsageError(f"alert {alert_id}: no such alert ('tandem alerts list' shows them)")
    return Alert.of(row)


def find(
    con: sqlite3.Connection,
    *,
    status: str | None = None,
    account: str | None = None,
    owner: str | None = None,
    rule: str | None = None,
    limit: int | None = None,
) -> list[Alert]:
    """Alerts, newest first, filtered by status, account, owner (or escalation target), rule."""
    if status is not None and status not in STATUSES:
        raise UsageError(f"status {status!r}: choose one of {', '.join(STATUSES)}")
    where, args = [], []
    for column, value in (("status", status), ("account_id", account), ("rule_id", rule)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if owner is not None:
        where.append("(owner_id = ? OR escalated_to = ?)")
        args += [owner, owner]
    sql = "SELECT * FROM alerts" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY raised_at DESC, alert_id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [Alert.of(r) for r in con.execute(sql, args).fetchall()]


def acknowledge(
    con: sqlite3.Connection, alert_id: int, by: str, now: dt.datetime, note: str = ""
) -> Alert:
    """Mark an open alert acknowledged (stops its escalation); a repeated ack changes nothing."""
    at = stamp(now)
    with transaction(con):
        alert = get(con, alert_id)
        if alert.status == "resolved":
            raise UsageError(f"alert {alert_id} is already resolved")
        if alert.status == "open":
            con.execute(
                "UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, "
                "acknowledged_by = ? WHERE alert_id = ?",
                (at, by, alert_id),
            )
            _event(con, alert_id, at, "acknowledged", by, note)
    return get(con, alert_id)


def resolve(
    con: sqlite3.Connection, alert_id: int, by: str, now: dt.datetime, note: str = ""
) -> Alert:
    """Mark an alert resolved; a repeated resolve changes nothing."""
    at = stamp(now)
    with transaction(con):
        alert = get(con, alert_id)
        if alert.status != "resolved":
            con.execute(
                "UPDATE alerts SET status = 'resolved', resolved_at = ?, resolved_by = ? "
                "WHERE alert_id = ?",
                (at, by, alert_id),
            )
            _event(con, alert_id, at, "resolved", by, note)
    return get(con, alert_id)


def events(con: sqlite3.Connection, alert_id: int) -> list[dict[str, Any]]:
    """The alert's full history, oldest first."""
    rows = con.execute(
        "SELECT at, action, actor, detail FROM alert_events WHERE alert_id = ? ORDER BY event_id",
        (alert_id,),
    ).fetchall()
    return [dict(r) for r in rows]
