"""The same scores on PostgreSQL and Spark as on DuckDB (health reads only Ibis tables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from tandem.health import COMPONENTS, score_days
from tandem.service.workspace import Workspace

pytestmark = pytest.mark.xdist_group("backends")

DAYS = [dt.date(2026, 6, 30), dt.date(2026, 8, 31)]
COLUMNS = ["as_of", "account_id", "health_score", "band", "missing"] + [
    f"{c.name}_score" for c in COMPONENTS
]


def _open(folder: Path, url: str, data: Path) -> Workspace:
    Workspace.init(folder, backend_url=url).close()
    ws = Workspace(folder, today=lambda: dt.date(2026, 11, 15))
    ws.load([data])
    return ws


def _scores(ws: Workspace, days: list[dt.date]) -> pd.DataFrame:
    with ws.read() as s:
        rows = score_days(s, days, ws.settings.health).rows[COLUMNS]
    return rows.sort_values(["as_of", "account_id"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def on_duckdb(tmp_path_factory: pytest.TempPathFactory, company: Path) -> Iterator[Workspace]:
    ws = _open(tmp_path_factory.mktemp("health-duckdb"), "", company)
    yield ws
    ws.close()


def _same(want: pd.DataFrame, got: pd.DataFrame) -> None:
    assert len(want) > 50
    assert list(got.account_id) == list(want.account_id)
    assert list(got.band) == list(want.band)
    assert list(got.missing) == list(want.missing)
    for c in [*COLUMNS[5:], "health_score"]:
        pd.testing.assert_series_equal(got[c], want[c], check_exact=False, rtol=1e-9)


@pytest.mark.postgres
def test_postgres_scores_as_duckdb(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: Callable[[], str],
    company: Path,
    on_duckdb: Workspace,
) -> None:
    ws = _open(tmp_path_factory.mktemp("health-pg"), postgres_server(), company)
    try:
        _same(_scores(on_duckdb, DAYS), _scores(ws, DAYS))
    finally:
        ws.close()


@pytest.mark.spark
def test_spark_scores_as_duckdb(
    tmp_path_factory: pytest.TempPathFactory, spark_ready: None, company: Path, on_duckdb: Workspace
) -> None:
    folder = tmp_path_factory.mktemp("health-spark")
    ws = _open(folder / "ws", f"pyspark://{folder / 'warehouse'}", company)
    try:
        _same(_scores(on_duckdb, DAYS[-1:]), _scores(ws, DAYS[-1:]))
    finally:
        ws.close()
