"""Delivering the outbox: claim what is due, send it, mark it sent only once it was accepted.

A delivery is *due* when it is pending and its next attempt time has come, or
when an earlier run claimed it and its lease ran out (that run died mid-send).
Each run claims a due delivery in a transaction (so two runs never send the
same one at once), sends it, and then, in another transaction, marks it sent,
or pending again with the next attempt ``retry_base_seconds × 2^(attempts−1)``
later, at most ``retry_max_seconds``. Nothing expires: a receiver that stays
down delays its deliveries, and they go out, once each, when it is back. A run
killed between the receiver's acceptance and the mark sends that one delivery
again after the lease, with the same idempotency key.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tandem.alerts.channels import DeliveryError, Message, send
from tandem.alerts.ledger import stamp
from tandem.state import transaction

if TYPE_CHECKING:
    from tandem.settings import AlertSettings

LEASE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Delivered:
    sent: tuple[int, ...]
    failed: tuple[tuple[int, str], ...]
    waiting: int


def backoff(attempts: int, settings: AlertSettings) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    seconds = settings.retry_base_seconds * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.retry_max_seconds))


def deliver(
    con: sqlite3.Connection,
    settings: AlertSettings,
    now: dt.datetime,
) -> Delivered:
    """Send every due delivery once; return what went, what failed and what still waits."""
    at = stamp(now)
    due = con.execute(
        "SELECT delivery_id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= ?) "
        "OR (status = 'sending' AND lease_until <= ?) ORDER BY delivery_id",
        (at, at),
    ).fetchall()
    sent, failed = [], []
    for (delivery_id,) in due:
        row = _claim(con, delivery_id, at, stamp(now + LEASE))
        if row is None:
            continue
        message = Message.loads(row["channel"], row["recipient"], row["message"])
        attempts = row["attempts"] + 1
        try:
            send(message, settings)
        except DeliveryError as exc:
            retry = stamp(now + backoff(attempts, settings))
            with transaction(con):
                con.execute(
                    "UPDATE outbox SET status = 'pending', attempts = ?, next_attempt_at = ?, "
                    "lease_until = NULL, last_error = ? WHERE delivery_id = ?",
                    (attempts, retry, str(exc), delivery_id),
                )
            failed.append((delivery_id, str(exc)))
            continue
        with transaction(con):
            con.execute(
                "UPDATE outbox SET status = 'sent', attempts = ?, sent_at = ?, lease_until = NULL,"
                " last_error = NULL WHERE delivery_id = ?",
                (attempts, at, delivery_id),
            )
        sent.append(delivery_id)
    waiting = con.execute("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'").fetchone()[0]
    return Delivered(tuple(sent), tuple(failed), int(waiting))


def _claim(con: sqlite3.Connection, delivery_id: int, at: str, lease: str) -> sqlite3.Row | None:
    with transaction(con):
        claimed = con.execute(
            "UPDATE outbox SET status = 'sending', lease_until = ? WHERE delivery_id = ? AND "
            "((status = 'pending' AND next_attempt_at <= ?) OR "
            "(status = 'sending' AND lease_until <= ?))",
            (lease, delivery_id, at, at),
        ).rowcount
        if not claimed:
            return None
        row: sqlite3.Row = con.execute(
            "SELECT * FROM outbox WHERE delivery_id = ?", (delivery_id,)
        ).fetchone()
        return row


def deliveries(con: sqlite3.Connection, alert_id: int) -> list[dict[str, object]]:
    """The alert's deliveries (no message bodies), oldest first."""
    rows = con.execute(
        "SELECT delivery_id, purpose, channel, recipient, status, attempts, next_attempt_at, "
        "last_error, created_at, sent_at, idempotency_key FROM outbox WHERE alert_id = ? "
        "ORDER BY delivery_id",
        (alert_id,),
    ).fetchall()
    return [dict(r) for r in rows]
