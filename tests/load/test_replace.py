"""``--replace TABLE`` and ``--dry-run`` on the embedded database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.errors import InputError, UsageError
from tandem.service.workspace import Workspace
from tests.apps.cli.test_load import _cells
from tests.load.files import rows, snapshot, write
from tests.load.replacing import check_replace_every_table, exports
from tests.load.test_stripe import write_company


def test_replace_and_dry_run_on_every_table(ws: Workspace, tmp_path: Path) -> None:
    check_replace_every_table(ws, tmp_path)


def test_a_dry_run_changes_nothing_at_all(ws: Workspace, tmp_path: Path) -> None:
    """Not the rows, not the new extra columns, not the load log."""
    ws.load([exports(tmp_path / "first", refreshed=False)])
    before = snapshot(ws)
    write(
        tmp_path / "more" / "accounts.csv",
        "account_id,name,created_at,tier\nA-9,Nine,2024-05-01,gold\n",
    )
    report = ws.load([tmp_path / "more"], dry_run=True)
    assert report.counts("accounts").new == 1
    assert snapshot(ws) == before


def test_a_dry_run_of_bad_files_is_refused_like_a_load(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "orders.csv", "order_id,account_id,ordered_at,amount\nO,A-9,x,1\n")
    with pytest.raises(InputError):
        ws.load([path], dry_run=True)


def test_replacing_a_table_the_load_does_not_give_is_refused(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "accounts.csv", "account_id,name,created_at\nA-1,Acme,2024-01-01\n")
    with pytest.raises(UsageError, match="--replace deals: no file of this load gives deals"):
        ws.load([path], replace=("deals",))
    with pytest.raises(UsageError, match="--replace 'acounts': no such table \\(did you mean"):
        ws.load([path], replace=("acounts",))


def test_replace_through_a_preset(ws: Workspace, tmp_path: Path) -> None:
    """A later Stripe export without subscription L1 (and its invoice): replacing the
    subscriptions drops L1's row and nothing else."""
    paths = write_company(tmp_path / "stripe")
    ws.load(paths, preset="stripe")
    subs = json.loads(paths[1].read_text())
    subs["data"] = [s for s in subs["data"] if s["id"] != "sub_L1"]
    paths[1].write_text(json.dumps(subs))
    invoices = [i for i in paths[2].read_text().splitlines() if "sub_L1" not in i]
    paths[2].write_text("\n".join(invoices) + "\n")
    report = ws.load(paths, preset="stripe", replace=("subscriptions",))
    assert report.counts("subscriptions").deleted == 1
    assert "sub_L1/2024-01-01" not in [r[0] for r in rows(ws, "subscriptions", "subscription_id")]


def test_dry_run_from_the_command_line(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    runner = CliRunner()
    first = exports(tmp_path / "first", refreshed=False)
    assert runner.invoke(app, ["load", str(first), "-w", str(tmp_path / "ws")]).exit_code == 0
    refreshed = exports(tmp_path / "refreshed", refreshed=True)
    args = ["load", str(refreshed), "-w", str(tmp_path / "ws"), "--replace", "orders,tickets"]
    done = runner.invoke(app, [*args, "--dry-run"], terminal_width=120)
    assert done.exit_code == 0, done.output
    lines = _cells(done.output)
    assert "Would load (dry run: nothing changed)" in lines
    assert "table rows new updated unchanged deleted" in lines
    assert "orders 2 1 1 0 1" in lines
    assert "deals 2 1 1 0 0" in lines
    as_json = json.loads(runner.invoke(app, [*args, "--dry-run", "--format", "json"]).output)
    assert as_json["dry_run"] is True
    assert {t["table"]: t["deleted"] for t in as_json["tables"]}["tickets"] == 1
