"""``tandem alerts run|list|ack|resolve|show|rules`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.service.workspace import Workspace


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), terminal_width=200)
    return result.exit_code, result.output


def test_run_list_ack_resolve(company: Callable[..., Workspace]) -> None:
    ws = company()
    w = ["-w", str(ws.path)]
    code, out = _run("alerts", "run", *w, "--as-of", "2026-03-31", "-f", "json")
    assert code == 0, out
    assert len(json.loads(out)["raised"]) == 6
    code, out = _run("alerts", "run", *w, "--as-of", "2026-03-31")
    assert code == 0 and "raised 0, episodes ended 0" in out
    code, out = _run("alerts", "list", *w, "--rule", "detractor", "-f", "json")
    (alert,) = json.loads(out)
    assert alert["owner_name"] == "Carl Csm" and alert["status"] == "open"
    code, out = _run("alerts", "ack", str(alert["alert_id"]), *w, "--by", "carl")
    assert code == 0 and out.strip().endswith("acknowledged")
    code, out = _run("alerts", "resolve", str(alert["alert_id"]), *w, "--by", "carl", "-f", "json")
    assert json.loads(out)["alert"]["status"] == "resolved"
    code, out = _run("alerts", "show", str(alert["alert_id"]), *w)
    assert "acknowledged by carl" in out and "resolved by carl" in out
    code, out = _run("alerts", "list", *w, "--status", "open", "-f", "csv")
    assert out.splitlines()[0].startswith("alert_id,account_id,account_name,rule_id")
    assert len(out.splitlines()) == 1 + 5
    code, out = _run("alerts", "list", *w)
    assert "Account DET (DET)" in out and "6 alerts" in out


def test_init_writes_default_rules(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "ws"
    code, out = _run("init", "-w", str(folder))
    assert code == 0, out
    code, out = _run("alerts", "rules", "-w", str(folder))
    assert code == 0 and out.splitlines()[0].startswith("usage-drop: usage_drop, high, to csm")


def test_errors_exit_2(company: Callable[..., Workspace]) -> None:
    ws = company()
    (ws.path / "alerts.yml").write_text(
        "rules:\n  - {id: x, kind: nope, severity: low, owner: csm}\n"
    )
    for args, message in (
        (["alerts", "run"], "line 2, rules[0]: unknown kind 'nope'"),
        (["alerts", "ack", "42"], "alert 42: no such alert"),
        (["alerts", "list", "--status", "closed"], "status 'closed': choose one of"),
        (["alerts", "list", "-f", "xml"], "--format 'xml'"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "tandem.apps.cli", *args, "-w", str(ws.path)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr, done.stderr
