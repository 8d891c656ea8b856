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


def test_truths_go_to_their_own_folder_and_the_load_skips_nothing(tmp_path: Path) -> None:
    """``--truth`` takes the hidden files; ``tandem load`` of ``--out`` then warns of nothing."""
    out, truth, ws = tmp_path / "data", tmp_path / "answers", tmp_path / "ws"
    runner = CliRunner()
    made = runner.invoke(
        app, ["synth", "-n", "200", "-m", "6", "--out", str(out), "--truth", str(truth)]
    )
    assert made.exit_code == 0, made.output
    assert (truth / "account_health.csv").exists() and (truth / "churn_events.csv").exists()
    assert not (tmp_path / "data-truth").exists()
    assert runner.invoke(app, ["init", "--workspace", str(ws)]).exit_code == 0
    loaded = runner.invoke(app, ["load", str(out), "--workspace", str(ws)])
    assert loaded.exit_code == 0, loaded.output
    assert "skipped" not in loaded.output.lower()
    assert "12 files" in loaded.output


def test_truth_cannot_be_the_tables_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(TANDEM), "synth", "--out", str(tmp_path), "--truth", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--truth must be another folder than --out" in done.stderr
