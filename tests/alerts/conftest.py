"""A crafted company for the rules, and real receivers: an HTTP server and an SMTP server.

The day is 2026-03-31. Team: M1 manages the CSMs C1 and C2; R1 is a sales rep managed
by M2; C2 has no e-mail address; M2 has no manager.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tandem.service.workspace import Workspace
from tandem.settings import AlertSettings, Settings
from tests.seed import Rows, sub

D = dt.date(2026, 3, 31)
T0 = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)


def _account(account_id: str, csm: str | None = "C1", rep: str | None = "R1") -> dict[str, Any]:
    return {
        "account_id": account_id,
        "name": f"Account {account_id}",
        "created_at": "2024-01-01",
        "csm_id": csm,
        "sales_rep_id": rep,
    }


def _sessions(account: str, days: list[str]) -> list[dict[str, Any]]:
    return [
        {"account_id": account, "user_id": "u1", "ts": f"{d}T10:00:00", "event": "session"}
        for d in days
    ]


def _nps(rid: str, account: str, score: int, day: str) -> dict[str, Any]:
    return {
        "response_id": rid,
        "account_id": account,
        "survey": "nps",
        "score": score,
        "responded_at": f"{day}T12:00:00",
        "comment": "Too many bugs" if score <= 6 else None,
    }


def _ticket(tid: str, account: str, day: str, escalated: bool) -> dict[str, Any]:
    return {
        "ticket_id": tid,
        "account_id": account,
        "created_at": f"{day}T09:00:00",
        "contacts": 1,
        "escalated": escalated,
        "priority": "urgent",
    }


def _handoff(hid: str, account: str, day: str, required: int, completed: int) -> dict[str, Any]:
    return {
        "handoff_id": hid,
        "account_id": account,
        "handed_off_at": f"{day}T09:00:00",
        "fields_required": required,
        "fields_completed": completed,
        "errors_found": 0,
    }


FEB = ["2026-02-0" + str(i) for i in range(1, 7)]


def crafted() -> Rows:
    """Which account should cross which rule on 2026-03-31 (default rules):

    USAGE  6 sessions 02-01…02-06 (the 30 days before), 2 in March: −67 % → usage drop.
    STEADY 6 before, 4 in March: −33 % → none.  QUIET 3 before, 0 now: under 4 → none.
    DET    NPS 6 on 03-28 → detractor; PASS NPS 7 on 03-29 → none; OLD NPS 3 on 03-20
           (11 days ago) → none; GONE (not a customer) NPS 2 on 03-30 → none.
    ESC    escalated ticket on 03-30 → escalated; CALM unescalated ticket → none.
    LATE   onboarding started 02-01, 30 days, not live → past due (28 days);
           ONTIME live on 02-20 → none; CANCEL cancelled → none.
    RENEW  MRR from 2025-05-15: renews 2026-05-15 (45 days), health 32 (see test) → risk;
           FAR    from 2025-11-01: renews 2026-11-01 → none.
    HAND   handoff 03-20, 8 of 10 fields → missing field; FULL 10 of 10 → none;
           STALE 8 of 10 on 02-01 (58 days) → none.
    """
    names = ["USAGE", "STEADY", "QUIET", "DET", "PASS", "OLD", "ESC", "CALM", "LATE", "ONTIME",
             "CANCEL", "RENEW", "FAR", "HAND", "FULL", "STALE"]  # fmt: skip
    subs = [sub(n, 100, "2024-06-10", seats=1) for n in names if n not in ("RENEW", "FAR")]
    subs += [sub("RENEW", 100, "2025-05-15", seats=2), sub("FAR", 100, "2025-11-01", seats=2)]
    subs += [sub("GONE", 100, "2024-06-10", "2026-03-01")]
    # Every account but RENEW logs in now and then so that only the intended rules fire.
    busy = [n for n in names if n not in ("USAGE", "STEADY", "QUIET", "RENEW")]
    events = [e for n in busy for e in _sessions(n, ["2026-03-20"])]
    events += _sessions("USAGE", [*FEB, "2026-03-10", "2026-03-11"])
    events += _sessions("STEADY", [*FEB, "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"])
    events += _sessions("QUIET", FEB[:3])
    return {
        "team_members": [
            {
                "member_id": "M1",
                "name": "Maya Manager",
                "team": "customer_success",
                "email": "maya@example.com",
            },
            {
                "member_id": "C1",
                "name": "Carl Csm",
                "team": "customer_success",
                "manager_id": "M1",
                "email": "carl@example.com",
            },
            {"member_id": "C2", "name": "Cleo Csm", "team": "customer_success", "manager_id": "M1"},
            {"member_id": "M2", "name": "Max Boss", "team": "sales", "email": "max@example.com"},
            {
                "member_id": "R1",
                "name": "Rita Rep",
                "team": "sales",
                "manager_id": "M2",
                "email": "rita@example.com",
            },
        ],
        "accounts": [_account(n) for n in [*names, "GONE"]],
        "subscriptions": subs,
        "usage_events": events,
        "survey_responses": [
            _nps("v1", "DET", 6, "2026-03-28"),
            _nps("v2", "PASS", 7, "2026-03-29"),
            _nps("v3", "OLD", 3, "2026-03-20"),
            _nps("v4", "GONE", 2, "2026-03-30"),
        ],
        "tickets": [
            _ticket("k1", "ESC", "2026-03-30", True),
            _ticket("k2", "CALM", "2026-03-30", False),
        ],
        "onboardings": [
            {
                "onboarding_id": "b1",
                "account_id": "LATE",
                "started_at": "2026-02-01T00:00:00",
                "target_days": 30,
            },
            {
                "onboarding_id": "b2",
                "account_id": "ONTIME",
                "started_at": "2026-02-01T00:00:00",
                "target_days": 30,
                "go_live_at": "2026-02-20T00:00:00",
            },
            {
                "onboarding_id": "b3",
                "account_id": "CANCEL",
                "started_at": "2026-01-01T00:00:00",
                "target_days": 30,
                "status": "cancelled",
            },
        ],
        "handoffs": [
            _handoff("h1", "HAND", "2026-03-20", 10, 8),
            _handoff("h2", "FULL", "2026-03-20", 10, 10),
            _handoff("h3", "STALE", "2026-02-01", 10, 8),
        ],
    }


@pytest.fixture
def company(seeded: Callable[..., Workspace]) -> Callable[..., Workspace]:
    """``company(rows=None, **alert_settings)``: the crafted company with default rules."""
    from tandem.alerts.rules import write_default_rules

    def make(rows: Rows | None = None, **alerts: Any) -> Workspace:
        ws = seeded(rows if rows is not None else crafted())
        ws.settings = Settings(metrics=ws.settings.metrics, alerts=AlertSettings(**alerts))
        write_default_rules(ws.path)
        return ws

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Receiver:
    """A real HTTP server in a thread, recording every accepted POST."""

    port: int
    statuses: list[int] = field(default_factory=list)  # answers to give first, then 200
    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/alerts"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts += 1
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    receiver.received.append(
                        {"key": self.headers["Idempotency-Key"], "body": json.loads(body)}
                    )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP receiver on a free port, not started: ``receiver.start()`` brings it up."""
    r = Receiver(free_port())
    yield r
    r.stop()
