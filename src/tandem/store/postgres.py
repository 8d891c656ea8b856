"""A workspace whose tables live in PostgreSQL.

Files are read and validated in a private in-memory DuckDB (``staging``), as
for the embedded store. ``apply`` then opens one PostgreSQL transaction:
each staged relation is streamed into a temporary table with ``COPY`` (Arrow
batches from DuckDB written as CSV), upserted with the SQL of
``tandem.store.upsert`` (the rules of DuckDBStore), and the load log row is
written; any error rolls all of it back. Loads are serialised by a lock on
the load log, so two loaders never interleave.

Timestamps are ``timestamp without time zone`` holding UTC, as everywhere in
Tandem. The URL may carry ``?schema=NAME`` to keep the workspace in its own
schema (created if missing); other query parameters (``sslmode``...) go to
the driver.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tandem.errors import ConfigError, WorkspaceError
from tandem.schema import TABLES, ColumnType
from tandem.store import (
    EVERYTHING,
    LOAD_LOG,
    META,
    LoadEntry,
    Staged,
    Store,
    TableCounts,
)
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
    postgres_type,
    q,
    replaced,
    tally,
)

if TYPE_CHECKING:
    import duckdb
    import psycopg
    from ibis.backends.postgres import Backend

PG_TYPES: dict[ColumnType, str] = {
    ColumnType.STRING: "text",
    ColumnType.TIMESTAMP: "timestamp",
    ColumnType.DATE: "date",
    ColumnType.FLOAT: "double precision",
    ColumnType.INTEGER: "bigint",
    ColumnType.BOOLEAN: "boolean",
}
#: Rows per Arrow batch sent through COPY.
BATCH_ROWS = 100_000


def connect_args(url: str) -> dict[str, Any]:
    """Keyword arguments of ``ibis.postgres.connect`` for a postgres:// URL."""
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise ConfigError(
            "backend.url: a PostgreSQL URL names one database, "
            "e.g. postgresql://user:password@host:5432/tandem"
        )
    args: dict[str, Any] = {"database": database, "host": parts.hostname or "localhost"}
    if parts.port:
        args["port"] = parts.port
    if parts.username:
        args["user"] = unquote(parts.username)
    if parts.password is not None:
        args["password"] = unquote(parts.password)
    args.update(dict(parse_qsl(parts.query)))
    return args


