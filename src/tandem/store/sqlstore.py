"""The stores whose tables live in a SQL database: one upsert, one load log, one extent.

``DuckDBStore`` and ``PostgresStore`` differ in how a statement is sent, how
staged rows reach the database and how loads are serialised; everything else
(creating the tables, classifying staged rows as new, changed or unchanged,
the load log, the extent, the workspace's identity) is written here once, in
the SQL both dialects share (``tandem.store.upsert``).
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from tandem.schema import TABLES, table
from tandem.store.base import (
    EVERYTHING,
    EXTENT,
    LOAD_LOG,
    META,
    LoadEntry,
    Staged,
    Store,
    TableCounts,
    extent_query,
    scanned_extent,
)
from tandem.store.sql import ident
from tandem.store.types import sql_type
from tandem.store.upsert import (
    CHANGED,
    NEW,
    STATUS,
    Incoming,
    absent,
    changed_from_sql,
    classify,
    earliest,
    keys_match,
    replaced,
    tally,
)


class SqlStore(Store):
    """A store on one SQL connection; subclasses say how statements are sent."""

    #: The parameter marker of the driver (``?`` or ``%s``).
    marker = "?"

    # -- what a subclass provides -----------------------------------------------------

    @abc.abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; its rows (empty for statements without a result)."""

    @abc.abstractmethod
    def transaction(self, *, rollback: bool = False) -> contextlib.AbstractContextManager[None]:
        """A transaction: everything inside commits together or not at all (never, with
        ``rollback``: a rehearsal)."""

    @abc.abstractmethod
    def columns(self, name: str) -> list[str]:
        """The columns of a stored table, in order."""

    @abc.abstractmethod
    def bring_in(self, item: Incoming, n: int) -> tuple[str, int]:
        """Make the staged rows of ``item`` readable by the database's own SQL as a
        temporary relation; its (quoted) name and row count."""

    def column_type(self, duckdb_type: str) -> str:
        """The type an extra column of ``duckdb_type`` (as staged) is stored as."""
        return duckdb_type

    def lock_loads(self) -> None:
        """Serialise loads inside the transaction (where the database must do it)."""

    def temp_table(self, name: str, select: str) -> None:
        self.execute(f"CREATE TEMP TABLE {name} AS {select}")

    def drop_temp(self, name: str) -> None:
        """Drop a temporary table made during a load (where it outlives the transaction)."""

    # -- tables ---------------------------------------------------------------------

    def ensure_tables(self) -> None:
        with self.transaction():
            self.lock_loads()
            for t in TABLES:
                cols = ", ".join(
                    f"{ident(c.name)} {sql_type(c.type, self.name)}" for c in t.columns
                )
                self.execute(f"CREATE TABLE IF NOT EXISTS {ident(t.name)} ({cols})")
            self.execute(
                f"CREATE TABLE IF NOT EXISTS {LOAD_LOG} (load_id BIGINT, loaded_at TIMESTAMP, "
                "table_name TEXT, new_rows BIGINT, updated_rows BIGINT, changed_from DATE)"
            )
            self.execute(
                f"CREATE TABLE IF NOT EXISTS {EXTENT} (table_name TEXT, first_day DATE, "
                "last_day DATE)"
            )
            self.execute(f"CREATE TABLE IF NOT EXISTS {META} (workspace_id TEXT)")
            if not self.execute(f"SELECT count(*) FROM {META}")[0][0]:
                self.execute(f"INSERT INTO {META} VALUES ({self.marker})", [uuid.uuid4().hex])

    def identity(self) -> str:
        return str(self.execute(f"SELECT workspace_id FROM {META}")[0][0])

    def loads_since(self, load_id: int) -> list[LoadEntry]:
        rows = self.execute(
            f"SELECT load_id, table_name, changed_from FROM {LOAD_LOG} "
            f"WHERE load_id > {self.marker} ORDER BY load_id, table_name",
            [load_id],
        )
        return [LoadEntry(int(r[0]), str(r[1]), r[2]) for r in rows]

    def last_load(self) -> int:
        return int(self.execute(f"SELECT coalesce(max(load_id), 0) FROM {LOAD_LOG}")[0][0])

    def last_loaded_at(self) -> dt.datetime | None:
        rows = self.execute(f"SELECT max(loaded_at) FROM {LOAD_LOG}")
        value = rows[0][0] if rows else None
        return value if isinstance(value, dt.datetime) else None

    def has_table(self, name: str) -> bool:
        rows = self.execute(
            f"SELECT count(*) FROM information_schema.tables WHERE table_name = {self.marker}",
            [name],
        )
        return bool(rows[0][0])

    def extent(self) -> tuple[dt.date, dt.date] | None:
        if not self.has_table(EXTENT):
            return scanned_extent(self)  # a workspace made before extents were recorded
        rows = self.execute(f"SELECT min(first_day), max(last_day) FROM {EXTENT}")
        if not rows or rows[0][0] is None:
            return None
        return rows[0][0], rows[0][1]

    # -- loads ----------------------------------------------------------------------

    def apply(self, staged: list[Staged], *, dry_run: bool = False) -> list[TableCounts]:
        with self.transaction(rollback=dry_run):
            self.lock_loads()
            incoming = [Incoming.of(s) for s in staged]
            for item in incoming:
                stored = set(self.columns(item.staged.table))
                for column, kind in item.staged.extra_columns:
                    if column not in stored:
                        self.execute(
                            f"ALTER TABLE {ident(item.staged.table)} ADD COLUMN "
                            f"{ident(column)} {self.column_type(kind)}"
                        )
            counts = [self._upsert(item, n) for n, item in enumerate(incoming)]
            self._log(counts)
        return counts

    def note_changes(self, tables: list[str]) -> None:
        with self.transaction():
            self.lock_loads()
            self._log([TableCounts(t, 0, 0, 0, 0, EVERYTHING) for t in tables])

    def _log(self, counts: list[TableCounts]) -> None:
        changed = [c for c in counts if c.changed_from is not None]
        if not changed:
            return
        load_id = int(self.execute(f"SELECT coalesce(max(load_id), 0) FROM {LOAD_LOG}")[0][0]) + 1
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        m = self.marker
        for c in changed:
            self.execute(
                f"INSERT INTO {LOAD_LOG} VALUES ({m}, {m}, {m}, {m}, {m}, {m})",
                [load_id, now, c.table, c.new, c.updated, c.changed_from],
            )
            self._refresh_extent(c.table)

    def _refresh_extent(self, name: str) -> None:
        if table(name).time_column is None:
            return
        row = self.run(extent_query(self, name)).to_pylist()[0]
        self.execute(f"DELETE FROM {EXTENT} WHERE table_name = {self.marker}", [name])
        if row["first_day"] is not None:
            m = self.marker
            self.execute(
                f"INSERT INTO {EXTENT} VALUES ({m}, {m}, {m})",
                [name, row["first_day"], row["last_day"]],
            )

    def _upsert(self, item: Incoming, n: int) -> TableCounts:
        spec = item.spec
        target = ident(spec.name)
        source, incoming = self.bring_in(item, n)
        names = ", ".join(ident(c) for c in item.names)
        deleted, gone = self._delete_absent(item, source) if item.staged.replace else (0, None)
        if not self.execute(f"SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT 1) x")[0][0]:
            self.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {source}")
            first = self._changed_from(item, f"{source} r") if incoming else None
            return TableCounts(
                spec.name, incoming, incoming, 0, 0, earliest([first, gone]), deleted
            )
        work = ident(f"__tandem_work_{n}")
        self.temp_table(work, classify(spec, source, target, item.names, self.columns(spec.name)))
        counted = {int(r[0]): int(r[1]) for r in self.execute(tally(work))}
        new, changed = counted.get(NEW, 0), counted.get(CHANGED, 0)
        days = [gone]
        if new or changed:
            days.append(self._changed_from(item, f"{work} r"))
            if changed:
                days.append(self._changed_from(item, replaced(spec, target, work)))
        first = earliest(days)
        if changed:
            self.execute(
                f"DELETE FROM {target} r USING {work} s "
                f"WHERE s.{STATUS} = {CHANGED} AND {keys_match(spec, 's', 'r')}"
            )
        if new or changed:
            self.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {work}")
        self.drop_temp(work)
        return TableCounts(
            spec.name, incoming, new, changed, incoming - new - changed, first, deleted
        )

    def _delete_absent(self, item: Incoming, source: str) -> tuple[int, dt.date | None]:
        """Delete the stored rows whose key the staged rows lack; how many, and their
        earliest day."""
        gone = absent(item.spec, source, ident(item.spec.name))
        deleted = int(self.execute(f"SELECT count(*) FROM {gone}")[0][0])
        if not deleted:
            return 0, None
        first = self._changed_from(item, gone)
        self.execute(f"DELETE FROM {gone}")
        return deleted, first

    def _changed_from(self, item: Incoming, relation: str) -> dt.date | None:
        sql = changed_from_sql(item.spec, relation)
        if sql is None:
            return EVERYTHING
        rows = self.execute(sql)
        return rows[0][0] if rows else None
