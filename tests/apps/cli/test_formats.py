"""Every command × every output format: the format asked for, or a usage error.

A command writes ``table`` for people and ``json`` for programs (every command),
``csv`` and ``parquet`` where its result is a table; any other format asked for
is refused with exit status 2 and one line naming the formats it writes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.apps.cli.errors import run
from tandem.service.workspace import Workspace
from tandem.synth import SynthConfig, generate

FORMATS = ("table", "csv", "json", "parquet", "xml")


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("formats")
    generate(SynthConfig(accounts=150, months=8, seed=5), root / "data", root / "truth")
    CliRunner().invoke(app, ["init", "-w", str(root / "ws")])
    with Workspace(root / "ws") as w:
        w.load([root / "data"])
        account = str(w.store.run(w.store.table("accounts").limit(1))["account_id"][0])
    (root / "account").write_text(account)
    return root


def _commands(root: Path) -> list[list[str]]:
    ws = str(root / "ws")
    account = (root / "account").read_text()
    month = ["--from", "2026-06", "--to", "2026-08"]
    return [
        ["status", "-w", ws],
        ["load", str(root / "data" / "accounts.csv"), "--dry-run", "-w", ws],
        ["presets"],
        ["metric", "customers", "-w", ws, *month],
        ["metrics", "-w", ws],
        ["metrics", "nps", "-w", ws],
        ["explain", "customer_churn_rate", "--period", "2026-08", "-w", ws],
        ["summary", "-w", ws],
        ["scorecards", "-w", ws],
        ["scorecard", "-w", ws, "--period", "2026-08"],
        ["health", "-w", ws],
        ["health", "history", account, "-w", ws],
        ["alerts", "rules", "-w", ws],
        ["alerts", "list", "-w", ws],
        ["survival", "-w", ws],
        ["synth", "--out", str(root / "again"), "-n", "30", "-m", "3"],
        ["init", "-w", str(root / "fresh")],
    ]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """As the ``tandem`` command runs it, error boundary included."""
    capsys.readouterr()
    code = run(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_command_writes_the_format_or_refuses_it(
    ws: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in _commands(ws):
        target = ws / f"out-{'-'.join(args[:2])}.{fmt}"
        extra = ["--format", fmt] + (["-o", str(target)] if fmt == "parquet" else [])
        if args[0] == "synth" and fmt in ("csv", "parquet"):
            continue  # synth's --format csv|parquet names the files it writes
        code, out, err = _run([*args, *extra], capsys)
        where = " ".join(args[:2])
        if code == 2:
            line = err.strip()
            assert len(line.splitlines()) == 1, (where, err)
            known = ("does not write", "choose", "No such option: -o")
            assert any(k in line for k in known), (where, line)
            assert fmt != "json", f"{where}: every command writes json"
            continue
        assert code == 0, (where, fmt, out, err)
        assert fmt != "xml", f"{where} accepted --format xml"
        if fmt == "json":
            json.loads(out)
        elif fmt == "csv":
            header = next(csv.reader(io.StringIO(out)))
            assert header and "─" not in out and "│" not in out, where
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            assert pq.read_table(target).num_rows >= 0
        elif fmt == "table":
            assert out.strip(), where


def test_help_and_version() -> None:
    assert "Usage" in CliRunner().invoke(app, ["-h"]).stdout
    assert "Usage" in CliRunner().invoke(app, ["metric", "-h"]).stdout
    from tandem.version import __version__

    assert CliRunner().invoke(app, ["--version"]).stdout.strip() == f"tandem {__version__}"
