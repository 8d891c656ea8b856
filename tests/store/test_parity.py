"""The same files, loaded into PostgreSQL and into Spark, give the numbers DuckDB gives.

One small generated company (every table, 8 months) is loaded into an embedded
DuckDB workspace and into a workspace on each other engine, through the same
``Workspace.load``. Then every slug of the catalog is computed on each, at
month grain overall and by segment (and, on PostgreSQL, at week grain by CSM
and plan), and compared cell by cell: counts and identifiers exactly, floats
to 9 significant digits (engines sum floats in different orders).

Loads are checked on the other engines too: loading the same files again
changes nothing, a changed row replaces the old one, and a folder with one bad
file among good ones changes nothing at all.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tandem.engine.aggregate import backend_support
from tandem.errors import InputError, UnsupportedOperation
from tandem.semantic import catalog
from tandem.service.workspace import Workspace
from tandem.warnings import SmallSampleWarning

#: One worker runs every backend test: one JVM, one copy of the fixtures.
pytestmark = pytest.mark.xdist_group("backends")

SLUGS = [m.slug for m in catalog.default_catalog()]
TODAY = dt.date(2026, 11, 15)
FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 10, 31)


def open_workspace(folder: Path, url: str, data: Path) -> Workspace:
    Workspace.init(folder, backend_url=url).close()
    ws = Workspace(folder, today=lambda: TODAY)
    ws.load([data])
    return ws


def compute(ws: Workspace, **how: object) -> dict[str, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        results = ws.compute(SLUGS, start=FIRST, end=LAST, **how)  # type: ignore[arg-type]
    return {slug: r.rows for slug, r in results.items()}


def differences(expected: dict[str, pd.DataFrame], got: dict[str, pd.DataFrame]) -> list[str]:
    """Every cell that differs, as 'slug row column: expected vs got'."""
    found: list[str] = []
    for slug, want in expected.items():
        have = got[slug]
        if list(want.columns) != list(have.columns) or len(want) != len(have):
            found.append(f"{slug}: shape {want.shape} {list(want.columns)} vs {have.shape}")
            continue
        for column in want.columns:
            for i, (a, b) in enumerate(zip(want[column], have[column], strict=True)):
                if not same(a, b):
                    found.append(f"{slug} row {i} {column}: {a!r} vs {b!r}")
    return found


def same(a: object, b: object) -> bool:
    if pd.isna(a) or pd.isna(b):  # type: ignore[call-overload]
        return bool(pd.isna(a) and pd.isna(b))  # type: ignore[call-overload]
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)  # type: ignore[arg-type]
    return a == b


@pytest.fixture(scope="module")
def duckdb_ws(tmp_path_factory: pytest.TempPathFactory, company: Path) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path_factory.mktemp("duckdb"), "", company)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def expected(duckdb_ws: Workspace) -> dict[str, dict[str, pd.DataFrame]]:
    return {
        "overall": compute(duckdb_ws),
        "segment": compute(duckdb_ws, by=["segment"]),
    }


def test_the_company_exercises_every_metric(expected: dict[str, dict[str, pd.DataFrame]]) -> None:
    """A parity test over empty results would prove nothing: every slug has a value."""
    empty = [s for s, rows in expected["overall"].items() if rows["value"].isna().all()]
    assert empty == []


def check_loads(ws: Workspace, company: Path, duckdb_ws: Workspace, tmp_path: Path) -> None:
    """Reload = nothing changes; a changed row replaces the old one; a bad file changes nothing."""
    before = ws.row_counts()
    assert before == duckdb_ws.row_counts()
    again = ws.load([company])
    assert sum(t.new + t.updated for t in again.tables) == 0
    assert ws.row_counts() == before

    # One subscription's MRR raised by 10: one row updated, MRR on its days up by 10.
    subs = pq.read_table(company / "subscriptions.parquet").to_pandas()
    first = subs.iloc[0]
    changed = subs.iloc[[0]].copy()
    changed["mrr"] = changed["mrr"] + 10
    edit = tmp_path / "edit"
    edit.mkdir()
    changed.to_csv(edit / "subscriptions.csv", index=False, date_format="%Y-%m-%d")
    report = ws.load([edit])
    counts = {t.table: (t.new, t.updated, t.unchanged) for t in report.tables}
    assert counts == {"subscriptions": (0, 1, 0)}
    stored = ws.store.table("subscriptions")
    row = ws.store.run(stored.filter(stored.subscription_id == first["subscription_id"]))
    row = row.to_pandas()
    assert row["mrr"].tolist() == [pytest.approx(first["mrr"] + 10)]
    assert ws.row_counts() == before

    # A good file and a bad one (an NPS score of 11): the error names both, nothing lands.
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(company / "costs.parquet", bad / "costs.parquet")
    surveys = pq.read_table(company / "survey_responses.parquet").to_pandas()
    surveys["response_id"] = surveys["response_id"] + "-new"
    nps = surveys.index[surveys["survey"] == "nps"][0]
    surveys.loc[nps, "score"] = 11
    surveys.to_csv(bad / "survey_responses.csv", index=False)
    with pytest.raises(InputError, match=r"survey_responses\.csv.*score"):
        ws.load([bad])
    assert ws.row_counts() == before


@pytest.fixture(scope="module")
def pg_ws(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: Callable[[], str], company: Path
) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path_factory.mktemp("pg"), postgres_server(), company)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def spark_ws(
    tmp_path_factory: pytest.TempPathFactory, spark_ready: None, company: Path
) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("spark")
    ws = open_workspace(folder / "ws", f"pyspark://{folder / 'warehouse'}", company)
    yield ws
    ws.close()


@pytest.mark.postgres
def test_postgres_every_slug_overall_and_by_segment(
    pg_ws: Workspace, expected: dict[str, dict[str, pd.DataFrame]]
) -> None:
    assert pg_ws.store.name == "postgres"
    assert differences(expected["overall"], compute(pg_ws)) == []
    assert differences(expected["segment"], compute(pg_ws, by=["segment"])) == []


@pytest.mark.postgres
def test_postgres_every_slug_by_week_csm_and_plan(pg_ws: Workspace, duckdb_ws: Workspace) -> None:
    how = {"grain": "week", "by": ["csm", "plan"]}
    assert differences(compute(duckdb_ws, **how), compute(pg_ws, **how)) == []


@pytest.mark.postgres
def test_postgres_explain_lists_the_same_rows(pg_ws: Workspace, duckdb_ws: Workspace) -> None:
    args = ("customer_churn_rate", "2026-06")
    want, got = duckdb_ws.explain(*args), pg_ws.explain(*args)
    assert want.sources[0].total > 0
    for a, b in zip(want.sources, got.sources, strict=True):
        assert a.total == b.total
        assert b.rows.to_dict("records") == a.rows.to_dict("records")


@pytest.mark.postgres
def test_postgres_loads(
    pg_ws: Workspace, company: Path, duckdb_ws: Workspace, tmp_path: Path
) -> None:
    check_loads(pg_ws, company, duckdb_ws, tmp_path)


@pytest.mark.spark
def test_spark_every_slug_overall_and_by_segment(
    spark_ws: Workspace, expected: dict[str, dict[str, pd.DataFrame]]
) -> None:
    assert spark_ws.store.name == "pyspark"
    assert differences(expected["overall"], compute(spark_ws)) == []
    assert differences(expected["segment"], compute(spark_ws, by=["segment"])) == []


@pytest.mark.spark
def test_spark_loads(
    spark_ws: Workspace, company: Path, duckdb_ws: Workspace, tmp_path: Path
) -> None:
    check_loads(spark_ws, company, duckdb_ws, tmp_path)


@pytest.mark.spark
def test_an_operation_the_engine_lacks_names_metric_engine_and_operation(
    spark_ws: Workspace,
) -> None:
    """Ibis' PySpark backend has no bitwise-or aggregate (adoption counts days by
    nunique there instead); asked for one, the error says who needed what, where."""
    import ibis

    definitions = catalog.default_catalog()
    needed = [definitions.measures["adopted_customers"]]
    events = spark_ws.store.table("usage_events")
    bit = ibis.literal(1, "int32") << events.user_id.length()
    query = events.aggregate(mask=bit.bit_or())
    with (
        pytest.raises(UnsupportedOperation) as caught,
        backend_support(spark_ws.store.name, definitions, needed),
    ):
        query.to_pyarrow()
    message = str(caught.value)
    assert message.startswith("adoption_rate: the pyspark backend does not support")
    assert "operation BitOr" in message
