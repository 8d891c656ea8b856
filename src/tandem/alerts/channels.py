"""What an alert says and how it is sent: a webhook (JSON, Slack-compatible) and e-mail (SMTP).

A message is composed once, when the alert is raised or escalated, and kept in
the outbox as it will be sent; every attempt sends the same bytes with the same
idempotency key (HTTP header ``Idempotency-Key`` and the body's
``idempotency_key``; the e-mail's ``Message-ID``), so a receiver that saw an
attempt whose answer was lost can drop the repeat.

Secrets (the SMTP password, a webhook URL carrying a token) are written in
tandem.toml as ``env:VARIABLE`` and read from the environment at send time;
they are never stored, logged or put in an error message.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tandem.alerts.ledger import Alert
    from tandem.alerts.routing import Person
    from tandem.settings import AlertSettings


class DeliveryError(Exception):
    """A send that did not go through; the text is safe to store and show (no secret)."""


@dataclass(frozen=True)
class Message:
    key: str
    channel: str
    recipient: str
    subject: str
    text: str
    payload: dict[str, Any]

    def dumps(self) -> str:
        return json.dumps(
            {"key": self.key, "subject": self.subject, "text": self.text, "payload": self.payload},
            sort_keys=True,
        )

    @classmethod
    def loads(cls, channel: str, recipient: str, stored: str) -> Message:
        d = json.loads(stored)
        return cls(d["key"], channel, recipient, d["subject"], d["text"], d["payload"])


def compose(alert: Alert, purpose: str, channel: str, recipient: str, to: Person | None) -> Message:
    """The message for one channel and recipient, with a fresh idempotency key."""
    key = uuid.uuid4().hex
    owner = f"{alert.owner_name} ({alert.owner_role})" if alert.owner_name else "no owner"
    head = f"[{alert.severity.upper()}] {alert.account_name} ({alert.account_id}): {alert.reason}"
    if purpose == "escalated":
        who = to.name if to else "nobody"
        text = (
            f"ESCALATED to {who}: unacknowledged for {alert.escalate_after_hours:g} h. "
            f"{head} (rule {alert.rule_id}, owner {owner}, alert #{alert.alert_id})"
        )
        subject = f"[Tandem] Escalated: {alert.account_name}: {alert.rule_id}"
    else:
        text = f"{head} (rule {alert.rule_id}, owner {owner}, alert #{alert.alert_id})"
        subject = f"[Tandem] {alert.severity.capitalize()}: {alert.account_name}: {alert.rule_id}"
    payload = {
        "text": text,
        "idempotency_key": key,
        "event": f"alert.{purpose}",
        "alert": {
            "id": alert.alert_id,
            "account_id": alert.account_id,
            "account_name": alert.account_name,
            "rule": alert.rule_id,
            "kind": alert.kind,
            "severity": alert.severity,
            "reason": alert.reason,
            "facts": alert.facts,
            "owner": {"id": alert.owner_id, "name": alert.owner_name, "role": alert.owner_role},
            "as_of": alert.as_of,
            "raised_at": alert.raised_at,
        },
    }
    if purpose == "escalated" and to is not None:
        payload["escalated_to"] = {"id": to.member_id, "name": to.name}
    return Message(key, channel, recipient, subject, text, payload)


def secret(value: str, what: str) -> str:
    """``env:NAME`` → the variable's value; any other value as it is."""
    if not value.startswith("env:"):
        return value
    name = value.removeprefix("env:")
    found = os.environ.get(name)
    if not found:
        raise DeliveryError(f"{what}: environment variable {name} is not set")
    return found


def shown_url(url: str) -> str:
    """A URL safe to print: scheme and host only (paths of webhooks often hold tokens)."""
    if url.startswith("env:"):
        return url
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}/…"


def send(message: Message, settings: AlertSettings) -> None:
    """Send one message; DeliveryError unless the receiver accepted it."""
    if message.channel == "webhook":
        _webhook(message, settings)
    elif message.channel == "email":
        _email(message, settings)
    else:
        raise DeliveryError(f"unknown channel {message.channel!r}")


def _webhook(message: Message, settings: AlertSettings) -> None:
    import urllib.error
    import urllib.request

    if not settings.webhook_url:
        raise DeliveryError("no webhook_url in [alerts]")
    url = secret(settings.webhook_url, "webhook_url")
    body = json.dumps(message.payload).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": message.key},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.send_timeout_seconds) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"webhook unreachable: {type(reason).__name__}: {reason}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook answered HTTP {status}")


def _email(message: Message, settings: AlertSettings) -> None:
    import smtplib
    import ssl
    from email.message import EmailMessage
    from email.utils import make_msgid

    if not settings.smtp_host:
        raise DeliveryError("no smtp_host in [alerts]")
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = make_msgid(idstring=message.key, domain="tandem")
    mail["X-Tandem-Idempotency-Key"] = message.key
    mail.set_content(_mail_body(message))
    timeout = settings.send_timeout_seconds
    try:
        client: smtplib.SMTP
        if settings.smtp_security == "ssl":
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                password = secret(settings.smtp_password, "smtp_password")
                client.login(settings.smtp_user, password)
            client.send_message(mail)
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP server answered {exc.smtp_code}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP server unreachable: {type(exc).__name__}") from None


def _mail_body(message: Message) -> str:
    alert = message.payload["alert"]
    lines = [message.text, "", f"Account: {alert['account_name']} ({alert['account_id']})"]
    lines += [f"Rule: {alert['rule']} ({alert['kind']}), severity {alert['severity']}"]
    lines += [f"Data as of: {alert['as_of']}; raised at {alert['raised_at']}"]
    if alert["facts"]:
        lines += ["", "Facts:"] + [f"  {k}: {v}" for k, v in sorted(alert["facts"].items())]
    lines += ["", f"Acknowledge: tandem alerts ack {alert['id']}"]
    return "\n".join(lines) + "\n"
