"""``tandem clv fit``, ``tandem clv accounts`` and ``tandem survival`` from the command line.

The figures come from other tests (tests/models); here: the keys and columns
of SPEC.md, the published CDNOW values reaching the output, and refusals as
one line on stderr with exit status 2 (through the installed ``tandem``).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tandem.apps.cli import app
from tests.models.conftest import make_cdnow, make_workspace
from tests.models.test_survival import AS_OF, _subs

TANDEM = Path(sys.executable).parent / "tandem"


@pytest.fixture(scope="module")
def cdnow_folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("cdnow-cli")
    make_cdnow(folder).close()  # the command opens the database itself
    return str(folder)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def refused(*args: str) -> str:
    """Run the installed command; it must exit 2 with one line on stderr."""
    done = subprocess.run([str(TANDEM), *args], capture_output=True, text=True, check=False)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


FIT = ["clv", "fit", "--calibration-end", "1997-09-30"]


def test_clv_fit_json_has_the_published_figures(cdnow_folder: str) -> None:
    out = json.loads(
        run(*FIT, "--holdout-end", "1998-06-30", "--format", "json", "-w", cdnow_folder)
    )
    b, g, h = out["bgnbd"], out["gamma_gamma"], out["holdout"]
    assert {k: round(b[k], 3) for k in ("r", "alpha", "a", "b")} == {
        "r": 0.243,
        "alpha": 4.414,
        "a": 0.793,
        "b": 2.426,
    }
    assert round(b["log_likelihood"], 1) == -9582.4
    assert (round(g["p"], 2), round(g["q"], 2), round(g["v"], 2)) == (6.25, 3.74, 15.44)
    assert out["customers"] == 2357 and out["repeat_customers"] == 946
    assert h["actual_transactions"] == 1882
    assert h["predicted_transactions"] == pytest.approx(sum(w["predicted"] for w in h["weeks"]))
    assert len(h["weeks"]) == 39 and len(out["tracking"]) == 78
    assert out["knobs"]["time_unit_days"] == 7.0


def test_clv_fit_table(cdnow_folder: str) -> None:
    out = run(*FIT, "-w", cdnow_folder)
    assert "calibrated to 1997-09-30" in out
    assert "0.2426" in out and "4.414" in out and "-9,582.4" in out


def test_clv_accounts_csv_columns_and_a_known_customer(cdnow_folder: str) -> None:
    """Customer 1 of the authors' summary: x = 2, t_x = 30.43, T = 38.86 weeks."""
    out = run(
        "clv", "accounts", "--calibration-end", "1997-09-30", "--horizon-weeks", "39",
        "--format", "csv", "-w", cdnow_folder,
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "account_id", "frequency", "recency_weeks", "T_weeks", "p_alive",
        "expected_transactions", "expected_avg_value", "clv",
    ]  # fmt: skip
    assert len(rows) == 2357
    first = next(r for r in rows if r["account_id"] == "1")
    assert first["frequency"] == "2"
    assert float(first["recency_weeks"]) == pytest.approx(30.43, abs=0.005)
    assert float(first["T_weeks"]) == pytest.approx(38.86, abs=0.005)


def test_clv_accounts_json(cdnow_folder: str) -> None:
    out = json.loads(
        run("clv", "accounts", "--horizon-weeks", "4", "--format", "json", "-w", cdnow_folder)
    )
    assert out["calibration_end"] == "1998-06-30"  # the last order
    assert out["horizon_weeks"] == 4 and out["discount_rate"] == 0.1
    assert len(out["accounts"]) == 2357
    assert set(out["accounts"][0]) >= {"account_id", "p_alive", "clv"}


def test_survival_csv_by_segment(tmp_path: Path) -> None:
    accounts = [
        {"account_id": a, "name": a, "created_at": "2024-01-01", "segment": s}
        for a, s in (
            ("A", "SMB"),
            ("B", "SMB"),
            ("C", "Ent"),
            ("D", "Ent"),
            ("E", "Ent"),
            ("F", "SMB"),
        )
    ]
    make_workspace(tmp_path / "ws", {"accounts": accounts, "subscriptions": _subs()}).close()
    args = ["survival", "--as-of", AS_OF.isoformat(), "-w", str(tmp_path / "ws")]
    rows = list(csv.DictReader(io.StringIO(run(*args, "--by", "segment", "--format", "csv"))))
    assert list(rows[0]) == [
        "segment", "days", "at_risk", "events", "survival", "ci_lower", "ci_upper", "censored",
    ]  # fmt: skip
    # Ent: C (151, censored), D (119, churned); SMB: A (60), B (31) churned, F (61) censored.
    ent = [(r["days"], r["at_risk"], r["events"]) for r in rows if r["segment"] == "Ent"]
    assert ent == [("0", "2", "0"), ("119", "2", "1"), ("151", "1", "0")]
    data = json.loads(run(*args, "--by", "segment", "--format", "json"))
    assert [g["segment"] for g in data["groups"]] == ["Ent", "SMB"]
    assert data["groups"][1]["median_days"] == 60
    assert 0 < data["logrank"]["p_value"] < 1
    table = run(*args)
    assert "median lifetime 119 days" in table


def test_refusals_are_one_line_and_exit_2(tmp_path: Path, cdnow_folder: str) -> None:
    orders = [
        {
            "order_id": f"o{i}",
            "account_id": f"A{i % 3}",
            "ordered_at": f"2024-01-{1 + i:02d}",
            "amount": 5,
        }
        for i in range(9)
    ]
    make_workspace(tmp_path / "few", {"orders": orders}).close()
    line = refused("clv", "fit", "-w", str(tmp_path / "few"))
    assert line == (
        "error: orders up to 2024-01-09: 3 of 3 customers made a repeat purchase; the models "
        "need at least 30 (knob models.min_repeat_customers)"
    )
    assert refused(*FIT, "--format", "csv", "-w", cdnow_folder) == (
        "error: tandem clv fit does not write csv: choose table, json"
    )
    assert refused("clv", "fit", "--calibration-end", "1997-13-01", "-w", cdnow_folder) == (
        "error: --calibration-end '1997-13-01': not a date (YYYY-MM-DD)"
    )
    line = refused("survival", "--by", "segmnt", "-w", cdnow_folder)
    assert line.startswith("error: unknown dimension 'segmnt' (did you mean 'segment'?)")
