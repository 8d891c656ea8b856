"""``tandem alerts``: run the risk rules, list alerts, acknowledge and resolve them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tandem.apps.cli.app import WorkspaceOpt, app
from tandem.apps.cli.app import parse_format as _format
from tandem.apps.cli.output import Format

if TYPE_CHECKING:
    from tandem.alerts import Alert

alerts_app = typer.Typer(
    help="Risk rules and alerts: raised once, routed to the owner, escalated, delivered.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(alerts_app, name="alerts")

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table or json.")]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", help="Who acts (default: the USER environment variable)."),
]
NoteOpt = Annotated[str, typer.Option("--note", help="A note kept in the alert's history.")]


def _choose(fmt: str, allowed: tuple[Format, ...]) -> Format:
    from tandem.errors import UsageError

    chosen = _format(fmt)
    if chosen not in allowed:
        raise UsageError(f"--format {fmt!r}: choose {' or '.join(f.value for f in allowed)}")
    return chosen


def _dump(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


@alerts_app.command("run")
def run_command(
    workspace: WorkspaceOpt = Path("."),
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Evaluate as of this day (default: the last data day)."),
    ] = None,
    no_deliver: Annotated[
        bool, typer.Option("--no-deliver", help="Raise and escalate, but send nothing yet.")
    ] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Evaluate the rules, raise new alerts, clear ended episodes, escalate, deliver."""
    from tandem.alerts import run
    from tandem.apps.cli.health import _day
    from tandem.service.workspace import Workspace

    chosen = _choose(fmt, (Format.TABLE, Format.JSON))
    with Workspace(workspace) as ws:
        report = run(ws, as_of=_day(as_of, "--as-of"), deliver=not no_deliver)
    if chosen is Format.JSON:
        _dump(report.as_dict())
        return
    lines = [
        f"Rules evaluated as of {report.as_of}: {report.rules} rules, {report.hits} accounts "
        "crossing one",
        f"raised {len(report.raised)}, episodes ended {len(report.cleared)}, "
        f"escalated {len(report.escalated)}",
        f"sent {len(report.sent)}, failed {len(report.failed)} (retried later), "
        f"waiting {report.waiting}",
    ]
    lines += [f"  delivery {d}: {error}" for d, error in report.failed[:10]]
    typer.echo("\n".join(lines))


