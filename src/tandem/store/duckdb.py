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

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from tandem.schema import TABLES, table
from tandem.store import (
    DUCKDB_TYPES,
    EVERYTHING,
    LOAD_LOG,
    META,
    TIMELESS_TABLES,
    LoadEntry,
    Staged,
    Store,
    TableCounts,
)

if TYPE_CHECKING:
    import duckdb
    import ibis
    import pyarrow as pa
    from ibis.backends.duckdb import Backend

#: Compiled expressions kept per store (the oldest is forgotten first).
COMPILED_KEPT = 512

NEW, CHANGED, SAME = 0, 1, 2
"""How a staged row compares with the stored row of the same key."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckDBStore(Store):
    name = "duckdb"

    def __init__(self, path: str, *, memory_limit: str | None = None) -> None:
        import ibis

        self.path = path
        self._con: Backend = ibis.duckdb.connect(path)
        self._compiled: dict[Any, str] = {}
        self.raw.execute("SET TimeZone = 'UTC'")
        self.raw.execute("SET enable_progress_bar = false")
        if memory_limit:
            # Past the limit DuckDB spills joins, aggregates and sorts to disk
            # (next to the database file) instead of growing.
            self.raw.execute("SET memory_limit = ?", [memory_limit])

    @property
    def con(self) -> Backend:
        return self._con

    def run(self, expr: ibis.Table) -> pa.Table:
        """The rows of ``expr``, compiling each distinct expression once.

        Compiling an Ibis expression to SQL costs several milliseconds, as much
        as running a small metric's query; the same request asked again (a page
        reloaded, a scorecard refreshed) builds an equal expression, so its SQL
        is kept. Expressions holding in-memory tables go through Ibis, which
        registers those tables as it runs them.
        """
        import ibis.expr.operations as ops
        from ibis.backends.duckdb.converter import DuckDBPyArrowData

        op = expr.op()
        sql = self._compiled.get(op)
        if sql is None:
            if op.find(ops.InMemoryTable):
                return expr.to_pyarrow()
            sql = self.con.compile(expr)
            if len(self._compiled) >= COMPILED_KEPT:
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[op] = sql
        table = self.raw.sql(sql).to_arrow_table()
        return expr.__pyarrow_result__(table, data_mapper=DuckDBPyArrowData)

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        return self._con.con  # type: ignore[no-any-return]

    def ensure_tables(self) -> None:
        for t in TABLES:
            cols = ", ".join(f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in t.columns)
            self.raw.execute(f'CREATE TABLE IF NOT EXISTS "{t.name}" ({cols})')
        self.raw.execute(
            f"CREATE TABLE IF NOT EXISTS {LOAD_LOG} (load_id BIGINT, loaded_at TIMESTAMP, "
            "table_name VARCHAR, new_rows BIGINT, updated_rows BIGINT, changed_from DATE)"
        )
        self.raw.execute(f"CREATE TABLE IF NOT EXISTS {META} (workspace_id VARCHAR)")
        if not self._count(f"SELECT count(*) FROM {META}"):
            self.raw.execute(f"INSERT INTO {META} VALUES (?)", [uuid.uuid4().hex])

    def identity(self) -> str:
        row = self.raw.execute(f"SELECT workspace_id FROM {META}").fetchone()
        assert row is not None
        return str(row[0])

    def loads_since(self, load_id: int) -> list[LoadEntry]:
        rows = self.raw.execute(
            f"SELECT load_id, table_name, changed_from FROM {LOAD_LOG} WHERE load_id > ? "
            "ORDER BY load_id",
            [load_id],
        ).fetchall()
        return [LoadEntry(int(r[0]), str(r[1]), r[2]) for r in rows]

    def staging(self) -> duckdb.DuckDBPyConnection:
        return self.raw

    def stage_existing(self, table: str, columns: tuple[str, ...], relation: str) -> None:
        cols = ", ".join(_q(c) for c in columns)
        self.raw.execute(
            f"CREATE OR REPLACE TEMP VIEW {_q(relation)} AS SELECT {cols} FROM {_q(table)}"
        )

    def apply(self, staged: list[Staged], *, dry_run: bool = False) -> list[TableCounts]:
        con = self.raw
        con.execute("BEGIN TRANSACTION")
        try:
            for s in staged:
                for column, kind in s.extra_columns:
                    con.execute(
                        f"ALTER TABLE {_q(s.table)} ADD COLUMN IF NOT EXISTS {_q(column)} {kind}"
                    )
            counts = [self._upsert(s) for s in staged]
            self._log(counts)
            con.execute("ROLLBACK" if dry_run else "COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return counts

    def _log(self, counts: list[TableCounts]) -> None:
        changed = [c for c in counts if c.changed_from is not None]
        if not changed:
            return
        load_id = self._count(f"SELECT coalesce(max(load_id), 0) FROM {LOAD_LOG}") + 1
        for c in changed:
            self.raw.execute(
                f"INSERT INTO {LOAD_LOG} VALUES (?, current_timestamp, ?, ?, ?, ?)",
                [load_id, c.table, c.new, c.updated, c.changed_from],
            )

    def _changed_from(self, table_name: str, sql: str) -> dt.date | None:
        """The earliest date of the time column in ``sql`` (a FROM clause with alias r)."""
        spec = table(table_name)
        if table_name in TIMELESS_TABLES or spec.time_column is None:
            return EVERYTHING
        row = self.raw.execute(
            f"SELECT min(CAST(r.{_q(spec.time_column)} AS DATE)) FROM {sql}"
        ).fetchone()
        return row[0] if row else None

    def _columns(self, relation: str) -> list[str]:
        return [str(r[0]) for r in self.raw.execute(f"DESCRIBE {_q(relation)}").fetchall()]

    def _count(self, sql: str) -> int:
        row = self.raw.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def _upsert(self, s: Staged) -> TableCounts:
        con, target, source = self.raw, _q(s.table), _q(s.relation)
        incoming = self._count(f"SELECT count(*) FROM {source}")
        deleted, gone = self._delete_absent(s) if s.replace else (0, None)
        if not self._count(f"SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT 1)"):
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {source}")
            first = self._changed_from(s.table, f"{source} r") if incoming else None
            first = min((d for d in (first, gone) if d is not None), default=None)
            return TableCounts(s.table, incoming, incoming, 0, 0, first, deleted)
        spec = table(s.table)
        present = set(self._columns(s.relation))

        def keys_match(stored: str) -> str:
            return " AND ".join(
                f"s.{_q(k)} {'=' if k in spec.required_columns else 'IS NOT DISTINCT FROM'} "
                f"{stored}.{_q(k)}"
                for k in spec.key
            )

        match = keys_match("t")
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
        dates = [gone]
        if new or changed:
            replaced = f"{target} r JOIN {work} s ON s.__status = {CHANGED} AND {keys_match('r')}"
            dates.append(self._changed_from(s.table, f"{work} r"))
            if changed:
                dates.append(self._changed_from(s.table, replaced))
        first = min((d for d in dates if d is not None), default=None)
        if changed:
            con.execute(
                f"DELETE FROM {target} t USING {work} s WHERE s.__status = {CHANGED} AND {match}"
            )
        if new or changed:
            con.execute(f"INSERT INTO {target} BY NAME SELECT * EXCLUDE (__status) FROM {work}")
        con.execute(f"DROP TABLE {work}")
        return TableCounts(
            s.table, incoming, new, changed, incoming - new - changed, first, deleted
        )

    def _delete_absent(self, s: Staged) -> tuple[int, dt.date | None]:
        """Delete the stored rows whose key ``s`` lacks; how many, and their earliest day."""
        from tandem.store.upsert import absent

        gone = absent(table(s.table), _q(s.relation), _q(s.table))
        deleted = self._count(f"SELECT count(*) FROM {gone}")
        if not deleted:
            return 0, None
        first = self._changed_from(s.table, gone)
        self.raw.execute(f"DELETE FROM {gone}")
        return deleted, first

    def close(self) -> None:
        self._con.disconnect()
