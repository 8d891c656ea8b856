"""The benchmark's implementations of the five core metrics agree, and its report reads.

Tandem, hand-written DuckDB SQL, vectorised pandas and Polars share no metric
code (the peers compute months with plain ``datetime``), so their agreement on a
generated company, month by month and component by component, checks all four.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import duckdb
import pytest

from tandem import Workspace
from tandem.bench import core, pandas_baseline, polars_baseline, sql_baseline
from tandem.bench.report import render
from tandem.bench.run import generator_version, split_last_day, step
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
    ws.close()  # the SQL peer opens the database file itself
    tandem = {slug: core.from_tandem(result)}
    con = duckdb.connect(str(ws.path / "tandem.duckdb"), read_only=True)
    sql = {slug: sql_baseline.compute(con, slug, MONTHS)}
    con.close()
    pandas = {slug: pandas_baseline.compute(slug, pandas_baseline.read(data, slug), MONTHS)}
    polars = {slug: polars_baseline.compute(data, slug, MONTHS)}
    assert [r.period for r in tandem[slug]] == [m.first for m in MONTHS]
    assert any(r.denominator for r in tandem[slug]), "the company must exercise the metric"
    assert core.disagreements(sql, tandem) == []
    assert core.disagreements(pandas, tandem) == []
    assert core.disagreements(polars, tandem) == []


def test_spells_merge_overlapping_rows_by_hand() -> None:
    """Account a: rows [1, 5) and [3, 8) make one spell [1, 8); [10, 12) another.

    Account b: [2, 4) alone. Days as integers (datetime64[D] from the epoch).
    """
    import pandas as pd

    day = pd.Timestamp("1970-01-01")
    subs = pd.DataFrame(
        {
            "account_id": pd.Categorical(["a", "a", "a", "b"]),
            "mrr": [10.0, 5.0, 7.0, 1.0],
            "valid_from": [day + pd.Timedelta(days=d) for d in (1, 3, 10, 2)],
            "valid_to": [day + pd.Timedelta(days=d) for d in (5, 8, 12, 4)],
        }
    )
    code, start, end = pandas_baseline._spells({"subscriptions": subs})
    assert list(zip(code, start, end, strict=True)) == [(0, 1, 8), (0, 10, 12), (1, 2, 4)]


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
    data, ws = company
    ws.close()  # the step opens the database file itself
    months = {"last_month": "2026-10-01", "months": 8}
    out = step("five", {"impl": "polars", "data": str(data), **months})
    assert set(out["seconds"]) == set(core.FIVE)
    assert out["peak_rss_mb"] > 10
    direct = polars_baseline.compute(data, "nps", MONTHS)
    assert core.from_json(out["results"])["nps"] == direct


def test_latency_step_times_a_cache_hit_and_small_requests(
    company: tuple[Path, Workspace],
) -> None:
    _, ws = company
    ws.close()
    months = {"last_month": "2026-10-01", "months": 8}
    out = step("latency", {"workspace": str(ws.path), "requests": ["hit", "small_nps"], **months})
    for name in ("hit", "small_nps"):
        assert 0 < out["seconds"][name]["median"] < 5


def test_report_shows_ratios_and_agreement(tmp_path: Path) -> None:
    """Times chosen so the ratios are easy.

    Warm (best of the later runs): Tandem 2 s, SQL 1 s, pandas 8 s, Polars 4 s → Tandem ÷
    each 2.00, 0.25, 0.50; cold (first run) 3, 2, 9, 5 → 1.50, 0.33, 0.60.
    """
    five = {
        impl: {"seconds": {s: [t + 1, t, t + 3] for s in core.FIVE}, "peak_rss_mb": 100.0}
        for impl, t in (("tandem", 2.0), ("sql", 1.0), ("pandas", 8.0), ("polars", 4.0))
    }
    top = [{"where": "x.py:1(f)", "calls": 3, "own": 1.5, "cumulative": 1.9, "share": 0.75}]
    five["tandem"]["profile"] = {
        s: {"top": top, "packages": {"ibis": 1.5, "duckdb": 0.5}} for s in core.FIVE
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
        "latency": {"hit": {"cold": 1.0, "median": 0.005}},
        "machine": {"cpu": "cpu", "memory": "1 GB", "os": "os", "python": "3.11", "versions": "v"},
        "date": "2026-01-01",
        "command": "tandem bench --size S",
    }
    text = render({"S": json.loads(json.dumps(figures))}, notes=tmp_path / "none.md")
    assert "| `nps` | warm | 2.00 s | 1.00 s | 8.00 s | 4.00 s | 2.00 | 0.25 | 0.50 |" in text
    assert "|  | cold | 3.00 s | 2.00 s | 9.00 s | 5.00 s | 1.50 | 0.33 | 0.60 |" in text
    assert "`nps`: own time by package: ibis 75%, duckdb 25%." in text
    assert "| `x.py:1(f)` | 3 | 1.50 s | 75% | 1.90 s |" in text
    assert "| Cache hit: NPS over 24 months, asked again | 1.00 s | 5.0 ms | yes |" in text
    assert "| CSV | 1,000 | 2.00 s | 500 | 50 MB |" in text
    assert "| PARQUET | 1,000 | 1.00 s | 1,000 | 2.0 GB |" in text
    assert "_hidden_team" not in text
    assert "(`tandem synth`, one process) took 150 s as Parquet, 2.50 s as CSV." in text
    assert "0.25× the time of a full recomputation" in text
    assert "Every peer agrees with Tandem" in text


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
    assert "## S (2,000 accounts, 24 months)" in text and "Every peer agrees" in text
    assert set(figures["five"]) == {"tandem", "sql", "pandas", "polars"}
    assert {"hit", "small_nps", "small_churn"} <= set(figures["latency"])
    # The workspaces were made under --workspace, and removed when the run ended.
    name = f"S-seed7-{generator_version()}"
    assert (work / name).is_dir() and not (work / name / "work").exists()
    assert not (cache / name / "work").exists()
