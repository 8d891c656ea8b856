"""The upsert as plain SQL, the one every store runs.

``SqlStore`` runs these statements on DuckDB and PostgreSQL, ``SparkStore`` on
the staging DuckDB against the current Parquet generation; all read the same
text, so a row is new, changed or unchanged by the same rules everywhere: the
key matches NULL-safely on columns that may be empty (``IS NOT DISTINCT FROM``)
and with ``=`` on required ones, a row is changed when any non-key column
``IS DISTINCT FROM`` the stored one (a stored extra column the file lacks
counts as changed when it holds a value), and ``changed_from`` is the earliest
date of the table's time column over the new rows, the changed rows and the
versions they replace. The SQL is the subset both dialects share.

Extra columns keep their DuckDB type when both engines have an equivalent;
anything else (lists, structs, intervals, blobs...) is stored as text, and an
instant with a time zone becomes a UTC timestamp without one, like every
canonical timestamp.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.schema import Table, table
from tandem.store.base import TIMELESS_TABLES, Staged
from tandem.store.sql import ident as q
from tandem.store.sql import literal
from tandem.store.types import duckdb_types

if TYPE_CHECKING:
    import duckdb

NEW, CHANGED, SAME = 0, 1, 2
"""How a staged row compares with the stored row of the same key."""

STATUS = "__status"

#: DuckDB types an extra column keeps, and their PostgreSQL names.
_PORTABLE: dict[str, str] = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}
#: DuckDB types stored as another DuckDB type.
_WIDENED: dict[str, str] = {
    "UTINYINT": "SMALLINT",
    "USMALLINT": "INTEGER",
    "UINTEGER": "BIGINT",
    "UBIGINT": "DECIMAL(20,0)",
    "HUGEINT": "DECIMAL(38,0)",
    "UHUGEINT": "DECIMAL(38,0)",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "TIMESTAMP_S": "TIMESTAMP",
    "TIMESTAMP_MS": "TIMESTAMP",
    "TIMESTAMP_NS": "TIMESTAMP",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def portable(duckdb_type: str) -> str:
    """The DuckDB type a column of ``duckdb_type`` is stored as (see the module doc)."""
    kind = _WIDENED.get(duckdb_type.upper(), duckdb_type.upper())
    if kind in _PORTABLE or _DECIMAL.fullmatch(kind):
        return kind
    return "VARCHAR"


def postgres_type(duckdb_type: str) -> str:
    """The PostgreSQL type of a column stored as ``portable(duckdb_type)``."""
    kind = portable(duckdb_type)
    decimal = _DECIMAL.fullmatch(kind)
    if decimal:
        return f"numeric({decimal.group(1)},{decimal.group(2)})"
    return _PORTABLE[kind]


@dataclass(frozen=True)
class Incoming:
    """The staged rows of one table as they will be stored: names and (portable) types."""

    staged: Staged
    columns: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, staged: Staged) -> Incoming:
        spec = table(staged.table)
        types = duckdb_types()
        canonical = tuple((c.name, types[c.type]) for c in spec.columns)
        extras = tuple((name, portable(kind)) for name, kind in staged.extra_columns)
        return cls(staged, canonical + extras)

    @property
    def spec(self) -> Table:
        return table(self.staged.table)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def select(self) -> str:
        """DuckDB SQL reading the staged relation with every column in its stored type."""
        cols = ", ".join(f"CAST({q(n)} AS {kind}) AS {q(n)}" for n, kind in self.columns)
        return f"SELECT {cols} FROM {q(self.staged.relation)}"


def keys_match(spec: Table, staged: str, stored: str) -> str:
    """The join of a staged row (alias ``staged``) to its stored version."""
    return " AND ".join(
        f"{staged}.{q(k)} {'=' if k in spec.required_columns else 'IS NOT DISTINCT FROM'} "
        f"{stored}.{q(k)}"
        for k in spec.key
    )


def classify(spec: Table, source: str, target: str, incoming: list[str], stored: list[str]) -> str:
    """The staged rows that are new or changed, with their ``__status``.

    ``source`` and ``target`` are relations (quoted names or table functions);
    ``incoming`` and ``stored`` their columns.
    """
    present = set(incoming)
    differs = (
        " OR ".join(
            f"s.{q(c)} IS DISTINCT FROM t.{q(c)}" if c in present else f"t.{q(c)} IS NOT NULL"
            for c in stored
            if c not in spec.key
        )
        or "false"
    )
    cols = ", ".join(f"s.{q(c)}" for c in incoming)
    found = q(spec.key[0])
    return (
        f"SELECT * FROM (SELECT {cols}, CASE WHEN t.{found} IS NULL THEN {NEW} "
        f"WHEN {differs} THEN {CHANGED} ELSE {SAME} END AS {STATUS} "
        f"FROM {source} s LEFT JOIN {target} t ON {keys_match(spec, 's', 't')}) c "
        f"WHERE {STATUS} <> {SAME}"
    )


def absent(spec: Table, source: str, target: str) -> str:
    """The stored rows (alias r) whose key the staged rows lack, as a FROM clause: what
    replacing the table deletes."""
    return (
        f"{target} r WHERE NOT EXISTS (SELECT 1 FROM {source} s WHERE {keys_match(spec, 's', 'r')})"
    )


def tally(work: str) -> str:
    return f"SELECT {STATUS}, count(*) FROM {work} GROUP BY {STATUS}"


def changed_from_sql(spec: Table, relation: str) -> str | None:
    """SQL for the earliest day of the time column in ``relation`` (alias r); None = always
    EVERYTHING (tables every period depends on)."""
    if spec.name in TIMELESS_TABLES or spec.time_column is None:
        return None
    return f"SELECT min(CAST(r.{q(spec.time_column)} AS DATE)) FROM {relation}"


def replaced(spec: Table, target: str, work: str) -> str:
    """The stored versions of the changed rows (alias r), as a FROM clause."""
    return f"{target} r JOIN {work} s ON s.{STATUS} = {CHANGED} AND {keys_match(spec, 's', 'r')}"


def staging_connection() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB where files are read and validated (UTC, spills to temp)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    spill = Path(tempfile.gettempdir()) / "tandem-staging"
    con.execute(f"SET temp_directory = {literal(str(spill))}")
    return con


def earliest(days: list[dt.date | None]) -> dt.date | None:
    return min((d for d in days if d is not None), default=None)


__all__ = [
    "CHANGED",
    "NEW",
    "SAME",
    "STATUS",
    "Incoming",
    "absent",
    "changed_from_sql",
    "classify",
    "earliest",
    "keys_match",
    "literal",
    "portable",
    "postgres_type",
    "replaced",
    "staging_connection",
    "tally",
]
