"""``tandem synth``: files written, a summary printed, bad options refused with exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.schema import TABLE_NAMES

TANDEM = Path(sys.executable).parent / "tandem"


def test_synth_writes_every_table_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "data"
    result = CliRunner().invoke(
        app,
        [
            "synth",
            "--accounts",
            "300",
            "--months",
            "6",
            "--seed",
            "4",
            "--out",
            str(out),
            "--format",
            "parquet",
            "--events-per-account",
            "20",
            "--end",
            "2025-12-31",
            "--workspace",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in out.glob("[!_]*.parquet")) == sorted(TABLE_NAMES)
    assert "usage_events" in result.output and "300 accounts" in result.output


def test_bad_options_exit_2_with_the_reason(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(TANDEM), "synth", "--out", str(tmp_path), "--format", "xlsx"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "format 'xlsx': choose one of csv, parquet" in done.stderr
    assert not list(tmp_path.iterdir())
