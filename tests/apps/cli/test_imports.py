"""``tandem load --preset`` and ``tandem presets`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.errors import UsageError
from tandem.load.presets import path_of
from tandem.service.workspace import Workspace
from tests.apps.cli.test_load import _cells
from tests.load.test_stripe import write_company
from tests.load.vendor import sample


def test_load_with_a_preset_says_what_each_file_became(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    write_company(tmp_path / "stripe")
    done = CliRunner().invoke(
        app,
        ["load", "--preset", "stripe", str(tmp_path / "stripe"), "-w", str(tmp_path / "ws")],
        terminal_width=200,
    )
    assert done.exit_code == 0, done.output
    lines = _cells(done.output)
    assert f"{tmp_path / 'stripe' / 'customers.json'} customers accounts 12" in lines
    assert f"{tmp_path / 'stripe' / 'invoices.jsonl'} invoices → billing history 31" in lines
    assert (
        "billing history (subscriptions.json + invoices.jsonl) built from billing data "
        "subscriptions 14"
    ) in lines
    assert "subscriptions 14 14 0 0" in lines
    assert any(line.startswith("28 rows from 3 files in ") for line in lines)


def test_load_json_report(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    done = CliRunner().invoke(
        app,
        [
            "load",
            "-p",
            "salesforce",
            str(sample("salesforce/dataloader_accountData.csv")),
            "-w",
            str(tmp_path / "ws"),
            "--format",
            "json",
        ],
    )
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["dry_run"] is False
    assert report["tables"] == [
        {"table": "accounts", "rows": 423, "new": 423, "updated": 0, "unchanged": 0, "deleted": 0}
    ]
    assert report["files"][0]["read_as"] == "accounts"


def test_a_file_of_the_wrong_vendor_exits_2_naming_the_preset(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    path = sample("qualtrics/qualtrics_sample_v3export.csv")
    done = subprocess.run(
        [sys.executable, "-c", "from tandem.apps.cli import main; main()", "load",
         "--preset", "zendesk", str(path), "-w", str(tmp_path / "ws")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {path}: is not a file the zendesk preset reads ")
    assert "it expects tickets: CSV with columns Id, Requester, Via, Created at" in done.stderr
    assert done.stderr.endswith("Nothing was loaded.\n")


def test_presets_lists_every_preset_with_its_files_and_path() -> None:
    done = CliRunner().invoke(app, ["presets", "--format", "json"])
    assert done.exit_code == 0, done.output
    listed = {p["name"]: p for p in json.loads(done.output)}
    assert sorted(listed) == [
        "delighted", "hubspot", "qualtrics", "salesforce", "stripe", "surveymonkey", "typeform",
        "zendesk",
    ]  # fmt: skip
    assert listed["zendesk"]["path"] == str(path_of("zendesk"))
    assert listed["zendesk"]["files"] == [
        {
            "source": "tickets",
            "expects": "CSV with columns Id, Requester, Via, Created at",
            "tables": ["tickets", "survey_responses"],
            "description": "Ticket export (CSV)",
        }
    ]
    table = CliRunner().invoke(app, ["presets"], terminal_width=200)
    assert f"tandem load --preset zendesk FILE... · {path_of('zendesk')}" in _cells(table.output)


def test_presets_refuses_csv() -> None:
    done = CliRunner().invoke(app, ["presets", "--format", "csv"])
    assert isinstance(done.exception, UsageError)
    assert str(done.exception) == "tandem presets does not write csv: choose table, json"
