"""``tandem scorecard`` and ``tandem scorecards`` from the command line, on the hand-made
company of tests/scorecards/conftest.py (values worked out there)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.scorecards.model import Scorecard
from tests.scorecards.conftest import make_company

TANDEM = Path(sys.executable).parent / "tandem"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[str]:
    company = make_company(tmp_path / "ws")
    company.close()  # the CLI opens the database file itself
    yield str(company.path)


def run(*args: str) -> bytes:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout_bytes


def refused(*args: str) -> str:
    """Run the installed command; it must exit 2 and say why on standard error."""
    done = subprocess.run([str(TANDEM), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    return done.stderr


def test_table_shows_every_metric_with_status(ws: str) -> None:
    text = run("scorecard", "review", "-w", ws, "--period", "2026-03").decode()
    assert "Review · 2026-03 (01 Mar – 31 Mar 2026) · Whole company" in text
    for name in ("Customers (customers)", "Customer churn rate", "Net Promoter Score", "MRR (mrr)"):
        assert name in text
    assert "● red" in text and "● green" in text and "● amber" in text
    assert "promoters 3 · passives 1 · detractors 1" in text
    assert "Opening MRR" in text and "Logo retention by signup month" in text


def test_json_is_the_scorecard_object(ws: str) -> None:
    data = json.loads(run("scorecard", "review", "-w", ws, "-p", "2026-03", "-f", "json"))
    card = Scorecard.model_validate(data)
    assert card.to_json() == data
    churn = next(line for line in card.lines if line.slug == "customer_churn_rate")
    assert (churn.value, churn.status.value) == (25.0, "red")
    assert data["scope"]["kind"] == "company"


def test_csv_for_a_csm_and_compared(ws: str) -> None:
    """C1 (Ada): 1 customer in March; compared by segment: SMB {A1, A5}, ENT {A3, A4}."""
    one = list(
        csv.DictReader(
            io.StringIO(
                run(
                    "scorecard", "review", "-w", ws, "-p", "2026-03", "--for", "csm:C1", "-f", "csv"
                ).decode()
            )
        )
    )
    customers = next(r for r in one if r["metric"] == "customers")
    assert (customers["value"], customers["scope"]) == ("1.0", "CSM Ada (C1)")
    cac = next(r for r in one if r["metric"] == "cac")
    assert cac["value"] == "" and cac["status"] == "no_value"
    by = list(
        csv.DictReader(
            io.StringIO(
                run(
                    "scorecard",
                    "review",
                    "-w",
                    ws,
                    "-p",
                    "2026-03",
                    "--compare",
                    "segment",
                    "-f",
                    "csv",
                ).decode()
            )
        )
    )
    assert {(r["label"], r["value"]) for r in by if r["metric"] == "customers"} == {
        ("SMB", "2.0"),
        ("ENT", "2.0"),
    }


def test_files_are_written_for_html_xlsx_and_pdf(ws: str, tmp_path: Path) -> None:
    for fmt, magic in (("html", b"<!DOCTYPE html>"), ("xlsx", b"PK"), ("pdf", b"%PDF-")):
        out = tmp_path / f"card.{fmt}"
        run("scorecard", "review", "-w", ws, "-p", "2026-03", "-f", fmt, "-o", str(out))
        assert out.read_bytes().startswith(magic), fmt
    book = openpyxl.load_workbook(tmp_path / "card.xlsx")
    assert book.sheetnames[:3] == ["Overview", "Customers", "Revenue"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_init_writes_the_shared_scorecard_once(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    out = run("init", "-w", str(folder)).decode()
    card = folder / "scorecards" / "shared.yml"
    assert f"Default shared scorecard in {card}" in out
    card.write_text(card.read_text() + "# mine\n", encoding="utf-8")
    again = run("init", "-w", str(folder)).decode()
    assert "Default shared scorecard" not in again
    assert card.read_text().endswith("# mine\n")
    listed = json.loads(run("scorecards", "-w", str(folder), "-f", "json"))
    assert listed == [
        {
            "name": "shared",
            "file": str(card),
            "valid": True,
            "title": "Shared scorecard",
            "grain": "month",
            "sections": 5,
            "metrics": 27,
        }
    ]


def test_usage_errors_exit_2(ws: str) -> None:
    assert "--format 'docx': choose one of table, json, csv, html, xlsx, pdf" in refused(
        "scorecard", "-w", ws, "-f", "docx"
    )
    assert "--for 'team:x': 'team' is not csm, rep or segment" in refused(
        "scorecard", "-w", ws, "--for", "team:x"
    )
    assert "--compare 'csms': 'csms' is not csm, rep or segment (did you mean 'csm'?)" in refused(
        "scorecard", "-w", ws, "--compare", "csms"
    )
    assert "no scorecard 'reveiw'" in refused("scorecard", "reveiw", "-w", ws)
    assert "(did you mean 'review'?)" in refused("scorecard", "reveiw", "-w", ws)
    assert "--period: 'March' is not a date" in refused("scorecard", "-w", ws, "-p", "March")


def test_an_invalid_file_is_refused_with_file_line_and_field(ws: str) -> None:
    bad = Path(ws) / "scorecards" / "bad.yml"
    bad.write_text(
        "title: Bad\nsections:\n  - title: One\n    metrics:\n      - metric: csta\n"
        "        target: high\n",
        encoding="utf-8",
    )
    err = refused("scorecard", "bad", "-w", ws)
    assert f"{bad}, line 5, sections[0].metrics[0].metric: unknown metric 'csta' " in err
    assert "(did you mean 'csat'?)" in err
    assert f"{bad}, line 6, sections[0].metrics[0].target: input should be a valid number" in err
    listing = subprocess.run(
        [str(TANDEM), "scorecards", "-w", ws], capture_output=True, text=True, timeout=120
    )
    assert listing.returncode == 2
    assert "review" in listing.stdout and "bad" in listing.stdout
    assert "unknown metric 'csta'" in listing.stderr
