"""The embedded default: one DuckDB file inside the workspace.

``apply`` upserts with set-based SQL in one transaction: each staged relation
is left-joined to its table on the key (NULL-safe, so a usage event without a
user_id matches the same event again), classified as new, changed or
unchanged, then changed rows are deleted and new and changed ones inserted.
Unchanged rows are never touched, so loading a file twice leaves the table as
it was. An empty table skips the join. Extra columns are added inside the same
transaction, so a refused or failed load leaves no trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.schema import TABLES, table
from tandem.store import DUCKDB_TYPES, Staged, Store, TableCounts

if TYPE_CHECKING:
    import duckdb
    from ibis.backends.duckdb import Backend

NEW, CHANGED, SAME = 0, 1, 2
"""How a staged row compares with the stored row of the same key."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckDBStore(Store):
    name = "duckdb"

    def __init__(self, path: str) -> None:
        import ibis

        self.path = path
        self._con: Backend = ibis.duckdb.connect(path)
        self.raw.execute("SET TimeZone = 'UTC'")
        self.raw.execute("SET enable_progress_bar = false")

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
        cols = ", ".join(_q(c) for c in columns)
        self.raw.execute(
            f"CREATE OR REPLACE TEMP VIEW {_q(relation)} AS SELECT {cols} FROM {_q(table)}"
        )

    def apply(self, staged: list[Staged]) -> list[TableCounts]:
        con = self.raw
        con.execute("BEGIN TRANSACTION")
        try:
            for s in staged:
                for column, kind in s.extra_columns:
                    con.execute(
                        f"ALTER TABLE {_q(s.table)} ADD COLUMN IF NOT EXISTS {_q(column)} {kind}"
                    )
            counts = [self._upsert(s) for s in staged]
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return counts

    def _columns(self, relation: str) -> list[str]:
        return [str(r[0]) for r in self.raw.execute(f"DESCRIBE {_q(relation)}").fetchall()]

    def _count(self, sql: str) -> int:
        row = self.raw.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def _upsert(self, s: Staged) -> TableCounts:
        con, target, source = self.raw, _q(s.table), _q(s.relation)
        incoming = self._count(f"SELECT count(*) FROM {source}")
        if not self._count(f"SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT 1)"):
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {source}")
            return TableCounts(s.table, incoming, incoming, 0, 0)
        spec = table(s.table)
        present = set(self._columns(s.relation))
        match = " AND ".join(
            f"s.{_q(k)} {'=' if k in spec.required_columns else 'IS NOT DISTINCT FROM'} t.{_q(k)}"
            for k in spec.key
        )
        differs = (
            " OR ".join(
                f"s.{_q(c)} IS DISTINCT FROM t.{_q(c)}"
                if c in present
                else f"t.{_q(c)} IS NOT NULL"
                for c in self._columns(s.table)
                if c not in spec.key
            )
            or "false"
        )
        found = _q(spec.key[0])
        work = _q(f"{s.relation}_upsert")
        con.execute(
            f"CREATE TEMP TABLE {work} AS SELECT * FROM (SELECT s.*, CASE WHEN t.{found} IS NULL "
            f"THEN {NEW} WHEN {differs} THEN {CHANGED} ELSE {SAME} END AS __status "
            f"FROM {source} s LEFT JOIN {target} t ON {match}) WHERE __status <> {SAME}"
        )
        tally = dict(con.execute(f"SELECT __status, count(*) FROM {work} GROUP BY 1").fetchall())
        new, changed = tally.get(NEW, 0), tally.get(CHANGED, 0)
        if changed:
            con.execute(
                f"DELETE FROM {target} t USING {work} s WHERE s.__status = {CHANGED} AND {match}"
            )
        if new or changed:
            con.execute(f"INSERT INTO {target} BY NAME SELECT * EXCLUDE (__status) FROM {work}")
        con.execute(f"DROP TABLE {work}")
        return TableCounts(s.table, incoming, new, changed, incoming - new - changed)

    def close(self) -> None:
        self._con.disconnect()