@alerts_app.command("list")
def list_command(
    workspace: WorkspaceOpt = Path("."),
    status: Annotated[
        str | None, typer.Option("--status", help="open, acknowledged or resolved.")
    ] = None,
    account: Annotated[str | None, typer.Option("--account", "-a", help="One account.")] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="A team member id (owner or escalated to).")
    ] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="One rule id.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many; 0 = all.")] = 100,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Alerts, newest first."""
    from tandem.alerts import list_alerts
    from tandem.service.workspace import Workspace

    chosen = _choose(fmt, (Format.TABLE, Format.CSV, Format.JSON))
    ws = Workspace(workspace)
    found = list_alerts(
        ws, status=status, account=account, owner=owner, rule=rule, limit=limit or None
    )
    if chosen is Format.JSON:
        _dump([a.as_dict() for a in found])
    elif chosen is Format.CSV:
        import pandas as pd

        from tandem.apps.cli.output import write_csv

        rows = [{**a.as_dict(), "facts": json.dumps(a.facts, sort_keys=True)} for a in found]
        write_csv(pd.DataFrame(rows, columns=_COLUMNS), sys.stdout)
    else:
        _table(found)


_COLUMNS = [
    "alert_id", "account_id", "account_name", "rule_id", "kind", "severity", "subject",
    "episode", "owner_role", "owner_id", "owner_name", "reason", "facts", "as_of", "raised_at",
    "escalate_after_hours", "status", "acknowledged_at", "acknowledged_by", "resolved_at",
    "resolved_by", "cleared_at", "escalated_at", "escalated_to", "escalated_to_name",
]  # fmt: skip


def _table(found: list[Alert]) -> None:
    from rich.table import Table

    from tandem.apps.cli.output import console as _console

    t = Table("id", "raised", "severity", "account", "rule", "owner", "status", "reason")
    for a in found:
        status = a.status + (" ↑" + (a.escalated_to_name or "") if a.escalated_at else "")
        status += " (ended)" if a.cleared_at else ""
        t.add_row(
            str(a.alert_id),
            a.raised_at[:16].replace("T", " "),
            a.severity,
            f"{a.account_name} ({a.account_id})",
            a.rule_id,
            a.owner_name or "—",
            status,
            a.reason,
        )
    console = _console()
    console.print(t)
    console.print(f"{len(found)} alerts; ↑ = escalated to", style="dim", highlight=False)


def _actor(by: str | None) -> str:
    return by or os.environ.get("USER") or "cli"


def _act(action: str, alert_id: int, workspace: Path, by: str | None, note: str, fmt: str) -> None:
    from tandem import alerts
    from tandem.service.workspace import Workspace

    chosen = _choose(fmt, (Format.TABLE, Format.JSON))
    ws = Workspace(workspace)
    act = alerts.acknowledge if action == "ack" else alerts.resolve
    alert = act(ws, alert_id, by=_actor(by), note=note)
    if chosen is Format.JSON:
        _dump(alerts.history(ws, alert_id))
    else:
        typer.echo(
            f"alert {alert.alert_id} ({alert.account_name}, {alert.rule_id}): {alert.status}"
        )


@alerts_app.command("ack")
def ack_command(
    alert_id: Annotated[int, typer.Argument(help="The alert's id ('tandem alerts list').")],
    workspace: WorkspaceOpt = Path("."),
    by: ByOpt = None,
    note: NoteOpt = "",
    fmt: FormatOpt = "table",
) -> None:
    """Acknowledge an alert: its owner has seen it, so it is not escalated."""
    _act("ack", alert_id, workspace, by, note, fmt)


@alerts_app.command("resolve")
def resolve_command(
    alert_id: Annotated[int, typer.Argument(help="The alert's id ('tandem alerts list').")],
    workspace: WorkspaceOpt = Path("."),
    by: ByOpt = None,
    note: NoteOpt = "",
    fmt: FormatOpt = "table",
) -> None:
    """Resolve an alert."""
    _act("resolve", alert_id, workspace, by, note, fmt)


@alerts_app.command("show")
def show_command(
    alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
    workspace: WorkspaceOpt = Path("."),
    fmt: FormatOpt = "table",
) -> None:
    """One alert with its full history: raised, routed, escalated, deliveries."""
    from tandem import alerts
    from tandem.service.workspace import Workspace

    chosen = _choose(fmt, (Format.TABLE, Format.JSON))
    doc = alerts.history(Workspace(workspace), alert_id)
    if chosen is Format.JSON:
        _dump(doc)
        return
    a = doc["alert"]
    typer.echo(
        f"alert {a['alert_id']}: {a['account_name']} ({a['account_id']}), rule {a['rule_id']}"
    )
    typer.echo(f"  {a['severity']}: {a['reason']}")
    typer.echo(f"  status {a['status']}; owner {a['owner_name'] or '—'} ({a['owner_role']})")
    for e in doc["events"]:
        actor = f" by {e['actor']}" if e["actor"] else ""
        typer.echo(f"  {e['at']} {e['action']}{actor}: {e['detail']}".rstrip(": "))
    for d in doc["deliveries"]:
        to = d["recipient"] or "webhook"
        err = f" ({d['last_error']})" if d["last_error"] else ""
        typer.echo(
            f"  delivery {d['delivery_id']} {d['purpose']} by {d['channel']} to {to}: "
            f"{d['status']} after {d['attempts']} attempts{err}"
        )


@alerts_app.command("rules")
def rules_command(workspace: WorkspaceOpt = Path("."), fmt: FormatOpt = "table") -> None:
    """Check and show the workspace's rules (alerts.yml, alerts/*.yml)."""
    from tandem.alerts import load_rules

    chosen = _choose(fmt, (Format.TABLE, Format.JSON))
    rules = load_rules(workspace)
    if chosen is Format.JSON:
        _dump([r.model_dump(mode="json") for r in rules])
        return
    for r in rules:
        params = {
            k: v
            for k, v in r.model_dump(mode="json").items()
            if k not in ("id", "kind", "severity", "owner", "description", "enabled")
            and v is not None
        }
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        off = "" if r.enabled else " (disabled)"
        typer.echo(f"{r.id}: {r.kind}, {r.severity.value}, to {r.owner.value}{off}; {shown}")
