"""``tandem load`` from the command line: the summary, and exit status 2 on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.service.workspace import Workspace
from tests.load.files import write


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write(
        folder / "accounts.csv",
        "account_id,name,created_at\nA-1,Acme,2024-01-01\nA-2,Beta,2024-01-01\n",
    )
    write(folder / "orders.csv", "order_id,account_id,ordered_at,amount\nO-1,A-1,2024-01-01,5\n")
    write(folder / "README.md", "exports from the CRM\n")
    return folder


def test_load_prints_rows_per_table_and_the_rate(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    args = ["load", str(_folder(tmp_path)), "--workspace", str(tmp_path / "ws")]
    runner = CliRunner()
    first = runner.invoke(app, args, terminal_width=120)
    again = runner.invoke(app, args, terminal_width=120)
    assert first.exit_code == 0, first.output
    lines = _cells(first.output)
    assert "table rows new updated unchanged" in lines
    assert "accounts 2 2 0 0" in lines
    assert "orders 1 1 0 0" in lines
    assert f"skipped {tmp_path / 'data' / 'README.md'} (not a supported file type)" in lines
    assert any(
        line.startswith("3 rows from 2 files in ") and line.endswith(" rows/s)") for line in lines
    )
    assert "accounts 2 0 0 2" in _cells(again.output)


def _cells(output: str) -> list[str]:
    """Each output line with the table borders dropped and spaces collapsed."""
    return [
        " ".join(line.translate({ord(c): " " for c in "│┃"}).split())
        for line in output.splitlines()
    ]


def test_bad_input_exits_2_with_every_issue_on_stderr(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    folder = _folder(tmp_path)
    write(
        folder / "orders.csv",
        "order_id,account_id,ordered_at,amount\nO-1,A-1,2024-01-01,-5\nO-2,A-3,2024-01-01,5\n",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tandem.apps.cli import main; main()",
            "load",
            "data",
            "--workspace",
            "ws",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: data/orders.csv row 2, column amount: '-5' must be ≥ 0",
        "data/orders.csv row 3, column account_id: 'A-3' is not a known account "
        "(load it in accounts first or in the same load)",
        "Nothing was loaded.",
    ]
    with Workspace(tmp_path / "ws") as ws:
        assert ws.row_counts()["accounts"] == 0


def test_table_and_mapping_options(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    export = write(tmp_path / "crm_export.csv", "Ref,Company,Opened\nA-1,Acme,2024-01-01\n")
    mapping = write(tmp_path / "map.yaml", "Ref: account_id\nCompany: name\nOpened: created_at\n")
    done = CliRunner().invoke(
        app,
        [
            "load",
            str(export),
            "--table",
            "accounts",
            "--mapping",
            str(mapping),
            "--workspace",
            str(tmp_path / "ws"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "accounts 1 1 0 0" in _cells(done.output)
