"""``generate``: reproducible to the byte, configurable, and checked before it starts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from tandem.errors import UsageError
from tandem.synth import SynthConfig, SynthReport, generate
from tests.synth.conftest import CONFIG, scalar


def _same_bytes(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_same_config_gives_identical_csv(csv_run: SynthReport, tmp_path: Path) -> None:
    _same_bytes(csv_run.out, generate(CONFIG, tmp_path).out)


def test_same_config_gives_identical_parquet(parquet_run: SynthReport, tmp_path: Path) -> None:
    _same_bytes(parquet_run.out, generate(parquet_run.config, tmp_path).out)


def test_another_seed_gives_another_company(csv_run: SynthReport, tmp_path: Path) -> None:
    other = generate(dataclasses.replace(CONFIG, seed=CONFIG.seed + 1), tmp_path)
    a = (csv_run.out / "subscriptions.csv").read_bytes()
    assert a != (other.out / "subscriptions.csv").read_bytes()


def test_report_counts_rows_and_bytes(csv_run: SynthReport) -> None:
    assert csv_run.rows["accounts"] == CONFIG.accounts
    data = [*csv_run.out.iterdir(), *csv_run.truth.glob("*.csv")]
    assert csv_run.bytes == sum(p.stat().st_size for p in data)
    assert csv_run.seconds > 0


def test_volumes_scale_with_months_and_the_override(tmp_path: Path) -> None:
    short = generate(SynthConfig(accounts=400, months=12, seed=3), tmp_path / "short")
    assert short.rows["usage_events"] == pytest.approx(50 * 400, rel=0.1)
    assert short.rows["costs"] == 12 * 7
    dense = generate(
        SynthConfig(accounts=400, months=12, seed=3, events_per_account=300), tmp_path / "dense"
    )
    assert dense.rows["usage_events"] == pytest.approx(300 * 400, rel=0.05)


def test_a_partial_last_month_ends_on_the_end_date(tmp_path: Path) -> None:
    run = generate(SynthConfig(accounts=300, months=6, seed=5, end=dt.date(2025, 6, 15)), tmp_path)
    con = duckdb.connect()
    out = run.out
    last = scalar(
        con,
        f"SELECT max(ts) FROM read_csv('{out}/usage_events.csv', "
        "columns = {'account_id': 'VARCHAR', 'user_id': 'VARCHAR', 'ts': 'TIMESTAMP', "
        "'event': 'VARCHAR', 'duration_s': 'DOUBLE'})",
    )
    assert isinstance(last, dt.datetime) and last < dt.datetime(2025, 6, 16)
    months = con.execute(
        f"SELECT min(month), max(month), count(DISTINCT month) FROM read_csv('{out}/costs.csv')"
    ).fetchone()
    assert months == (dt.date(2025, 1, 1), dt.date(2025, 6, 1), 6)


def test_one_chunk_or_many_give_the_same_volumes(tmp_path: Path) -> None:
    one = generate(SynthConfig(accounts=600, seed=2), tmp_path / "one")
    many = generate(SynthConfig(accounts=600, seed=2, chunk_size=150), tmp_path / "many")
    assert many.rows["accounts"] == one.rows["accounts"] == 600
    assert many.rows["costs"] == one.rows["costs"]
    for table in ("subscriptions", "usage_events", "tickets"):
        assert many.rows[table] == pytest.approx(one.rows[table], rel=0.1), table


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"accounts": 0}, "accounts"),
        ({"months": 0}, "months"),
        ({"months": 1_000}, "months"),
        ({"chunk_size": 0}, "chunk size"),
        ({"events_per_account": -1.0}, "events per account"),
        ({"format": "xlsx"}, "csv, parquet"),
        ({"end": "31/10/2026"}, "ISO date"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_config_is_a_usage_error(change: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        SynthConfig(**change)  # type: ignore[arg-type]
