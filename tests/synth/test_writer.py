"""Output conformance: every canonical table, its columns, types and text forms."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tandem.schema import TABLE_NAMES, TABLES, ColumnType, Table
from tandem.synth import SynthConfig, SynthReport, generate, writer
from tandem.synth.writer import ARROW_TYPES
from tests.synth.conftest import scalar

ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_one_file_per_table_and_the_truths_elsewhere(csv_run: SynthReport) -> None:
    """The tables' folder holds the canonical tables only, so a load skips nothing."""
    assert sorted(p.name for p in csv_run.out.iterdir()) == sorted(f"{t}.csv" for t in TABLE_NAMES)
    assert all(csv_run.rows[t] > 0 for t in TABLE_NAMES)
    assert csv_run.truth == csv_run.out.parent / f"{csv_run.out.name}-truth"
    truths = ["account_health", "churn_events", "account_traits", "member_quality"]
    assert sorted(p.name for p in csv_run.truth.iterdir()) == sorted(
        ["README.md"] + [f"{t}.csv" for t in truths]
    )
    readme = (csv_run.truth / "README.md").read_text()
    assert all(f"`{t}`" in readme for t in writer.TRUTH_TABLES)


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_parquet_columns_and_types_match_the_schema(parquet_run: SynthReport, spec: Table) -> None:
    schema = pq.read_schema(parquet_run.out / f"{spec.name}.parquet")
    expected = pa.schema([(c.name, ARROW_TYPES[c.type]) for c in spec.columns])
    assert schema.remove_metadata() == expected


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_csv_header_and_text_forms(csv_run: SynthReport, spec: Table) -> None:
    with (csv_run.out / f"{spec.name}.csv").open(newline="") as f:
        reader = csv.reader(f)
        assert tuple(next(reader)) == spec.column_names
        rows = [row for _, row in zip(range(2_000), reader, strict=False)]
    assert rows
    for i, column in enumerate(spec.columns):
        values = [r[i] for r in rows]
        if column.required:
            assert all(values), f"{spec.name}.{column.name} has empty required values"
        present = [v for v in values if v]
        if column.type is ColumnType.TIMESTAMP:
            assert all(ISO_INSTANT.match(v) for v in present), column.name
        elif column.type is ColumnType.DATE:
            assert all(ISO_DATE.match(v) for v in present), column.name
        elif column.type is ColumnType.BOOLEAN:
            assert set(present) <= {"true", "false"}, column.name
        elif column.type is ColumnType.INTEGER:
            assert all(re.fullmatch(r"-?\d+", v) for v in present), column.name
        if column.enum:
            assert set(present) <= set(column.enum), column.name


def test_optional_columns_are_sometimes_empty(db: duckdb.DuckDBPyConnection) -> None:
    for table, column in [
        ("subscriptions", "valid_to"),
        ("deals", "closed_at"),
        ("trials", "ended_at"),
        ("trials", "converted_at"),
        ("onboardings", "target_days"),
        ("onboardings", "go_live_at"),
        ("usage_events", "duration_s"),
        ("survey_responses", "comment"),
        ("tickets", "resolved_at"),
        ("accounts", "csm_id"),
        ("team_members", "manager_id"),
    ]:
        nulls = scalar(db, f"SELECT count(*) FILTER (WHERE {column} IS NULL) FROM {table}")
        assert isinstance(nulls, int) and nulls > 0, f"{table}.{column}"


def test_keys_are_unique(db: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        key = ", ".join(spec.key)
        dupes = scalar(
            db,
            f"SELECT count(*) FROM (SELECT {key} FROM {spec.name} GROUP BY ALL "
            "HAVING count(*) > 1)",
        )
        assert dupes == 0, spec.name


def test_ids_carry_a_prefix(db: duckdb.DuckDBPyConnection) -> None:
    for table, column, pattern in [
        ("accounts", "account_id", "^A[0-9]{7}$"),
        ("team_members", "member_id", "^E[0-9]{5}$"),
        ("subscriptions", "subscription_id", "^S[0-9]{7}-[0-9]+$"),
        ("usage_events", "user_id", "^U[0-9]{7}-[0-9]{3}$"),
    ]:
        bad = scalar(
            db, f"SELECT count(*) FROM {table} WHERE NOT regexp_matches({column}, '{pattern}')"
        )
        assert bad == 0, f"{table}.{column}"


def test_csv_and_parquet_hold_the_same_rows(
    db: duckdb.DuckDBPyConnection, parquet_run: SynthReport
) -> None:
    for name in TABLE_NAMES:
        path = parquet_run.out / f"{name}.parquet"
        for a, b in [(name, f"read_parquet('{path}')"), (f"read_parquet('{path}')", name)]:
            missing = scalar(db, f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})")
            assert missing == 0, name


def test_a_failed_write_is_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: object, columns: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer._Sink, "write", fail)
    with pytest.raises(OSError, match="disk full"):
        generate(SynthConfig(accounts=50), tmp_path)
