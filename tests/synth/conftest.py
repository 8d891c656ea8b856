"""One small demo company per format, generated once per session, and DuckDB views over it.

The views read the files with the canonical types of ``tandem.schema`` (and the
truth folder's files with theirs), so tests check the output independently of
the loader.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tandem.schema import TABLES, ColumnType
from tandem.synth import SynthConfig, SynthReport, generate

#: Several chunks, so that ids and costs are exercised across chunk boundaries.
CONFIG = SynthConfig(accounts=1_500, months=24, seed=11, chunk_size=600)

DUCKDB = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.TIMESTAMP: "TIMESTAMP",
    ColumnType.DATE: "DATE",
    ColumnType.FLOAT: "DOUBLE",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.BOOLEAN: "BOOLEAN",
}
TRUTH = {
    "account_health": {"account_id": "VARCHAR", "month": "DATE", "health": "DOUBLE"},
    "member_quality": {"member_id": "VARCHAR", "team": "VARCHAR", "quality": "DOUBLE"},
    "churn_events": {"account_id": "VARCHAR", "churned_on": "DATE", "to_free": "BOOLEAN"},
}


@pytest.fixture(scope="session")
def csv_run(tmp_path_factory: pytest.TempPathFactory) -> SynthReport:
    return generate(CONFIG, tmp_path_factory.mktemp("synth_csv"))


@pytest.fixture(scope="session")
def parquet_run(tmp_path_factory: pytest.TempPathFactory) -> SynthReport:
    config = dataclasses.replace(CONFIG, format="parquet")
    return generate(config, tmp_path_factory.mktemp("synth_parquet"))


def open_views(
    folder: Path, truth: Path, *, materialize: bool = False
) -> duckdb.DuckDBPyConnection:
    """A connection with one typed view (or table) per CSV file in ``folder`` and ``truth``."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    tables = {t.name: {c.name: DUCKDB[c.type] for c in t.columns} for t in TABLES}
    places = [(folder, tables), (truth, TRUTH)]
    for where, name, columns in ((w, n, c) for w, ts in places for n, c in ts.items()):
        spec = ", ".join(f"'{c}': '{k}'" for c, k in columns.items())
        path = where / f"{name}.csv"
        kind = "TABLE" if materialize else "VIEW"
        con.execute(
            f"CREATE {kind} \"{name}\" AS SELECT * FROM read_csv('{path}', header = true, "
            f"columns = {{{spec}}})"
        )
    return con


@pytest.fixture(scope="session")
def db(csv_run: SynthReport) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_views(csv_run.out, csv_run.truth, materialize=True)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


#: Customers per account and month: paid on the opening day (S) and on the last day (E).
MONTHLY_CHURN = """
WITH months AS (SELECT DISTINCT month AS m FROM account_health),
paid AS (
    SELECT account_id, valid_from AS vf, coalesce(valid_to, DATE '9999-12-31') AS vt
    FROM subscriptions WHERE mrr > 0
),
opening AS (
    SELECT DISTINCT m, account_id FROM months, paid
    WHERE vf <= m - INTERVAL 1 DAY AND m - INTERVAL 1 DAY < vt
),
closing AS (
    SELECT DISTINCT m, account_id FROM months, paid
    WHERE vf <= m + INTERVAL 1 MONTH - INTERVAL 1 DAY AND m + INTERVAL 1 MONTH - INTERVAL 1 DAY < vt
)
SELECT o.m AS month, o.account_id, c.account_id IS NULL AS churned, h.health
FROM opening o
LEFT JOIN closing c USING (m, account_id)
JOIN account_health h ON h.account_id = o.account_id AND h.month = o.m
"""
