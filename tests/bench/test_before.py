"""The before/after table: the same steps on an earlier commit, reported with ratios."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tandem.bench import core
from tandem.bench.before import BEFORE_CORE, repository, sources, summary
from tandem.bench.report import _before_after, closing


def _figures(catalog: float, metric: float, hit: float) -> dict[str, object]:
    return {
        "load_parquet": {"seconds": 2.0},
        "load": {"seconds": 4.0},
        "catalog": {"seconds": {"overall": [catalog * 3, catalog, catalog * 2]}},
        "five": {"seconds": {s: [metric * 5, metric] for s in core.FIVE}},
        "latency": {"hit": {"cold": 1.0, "median": hit}},
    }


def test_before_and_after_side_by_side_with_ratios() -> None:
    """Now: catalog warm 1 s (best after the first), each metric 0.1 s, a hit 2 ms;
    before: 4 s, 0.5 s, 20 ms. Ratios now ÷ before: 0.25, 0.20, 0.10; the load 2 s
    against 4 s: 0.50."""
    now = _figures(1.0, 0.1, 0.002)
    now["five"] = {"tandem": now["five"]}
    before = _figures(4.0, 0.5, 0.020)
    rows = {label: (then, mine) for label, then, mine in summary(now, before)}
    assert rows["Load Parquet"] == (4.0, 2.0)
    assert rows["Whole catalog overall, warm"] == (4.0, 1.0)
    assert rows["`nps`, warm"] == (0.5, 0.1)
    assert rows["Cache hit (NPS, 24 months)"] == (0.020, 0.002)
    text = "\n".join(_before_after({**now, "before": {**before, "ref": "abc", "commit": "f" * 40}}))
    assert "| Whole catalog overall, warm | 4.00 s | 1.00 s | 0.25 |" in text
    assert "| `nps`, warm | 500 ms | 100 ms | 0.20 |" in text
    assert "| Cache hit (NPS, 24 months) | 20 ms | 2.0 ms | 0.10 |" in text
    assert "| Load Parquet | 4.00 s | 2.00 s | 0.50 |" in text
    assert _before_after(now) == []


def test_what_would_close_it_follows_where_the_time_goes() -> None:
    built = closing("nps", {"ibis": 0.6, "sqlglot": 0.1, "duckdb": 0.3})
    assert built.startswith("building and compiling the Ibis expression is 70% of the time")
    ran = closing("customer_churn_rate", {"ibis": 0.05, "duckdb": 0.9, "python": 0.05})
    assert ran.startswith("DuckDB executing the query is 90% of the time: the account-period")


def test_the_earlier_code_is_extracted_once(tmp_path: Path) -> None:
    src, sha = sources(BEFORE_CORE, tmp_path)
    assert (src / "tandem" / "metrics" / "engine.py").exists(), "the code before the rewrite"
    assert not (src / "tandem" / "engine").exists()
    head = subprocess.run(
        ["git", "-C", str(repository()), "rev-parse", BEFORE_CORE],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert sha == head
    (src / "marker").write_text("kept")
    assert sources(BEFORE_CORE, tmp_path)[0] == src
    assert (src / "marker").exists(), "extracted once, then kept"
