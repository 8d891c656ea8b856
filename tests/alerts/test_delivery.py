"""Delivery to a real HTTP receiver and a real SMTP server (aiosmtpd), down and back up.

Nothing is lost (every delivery arrives once the receiver is back) and nothing is sent
twice (each idempotency key arrives once). Waits follow retry_base_seconds × 2^(n−1).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tandem.alerts import history, list_alerts, run
from tandem.alerts.outbox import backoff
from tandem.service.workspace import Workspace
from tandem.settings import AlertSettings
from tests.alerts.conftest import T0, D, Receiver, free_port

S = dt.timedelta(seconds=1)


def test_webhook_receiver_down_then_back(
    company: Callable[..., Workspace], receiver: Receiver
) -> None:
    """6 alerts, webhook only. T0: receiver down, 6 failures, next try at T0 + 60 s.
    T0 + 59 s: not due, nothing tried. Receiver up; T0 + 60 s: all 6 delivered. Later runs
    send nothing more; each key arrived exactly once; the body has a Slack-style text."""
    ws = company(webhook_url=receiver.url, retry_base_seconds=60)
    down = run(ws, as_of=D, now=T0)
    assert len(down.raised) == 6 and len(down.failed) == 6 and down.waiting == 6
    assert all("unreachable" in error for _, error in down.failed)
    assert run(ws, as_of=D, now=T0 + 59 * S).failed == ()
    receiver.start()
    back = run(ws, as_of=D, now=T0 + 60 * S)
    assert len(back.sent) == 6 and back.waiting == 0
    assert run(ws, as_of=D, now=T0 + 3600 * S).sent == ()
    keys = Counter(r["key"] for r in receiver.received)
    assert len(keys) == 6 and set(keys.values()) == {1}
    body = next(r["body"] for r in receiver.received if r["body"]["alert"]["rule"] == "detractor")
    assert body["text"].startswith("[HIGH] Account DET (DET): detractor: NPS 6 on 2026-03-28")
    assert body["idempotency_key"] in keys and body["event"] == "alert.raised"
    deliveries = history(ws, body["alert"]["id"])["deliveries"]
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("sent", 2)]


def test_errors_are_retried_with_exponential_backoff(
    company: Callable[..., Workspace], receiver: Receiver
) -> None:
    """One alert; the receiver answers 500 twice, then 200. Waits: 10 s, then 20 s."""
    ws = company(webhook_url=receiver.url, retry_base_seconds=10)
    (ws.path / "alerts.yml").write_text(
        "rules:\n  - {id: det, kind: detractor_response, severity: high, owner: csm}\n"
    )
    receiver.statuses = [500, 500]
    receiver.start()
    assert [e for _, e in run(ws, as_of=D, now=T0).failed] == ["webhook answered HTTP 500"]
    assert run(ws, as_of=D, now=T0 + 9 * S).failed == ()  # not due before 10 s
    assert len(run(ws, as_of=D, now=T0 + 10 * S).failed) == 1
    assert run(ws, as_of=D, now=T0 + 29 * S).sent == ()  # next wait is 20 s
    assert len(run(ws, as_of=D, now=T0 + 30 * S).sent) == 1
    assert receiver.attempts == 3 and len(receiver.received) == 1


def test_backoff_doubles_up_to_the_cap() -> None:
    s = AlertSettings(retry_base_seconds=60, retry_max_seconds=300)
    assert [backoff(n, s).total_seconds() for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]


class Mailbox:
    """aiosmtpd handler keeping every message, optionally refusing while ``down``."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.logins: list[tuple[str, str]] = []
        self.down = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.down:
            return "451 Try again later"
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    box = Mailbox()

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        box.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"s3cret-pw")

    port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield box, port
    controller.stop()


def test_email_to_owner_and_escalation_to_manager(
    company: Callable[..., Workspace],
    smtp: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The SMTP password comes from the environment; it is never written to the state file.
    The server refuses mail at first (451): delayed, then delivered once. After 48 h the
    unacknowledged detractor alert is e-mailed to Carl's manager, Maya."""
    box, port = smtp
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-pw")
    ws = company(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_user="tandem",
        smtp_password="env:TEST_SMTP_PASSWORD",
        smtp_from="alerts@example.com",
        escalate_after_hours=48,
    )
    (ws.path / "alerts.yml").write_text(
        "rules:\n  - {id: det, kind: detractor_response, severity: high, owner: csm}\n"
    )
    box.down = True
    first = run(ws, as_of=D, now=T0)
    assert [e for _, e in first.failed] == ["SMTP server answered 451"]
    box.down = False
    assert len(run(ws, as_of=D, now=T0 + 60 * S).sent) == 1
    assert len(run(ws, as_of=D, now=T0 + 48 * 3600 * S).sent) == 1  # the escalation
    assert [(m["To"], m["From"]) for m in box.messages] == [
        ("carl@example.com", "alerts@example.com"),
        ("maya@example.com", "alerts@example.com"),
    ]
    raised, escalated = box.messages
    assert raised["Subject"] == "[Tandem] High: Account DET: det"
    assert "detractor: NPS 6 on 2026-03-28" in raised.get_content()
    assert escalated["Subject"] == "[Tandem] Escalated: Account DET: det"
    assert "ESCALATED to Maya Manager: unacknowledged for 48 h" in escalated.get_content()
    assert len({m["Message-ID"] for m in box.messages}) == 2
    assert set(box.logins) == {("tandem", "s3cret-pw")}
    state = (ws.path / ".tandem" / "state.sqlite").read_bytes()
    wal = ws.path / ".tandem" / "state.sqlite-wal"
    assert b"s3cret-pw" not in state + (wal.read_bytes() if wal.exists() else b"")
    assert list_alerts(ws)[0].escalated_to_name == "Maya Manager"


def test_a_missing_secret_delays_delivery_without_showing_anything(
    company: Callable[..., Workspace], smtp: tuple[Mailbox, int]
) -> None:
    box, port = smtp
    ws = company(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_user="tandem",
        smtp_password="env:TANDEM_TEST_UNSET_VARIABLE",
    )
    (ws.path / "alerts.yml").write_text(
        "rules:\n  - {id: det, kind: detractor_response, severity: high, owner: csm}\n"
    )
    report = run(ws, as_of=D, now=T0)
    assert [e for _, e in report.failed] == [
        "smtp_password: environment variable TANDEM_TEST_UNSET_VARIABLE is not set"
    ]
    assert box.messages == [] and report.waiting == 1


def test_plain_secrets_are_refused_in_settings() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match='write the password as "env:VARIABLE"'):
        AlertSettings(smtp_password="hunter2")
    with pytest.raises(ValidationError, match="this URL carries a secret"):
        AlertSettings(webhook_url="https://hooks.slack.com/services/T000/B000/XXXX")
    with pytest.raises(ValidationError, match="this URL carries a secret"):
        AlertSettings(webhook_url="https://example.com/hook?token=abc")
    assert AlertSettings(webhook_url="env:SLACK_URL").webhook_url == "env:SLACK_URL"
