"""``tandem health`` from the command line: table, CSV and JSON; bad usage exits 2."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.service.workspace import Workspace
from tests.health.test_score import company


@pytest.fixture
def ws(seeded: Callable[..., Workspace]) -> Workspace:
    return seeded(company())


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), terminal_width=200)
    return result.exit_code, result.output


def test_csv_has_account_score_band_and_each_contribution(ws: Workspace) -> None:
    """Default weights, no key features configured: A's adoption is the mean of 2 users / 4
    seats (50) and report_created, the one key feature seen, used (100) = 75, so its score is
    (3400 + 20 × 25) / 95 = 41.05, above B's 2500 / 65 = 38.46: B comes first (worst first).
    See test_score for the working."""
    code, out = _run("health", "-w", str(ws.path), "--as-of", "2026-03-31", "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["account_id"] for r in rows] == ["B", "A"]
    assert list(rows[0])[:7] == ["as_of", "account_id", "name", "health_score", "band",
                                 "missing", "usage_trend"]  # fmt: skip
    assert float(rows[1]["adoption_score"]) == pytest.approx(75.0)
    assert float(rows[1]["health_score"]) == pytest.approx(3900 / 95)
    assert float(rows[0]["health_score"]) == pytest.approx(2500 / 65)
    assert rows[0]["band"] == "red" and rows[0]["nps"] == "" and rows[1]["band"] == "amber"


def test_json_explains_each_component(ws: Workspace) -> None:
    code, out = _run("health", "-w", str(ws.path), "--as-of", "2026-03-31", "-a", "B", "-f", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["as_of"] == "2026-03-31" and doc["bands"] == {"red_below": 40, "green_from": 70}
    (b,) = doc["accounts"]
    parts = {p["name"]: p for p in b["components"]}
    assert parts["nps"] == {
        "name": "nps", "title": "NPS category", "weight": 10.0, "share": None, "score": None,
        "points": None, "missing": True, "facts": {"nps_score": None, "nps_day": None},
    }  # fmt: skip
    assert parts["renewal"]["share"] == pytest.approx(100 * 15 / 65)
    assert parts["renewal"]["facts"]["renewal_day"] == "2027-03-01"
    assert b["missing"] == ["usage_trend", "nps", "csat", "onboarding", "contraction"]


def test_table_and_history(ws: Workspace) -> None:
    code, out = _run("health", "-w", str(ws.path), "--as-of", "2026-03-31")
    assert code == 0, out
    assert "Health as of 2026-03-31" in out and "Account A" in out and "2 scores" in out
    code, out = _run("health", "history", "A", "-w", str(ws.path), "--from", "2026-02",
                     "--to", "2026-03-31")  # fmt: skip
    assert code == 0, out
    assert "Health of A (Account A)" in out and "2026-02-28" in out and "2026-03-31" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xlsx"], "--format 'xlsx': choose table, csv or json"),
        (["--format", "parquet"], "--format 'parquet': choose table, csv or json"),
        (["--as-of", "31/03/2026"], "--as-of '31/03/2026': expected a day like 2026-10-31"),
        (["--band", "blue"], "--band 'blue': choose one of red, amber, green"),
        (["--account", "ZZ", "--as-of", "2026-03-31"], "--account 'ZZ': not a customer on"),
    ],
)
def test_bad_usage_exits_2(ws: Workspace, args: list[str], message: str) -> None:
    import subprocess
    import sys

    ws.close()  # the command opens the database itself
    done = subprocess.run(
        [sys.executable, "-m", "tandem.apps.cli", "health", "-w", str(ws.path), *args],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr


def test_table_heads_are_the_weighted_components_in_full(ws: Workspace) -> None:
    """Default weights leave purchases at 0: no column for it; every other head is printed
    whole (no ellipsis) and the footnote lists the weights in force."""
    code, out = _run("health", "-w", str(ws.path), "--as-of", "2026-03-31")
    assert code == 0, out
    head = next(line for line in out.splitlines() if "score" in line and "band" in line)
    heads = [h.strip() for h in head.strip("┃ ").split("┃")]
    assert heads == ["account", "name", "score", "band", "trend", "active", "adopt", "nps",
                     "csat", "tickets", "escal", "onboard", "contract", "renewal"]  # fmt: skip
    assert "p_alive" not in out and "…" not in head
    assert "renewal 15." in " ".join(out.split())
