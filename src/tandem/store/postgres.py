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

import contextlib
import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tandem.errors import ConfigError, WorkspaceError
from tandem.private import mask_secrets
from tandem.store.sql import ident
from tandem.store.sqlstore import SqlStore
from tandem.store.upsert import Incoming, postgres_type

if TYPE_CHECKING:
    import duckdb
    import ibis
    import psycopg
    import pyarrow as pa
    from ibis.backends.postgres import Backend

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


class PostgresStore(SqlStore):
    name = "postgres"
    marker = "%s"

    def __init__(self, url: str) -> None:
        import ibis
        import psycopg

        self.url = url
        args = connect_args(url)
        self.schema: str | None = args.get("schema")
        try:
            self._con: Backend = ibis.postgres.connect(**args)
        except psycopg.OperationalError as exc:
            where = f"{args['host']}:{args.get('port', 5432)}/{args['database']}"
            reason = mask_secrets(" ".join(str(exc).split()))
            raise WorkspaceError(f"cannot connect to PostgreSQL at {where}: {reason}") from None
        self._staging: duckdb.DuckDBPyConnection | None = None

    @property
    def raw(self) -> psycopg.Connection[Any]:
        """The psycopg connection under Ibis (autocommit; ``transaction()`` groups)."""
        return self._con.con  # type: ignore[no-any-return]

    # -- statements -----------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.raw.cursor() as cur:
            cur.execute(sql, list(params) or None)
            return list(cur.fetchall()) if cur.description else []

    @contextlib.contextmanager
    def transaction(self, *, rollback: bool = False) -> Iterator[None]:
        import psycopg

        with self.raw.transaction():
            yield
            if rollback:
                raise psycopg.Rollback()

    def lock_loads(self) -> None:
        # One writer at a time per workspace schema: load ids stay dense, upserts never
        # interleave, and two processes creating the same workspace do not collide.
        if self.schema:
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(self.schema, 'postgres')}")
        self.execute("SELECT pg_advisory_xact_lock(hashtext('tandem:' || current_schema()))")

    def temp_table(self, name: str, select: str) -> None:
        self.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {select}")

    def column_type(self, duckdb_type: str) -> str:
        return postgres_type(duckdb_type)

    def columns(self, name: str) -> list[str]:
        rows = self.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            [ident(name, "postgres")],
        )
        return [str(r[0]) for r in rows]

    # -- reading --------------------------------------------------------------------

    def table(self, name: str) -> ibis.Table:
        return self._con.table(name)

    def run(self, expr: ibis.Table) -> pa.Table:
        return expr.to_pyarrow()

    def cache(self, expr: ibis.Table) -> ibis.Table:
        return expr.cache()

    def release(self, expr: ibis.Table) -> None:
        expr.release()

    # -- staging ----------------------------------------------------------------------

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
        data = self.run(self.table(table).select(*columns))
        held = f"{relation}__arrow"
        con.register(held, data)
        cols = ", ".join(ident(c) for c in columns)
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {ident(relation)} AS SELECT {cols} FROM {ident(held)}"
        )

    def _staging_con(self) -> duckdb.DuckDBPyConnection:
        if self._staging is None:
            return self.staging()
        return self._staging

    def bring_in(self, item: Incoming, n: int) -> tuple[str, int]:
        """Stream the staged rows into a temporary table dropped at commit."""
        import pyarrow.csv as csv

        name = ident(f"__tandem_in_{n}", "postgres")
        cols = ", ".join(
            f"{ident(c, 'postgres')} {postgres_type(kind)}" for c, kind in item.columns
        )
        self.execute(f"CREATE TEMP TABLE {name} ({cols}) ON COMMIT DROP")
        reader = self._staging_con().execute(item.select()).to_arrow_reader(BATCH_ROWS)
        names = ", ".join(ident(c, "postgres") for c in item.names)
        # Strings are always quoted, so PostgreSQL tells an empty string from NULL.
        options = csv.WriteOptions(include_header=False, quoting_style="needed")
        rows = 0
        with (
            self.raw.cursor() as cur,
            cur.copy(f"COPY {name} ({names}) FROM STDIN (FORMAT csv, ENCODING 'UTF8')") as copy,
        ):
            for batch in reader:
                if batch.num_rows:
                    buffer = io.BytesIO()
                    csv.write_csv(batch, buffer, options)
                    copy.write(buffer.getvalue())
                    rows += batch.num_rows
        self.execute(f"ANALYZE {name}")
        return name, rows

    def close(self) -> None:
        if self._staging is not None:
            self._staging.close()
            self._staging = None
        self._con.disconnect()
