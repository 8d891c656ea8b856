"""One run of the alerts: evaluate the rules, raise and clear, escalate, deliver.

``tandem alerts run`` calls ``run`` (from cron, or by hand); each step is safe to
repeat: a second run on the same data raises nothing new and sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tandem.alerts import ledger, outbox
from tandem.alerts.evaluate import evaluate
from tandem.alerts.routing import load_people
from tandem.alerts.rules import load_rules
from tandem.state import connect, system_now

if TYPE_CHECKING:
    from tandem.service.workspace import Workspace


@dataclass(frozen=True)
class RunReport:
    as_of: dt.date
    at: str
    rules: int
    hits: int
    raised: tuple[int, ...]
    cleared: tuple[int, ...]
    escalated: tuple[int, ...]
    sent: tuple[int, ...]
    failed: tuple[tuple[int, str], ...]
    waiting: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "at": self.at,
            "rules": self.rules,
            "hits": self.hits,
            "raised": list(self.raised),
            "cleared": list(self.cleared),
            "escalated": list(self.escalated),
            "sent": list(self.sent),
            "failed": [{"delivery_id": d, "error": e} for d, e in self.failed],
            "waiting": self.waiting,
        }


def run(
    ws: Workspace,
    *,
    as_of: dt.date | None = None,
    now: dt.datetime | None = None,
    deliver: bool = True,
) -> RunReport:
    """Evaluate every rule as of ``as_of`` (default: the last data day, not after today)."""
    from tandem.health.score import default_as_of

    now = now or system_now()
    rules = load_rules(ws.path)
    con = connect(ws.path)
    try:
        with ws.read() as s:
            day = as_of or default_as_of(s)
            hits = evaluate(s, rules, day, ws.settings.health)
            people = load_people(s, {h.account_id for h in hits})
        recorded = ledger.record(con, rules, hits, day, now, people, ws.settings.alerts)
        escalated = ledger.escalate(con, now, people, ws.settings.alerts)
        if deliver:
            delivered = outbox.deliver(con, ws.settings.alerts, now)
        else:
            waiting = con.execute("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")
            delivered = outbox.Delivered((), (), int(waiting.fetchone()[0]))
    finally:
        con.close()
    return RunReport(
        as_of=day,
        at=ledger.stamp(now),
        rules=sum(1 for r in rules if r.enabled),
        hits=len(hits),
        raised=recorded.raised,
        cleared=recorded.cleared,
        escalated=tuple(escalated),
        sent=delivered.sent,
        failed=delivered.failed,
        waiting=delivered.waiting,
    )
