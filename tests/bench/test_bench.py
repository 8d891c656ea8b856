"""The benchmark's three implementations of the five core metrics agree, and its report reads.

Tandem, hand-written DuckDB SQL and pandas share no metric code (the baselines
compute months with plain ``datetime``), so their agreement on a generated
company, month by month and component by component, checks all three.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import duckdb
import pytest

from tandem.bench import core, pandas_baseline, sql_baseline
from tandem.bench.report import render
from tandem.bench.run import split_last_day, step
from tandem.service.workspace import Workspace
from tandem.synth import SynthConfig, generate
from tandem.warnings import SmallSampleWarning

MONTHS = core.months(dt.date(2026, 10, 1), 8)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Workspace]:
    root = tmp_path_factory.mktemp("bench")
    data = root / "company" / "parquet"
    generate(SynthConfig(accounts=400, months=10, seed=3, format="parquet"), data)
    ws = Workspace.init(root / "ws")
    ws.load([data])
    ws.close()
    return data, Workspace(root / "ws")


@pytest.mark.parametrize("slug", core.FIVE)
def test_three_implementations_agree(company: tuple[Path, Workspace], slug: str) -> None:
    data, ws = company
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)  # a small company's survey months
        result = ws.compute([slug], start=MONTHS[0].first, end=MONTHS[-1].last)[slug]
    tandem = {slug: core.from_tandem(result)}
    sql = {slug: sql_baseline.compute(ws.store.raw, slug, MONTHS)}  # type: ignore[attr-defined]
    pandas = {slug: pandas_baseline.compute(slug, pandas_baseline.read(data, slug), MONTHS)}
    assert [r.period for r in tandem[slug]] == [m.first for m in MONTHS]
    assert any(r.denominator for r in tandem[slug]), "the company must exercise the metric"
    assert core.disagreements(sql, tandem) == []
    assert core.disagreements(pandas, tandem) == []


def test_a_disagreement_is_reported() -> None:
    month = dt.date(2026, 1, 1)
    ours = {"nps": [core.ratio_row(month, 3, 10, 100)]}
    theirs = {"nps": [core.ratio_row(month, 4, 10, 100)]}
    found = core.disagreements(theirs, ours)
    assert found == [
        "nps 2026-01-01 value: 40.0 vs 30.0",
        "nps 2026-01-01 numerator: 4.0 vs 3.0",
    ]


def test_months_are_calendar_months() -> None:
    """Three months ending with March 2024 (a leap February): opening days chain."""
    ms = core.months(dt.date(2024, 3, 15), 3)
    assert [(m.first, m.last) for m in ms] == [
        (dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
    ]
    assert ms[1].opening == ms[0].last


def test_split_keeps_every_event_once(company: tuple[Path, Workspace]) -> None:
    data, _ = company
    base, day, last = split_last_day(data)
    con = duckdb.connect()
    count = "SELECT count(*) FROM '{}'"
    whole = con.execute(count.format(data / "usage_events.parquet")).fetchone()
    before = con.execute(count.format(base / "usage_events.parquet")).fetchone()
    after = con.execute(count.format(day / "usage_events.parquet")).fetchone()
    assert whole is not None and before is not None and after is not None
    assert before[0] + after[0] == whole[0] and after[0] > 0
    days = con.execute(
        f"SELECT DISTINCT CAST(ts AS DATE) FROM '{day / 'usage_events.parquet'}'"
    ).fetchall()
    assert days == [(last,)]
    assert (base / "accounts.parquet").resolve() == (data / "accounts.parquet").resolve()


def test_a_step_reports_its_figures_and_memory(company: tuple[Path, Workspace]) -> None:
    _, ws = company
    ws.close()  # the step opens the database file itself
    months = {"last_month": "2026-10-01", "months": 8}
    out = step("five", {"impl": "sql", "database": str(ws.path / "tandem.duckdb"), **months})
    assert set(out["seconds"]) == set(core.FIVE)
    assert out["peak_rss_mb"] > 10
    direct = sql_baseline.compute(ws.store.raw, "nps", MONTHS)  # type: ignore[attr-defined]
    assert core.from_json(out["results"])["nps"] == direct


def test_report_shows_ratios_and_agreement(tmp_path: Path) -> None:
    """Times chosen so the ratios are easy: Tandem 2 s, SQL 1 s, pandas 8 s → 2.0× and 4.0×."""
    five = {
        impl: {"seconds": {s: [t, t + 1] for s in core.FIVE}, "peak_rss_mb": 100.0}
        for impl, t in (("tandem", 2.0), ("sql", 1.0), ("pandas", 8.0))
    }
    figures = {
        "size": "S",
        "label": "S (1 account)",
        "rows": {"accounts": 1, "_hidden_team": 9},
        "synth_seconds": {"parquet": 150.0, "csv": 2.5},
        "load_csv": {"seconds": 2.0, "rows": {"accounts": 1000}, "peak_rss_mb": 50.0},
        "load_parquet": {"seconds": 1.0, "rows": {"accounts": 1000}, "peak_rss_mb": 2048.0},
        "refresh": {
            "seconds": {
                "fill": 4.0,
                "unchanged": 0.5,
                "load_day": 0.1,
                "refresh": 1.0,
                "full": 4.0,
            },
            "refresh_equals_full": True,
        },
        "catalog": {"seconds": {"overall": [3.0, 2.0]}, "peak_rss_mb": 300.0},
        "five": five,
        "disagreements": [],
        "machine": {"cpu": "cpu", "memory": "1 GB", "os": "os", "python": "3.11", "versions": "v"},
        "date": "2026-01-01",
        "command": "tandem bench --size S",
    }
    text = render({"S": json.loads(json.dumps(figures))}, notes=tmp_path / "none.md")
    assert "| `nps` | 2.00 s | 1.00 s | 8.00 s | 2.0× | 4.0× |" in text
    assert "| CSV | 1,000 | 2.00 s | 500 | 50 MB |" in text
    assert "| PARQUET | 1,000 | 1.00 s | 1,000 | 2.0 GB |" in text
    assert "_hidden_team" not in text
    assert "(`tandem synth`, one process) took 150 s as Parquet, 2.50 s as CSV." in text
    assert "0.25× the time of a full recomputation" in text
    assert "All three agree" in text


def test_short_times_read_in_milliseconds() -> None:
    from tandem.bench.report import _s

    assert [_s(x) for x in (0.0046, 0.25, 2.0, 150.0)] == ["4.6 ms", "250 ms", "2.00 s", "150 s"]


def test_fast_runs_are_repeated_up_to_a_second() -> None:
    import time

    from tandem.bench.step import MAX_RUNS, _runs

    calls: list[int] = []
    times, value = _runs(lambda: calls.append(1) or len(calls), at_least=2)
    assert len(times) == MAX_RUNS == len(calls) and value == MAX_RUNS
    # Two runs of 0.6 s already add up to more than a second: no third.
    times, _ = _runs(lambda: time.sleep(0.6), at_least=2)
    assert len(times) == 2


def test_bench_end_to_end_at_s(tmp_path: Path) -> None:
    """``tandem bench --size S`` from generation to report, with every folder its own."""
    from typer.testing import CliRunner

    from tandem.apps.cli import app

    out, results, cache, work = (tmp_path / n for n in ("report.md", "results", "cache", "work"))
    args = ["bench", "--size", "S", "--out", str(out), "--results", str(results)]
    args += ["--cache", str(cache), "--workspace", str(work)]
    outcome = CliRunner().invoke(app, args)
    assert outcome.exit_code == 0, outcome.output
    figures = json.loads((results / "S.json").read_text())
    assert figures["rows"]["accounts"] == 2_000
    assert figures["disagreements"] == []
    assert figures["refresh"]["refresh_equals_full"] is True
    text = out.read_text()
    assert "## S (2,000 accounts, 24 months)" in text and "All three agree" in text
    # The workspaces were made under --workspace, and removed when the run ended.
    assert (work / "S-seed7").is_dir() and not (work / "S-seed7" / "work").exists()
    assert not (cache / "S-seed7" / "work").exists()