class PostgresStore(Store):
    name = "postgres"

    def __init__(self, url: str) -> None:
        import ibis

        self.url = url
        args = connect_args(url)
        self.schema: str | None = args.get("schema")
        import psycopg

        try:
            self._con: Backend = ibis.postgres.connect(**args)
        except psycopg.OperationalError as exc:
            where = f"{args['host']}:{args.get('port', 5432)}/{args['database']}"
            raise WorkspaceError(f"cannot connect to PostgreSQL at {where}: {exc}") from exc
        self._staging: duckdb.DuckDBPyConnection | None = None
        self._made = itertools.count(1)

    @property
    def con(self) -> Backend:
        return self._con

    @property
    def raw(self) -> psycopg.Connection[Any]:
        """The psycopg connection under Ibis (autocommit; ``transaction()`` groups)."""
        return self._con.con  # type: ignore[no-any-return]

    # -- tables ---------------------------------------------------------------

    def ensure_tables(self) -> None:
        con = self.raw
        with con.transaction():
            if self.schema:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {q(self.schema)}")
            # Two processes creating the same workspace at once must not collide.
            con.execute("SELECT pg_advisory_xact_lock(hashtext('tandem:' || current_schema()))")
            for t in TABLES:
                cols = ", ".join(f"{q(c.name)} {PG_TYPES[c.type]}" for c in t.columns)
                con.execute(f"CREATE TABLE IF NOT EXISTS {q(t.name)} ({cols})")
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {LOAD_LOG} (load_id bigint, loaded_at timestamp, "
                "table_name text, new_rows bigint, updated_rows bigint, changed_from date)"
            )
            con.execute(f"CREATE TABLE IF NOT EXISTS {META} (workspace_id text)")
            con.execute(
                f"INSERT INTO {META} SELECT %s WHERE NOT EXISTS (SELECT 1 FROM {META})",
                [uuid.uuid4().hex],
            )

    def identity(self) -> str:
        row = self.raw.execute(f"SELECT workspace_id FROM {META}").fetchone()
        assert row is not None
        return str(row[0])

    def loads_since(self, load_id: int) -> list[LoadEntry]:
        rows = self.raw.execute(
            f"SELECT load_id, table_name, changed_from FROM {LOAD_LOG} WHERE load_id > %s "
            "ORDER BY load_id, table_name",
            [load_id],
        ).fetchall()
        return [LoadEntry(int(r[0]), str(r[1]), r[2]) for r in rows]

    # -- staging --------------------------------------------------------------

    def staging(self) -> duckdb.DuckDBPyConnection:
        """A fresh in-memory DuckDB per load (the previous one is closed)."""
        from tandem.store.upsert import staging_connection

        if self._staging is not None:
            self._staging.close()
        self._staging = staging_connection()
        return self._staging

    def stage_existing(self, table: str, columns: tuple[str, ...], relation: str) -> None:
        """Copy ``columns`` of the stored table into the staging DuckDB through Arrow."""
        con = self._staging_con()
        data = self.con.table(table).select(*columns).to_pyarrow()
        held = f"{relation}__arrow"
        con.register(held, data)
        cols = ", ".join(q(c) for c in columns)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {q(relation)} AS SELECT {cols} FROM {q(held)}")

    def _staging_con(self) -> duckdb.DuckDBPyConnection:
        if self._staging is None:
            return self.staging()
        return self._staging

    # -- apply ----------------------------------------------------------------

    def apply(self, staged: list[Staged], *, dry_run: bool = False) -> list[TableCounts]:
        import psycopg

        con = self.raw
        with con.transaction():
            # One load at a time: load ids stay dense and upserts never interleave.
            con.execute(f"LOCK TABLE {LOAD_LOG} IN SHARE ROW EXCLUSIVE MODE")
            incoming = [Incoming.of(s) for s in staged]
            for item in incoming:
                for column, kind in item.columns[len(item.spec.columns) :]:
                    con.execute(
                        f"ALTER TABLE {q(item.staged.table)} ADD COLUMN IF NOT EXISTS "
                        f"{q(column)} {postgres_type(kind)}"
                    )
            counts = [self._upsert(item) for item in incoming]
            self._log(counts)
            if dry_run:
                raise psycopg.Rollback()
        return counts

    def _log(self, counts: list[TableCounts]) -> None:
        changed = [c for c in counts if c.changed_from is not None]
        if not changed:
            return
        load_id = self._count(f"SELECT coalesce(max(load_id), 0) FROM {LOAD_LOG}") + 1
        with self.raw.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {LOAD_LOG} VALUES (%s, now() AT TIME ZONE 'UTC', %s, %s, %s, %s)",
                [[load_id, c.table, c.new, c.updated, c.changed_from] for c in changed],
            )

    def _copy_in(self, item: Incoming) -> tuple[str, int]:
        """Stream the staged rows into a temporary table dropped at commit; its name, rows."""
        import pyarrow.csv as csv

        name = q(f"__tandem_in_{next(self._made)}")
        cols = ", ".join(f"{q(n)} {postgres_type(kind)}" for n, kind in item.columns)
        con = self.raw
        con.execute(f"CREATE TEMP TABLE {name} ({cols}) ON COMMIT DROP")
        reader = self._staging_con().execute(item.select()).to_arrow_reader(BATCH_ROWS)
        names = ", ".join(q(n) for n in item.names)
        # Strings are always quoted, so PostgreSQL tells an empty string from NULL.
        options = csv.WriteOptions(include_header=False, quoting_style="needed")
        rows = 0
        with (
            con.cursor() as cur,
            cur.copy(f"COPY {name} ({names}) FROM STDIN (FORMAT csv, ENCODING 'UTF8')") as copy,
        ):
            for batch in reader:
                if batch.num_rows:
                    buffer = io.BytesIO()
                    csv.write_csv(batch, buffer, options)
                    copy.write(buffer.getvalue())
                    rows += batch.num_rows
        con.execute(f"ANALYZE {name}")
        return name, rows

    def _upsert(self, item: Incoming) -> TableCounts:
        con, spec = self.raw, item.spec
        target = q(spec.name)
        source, incoming = self._copy_in(item)
        names = ", ".join(q(n) for n in item.names)
        deleted, gone = 0, None
        if item.staged.replace:
            absent_rows = absent(spec, source, target)
            deleted = self._count(f"SELECT count(*) FROM {absent_rows}")
            if deleted:
                gone = self._changed_from(item, absent_rows)
                con.execute(f"DELETE FROM {absent_rows}")
        if not self._count(f"SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT 1) x"):
            con.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {source}")
            first = self._changed_from(item, f"{source} r") if incoming else None
            first = earliest([first, gone])
            return TableCounts(spec.name, incoming, incoming, 0, 0, first, deleted)
        work = q(f"__tandem_work_{next(self._made)}")
        con.execute(
            f"CREATE TEMP TABLE {work} ON COMMIT DROP AS "
            + classify(spec, source, target, item.names, self._columns(spec.name))
        )
        counted = {int(r[0]): int(r[1]) for r in con.execute(tally(work)).fetchall()}
        new, changed = counted.get(NEW, 0), counted.get(CHANGED, 0)
        days = [gone]
        if new or changed:
            days.append(self._changed_from(item, f"{work} r"))
            if changed:
                days.append(self._changed_from(item, replaced(spec, target, work)))
        first = earliest(days)
        if changed:
            con.execute(
                f"DELETE FROM {target} r USING {work} s "
                f"WHERE s.{STATUS} = {CHANGED} AND {keys_match(spec, 's', 'r')}"
            )
        if new or changed:
            con.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {work}")
        return TableCounts(
            spec.name, incoming, new, changed, incoming - new - changed, first, deleted
        )

    def _changed_from(self, item: Incoming, relation: str) -> dt.date | None:
        sql = changed_from_sql(item.spec, relation)
        if sql is None:
            return EVERYTHING
        row = self.raw.execute(sql).fetchone()
        return row[0] if row else None

    def _columns(self, name: str) -> list[str]:
        rows = self.raw.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            [q(name)],
        ).fetchall()
        return [str(r[0]) for r in rows]

    def _count(self, sql: str) -> int:
        row = self.raw.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        if self._staging is not None:
            self._staging.close()
            self._staging = None
        self._con.disconnect()
