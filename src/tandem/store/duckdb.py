"""The embedded default: one DuckDB file inside the workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.schema import TABLES
from tandem.store import DUCKDB_TYPES, Staged, Store, TableCounts

if TYPE_CHECKING:
    import duckdb
    from ibis.backends.duckdb import Backend


class DuckDBStore(Store):
    name = "duckdb"

    def __init__(self, path: str) -> None:
        import ibis

        self.path = path
        self._con: Backend = ibis.duckdb.connect(path)
        self.raw.execute("SET TimeZone = 'UTC'")

    @property
    def con(self) -> Backend:
        return self._con

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        return self._con.con  # type: ignore[no-any-return]

    def ensure_tables(self) -> None:
        for t in TABLES:
            cols = ", ".join(f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in t.columns)
            self.raw.execute(f'CREATE TABLE IF NOT EXISTS "{t.name}" ({cols})')

    def staging(self) -> duckdb.DuckDBPyConnection:
        return self.raw

    def stage_existing(self, table: str, columns: tuple[str, ...], relation: str) -> None:
        cols = ", ".join(f'"{c}"' for c in columns)
        self.raw.execute(f'CREATE OR REPLACE TEMP VIEW "{relation}" AS SELECT {cols} FROM "{table}"')

    def apply(self, staged: list[Staged]) -> list[TableCounts]:
        raise NotImplementedError

    def close(self) -> None:
        self._con.disconnect()
