"""The embedded default: one DuckDB file per generation (see ``tandem.store.files``).

Ibis is used here as a compiler, not as a connection: tables are unbound Ibis
tables with the stored schemas, a query is compiled to DuckDB SQL once per
distinct expression (compiling costs as much as running a small metric, and a
page reloaded builds an equal expression) and run on a DuckDB cursor of the
calling thread. So one store serves many threads at once, each with its own
cursor on the same database, and opening it read-only costs nothing more.

Temporary tables (relations several sources share) and constants (the
calendar) live on the thread's cursor, where the queries that read them run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from cachetools import LRUCache

from tandem.errors import WorkspaceError
from tandem.semantic.binding import bind
from tandem.store.sql import ident
from tandem.store.sqlstore import SqlStore

if TYPE_CHECKING:
    import duckdb
    import ibis
    import pyarrow as pa

    from tandem.store.upsert import Incoming

_T = TypeVar("_T")

#: Compiled expressions kept per store (least recently used forgotten first).
COMPILED_KEPT = 512


class DuckDBStore(SqlStore):
    name = "duckdb"
    #: Filter values reach DuckDB as bound parameters (``tandem.semantic.binding``).
    binds_parameters = True

    def __init__(
        self,
        path: str,
        *,
        read_only: bool = True,
        memory_limit: str | None = None,
        label: str | None = None,
    ) -> None:
        """``label`` names the database in messages (the workspace's link, not the
        generation file behind it)."""
        import duckdb

        self.path = path
        self.read_only = read_only
        self._memory_limit = memory_limit
        try:
            self._db = duckdb.connect(path, read_only=read_only)
        except duckdb.Error as exc:
            shown = label or path
            reason = _reason(exc)
            for spelling in (str(Path(path).resolve()), path):
                reason = reason.replace(f'"{spelling}"', shown).replace(spelling, shown)
            if "permission denied" in reason.lower():
                raise WorkspaceError(
                    f"{shown}: permission denied; the database files belong to another user"
                ) from None
            if isinstance(exc, (duckdb.IOException, duckdb.SerializationException)) or (
                "not a valid DuckDB database" in reason
            ):
                raise WorkspaceError(
                    f"{shown}: the database file is damaged or truncated ({reason}); "
                    "restore it from a backup, or init a new workspace and load again"
                ) from None
            raise WorkspaceError(f"cannot open the database {shown}: {reason}") from None
        self._settle(self._db)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._compiled: LRUCache[Any, Any] = LRUCache(maxsize=COMPILED_KEPT)
        self._schemas: dict[str, ibis.Schema] | None = None
        self._schemas_token: tuple[object, str] | None = None
        #: Facts about a read-only generation, read once (it never changes).
        self._frozen: dict[str, Any] = {}

    def _settle(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        if self._memory_limit:
            # Past the limit DuckDB spills joins, aggregates and sorts to disk instead
            # of growing (next to the database file, or the system's temp folder).
            con.execute("SET memory_limit = ?", [self._memory_limit])

    # -- connections ----------------------------------------------------------------

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the database."""
        con: duckdb.DuckDBPyConnection | None = getattr(self._local, "con", None)
        if con is None:
            con = self._db.cursor()
            self._settle(con)
            self._local.con = con
        return con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.raw.execute(sql, list(params)).fetchall()

    @contextlib.contextmanager
    def transaction(self, *, rollback: bool = False) -> Iterator[None]:
        con = self.raw
        con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("ROLLBACK" if rollback else "COMMIT")
        self._schemas = None

    def columns(self, name: str) -> list[str]:
        return [str(r[0]) for r in self.execute(f"DESCRIBE {ident(name)}")]

    def bring_in(self, item: Incoming, n: int) -> tuple[str, int]:
        # Staged rows are already in this database's connection.
        relation = ident(item.staged.relation)
        return relation, int(self.execute(f"SELECT count(*) FROM {relation}")[0][0])

    def drop_temp(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {name}")

    # -- reading --------------------------------------------------------------------

    def schemas(self) -> dict[str, ibis.Schema]:
        """Every stored table's schema, read once (a generation never changes)."""
        if self._schemas is None:
            import ibis

            rows = self.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
            )
            found: dict[str, dict[str, str]] = {}
            for table_name, column, kind in rows:
                found.setdefault(str(table_name), {})[str(column)] = str(kind)
            from ibis.backends.sql.datatypes import DuckDBType

            self._schemas = {
                name: ibis.schema({c: DuckDBType.from_string(k) for c, k in cols.items()})
                for name, cols in found.items()
            }
        return self._schemas

    def schemas_token(self) -> str:
        """A short hash of every table's schema, kept as long as the schemas are (SQL
        compiled for one set of schemas is kept under it, ``tandem.engine.shapes``)."""
        import hashlib

        schemas = self.schemas()
        kept = self._schemas_token
        if kept is None or kept[0] is not schemas:
            text = repr(sorted((name, str(schema)) for name, schema in schemas.items()))
            kept = self._schemas_token = (schemas, hashlib.sha256(text.encode()).hexdigest()[:16])
        return kept[1]

    def _once(self, fact: str, read: Callable[[], _T]) -> _T:
        """``read()`` once for a read-only generation, which never changes (a server asks
        these on every request); every time on a store that is written."""
        if not self.read_only:
            return read()
        with self._lock:
            if fact in self._frozen:
                return cast(_T, self._frozen[fact])
        value = read()
        with self._lock:
            self._frozen[fact] = value
        return value

    def data_version(self) -> tuple[str, int]:
        return self._once("data_version", super().data_version)

    def empty_tables(self) -> frozenset[str]:
        return self._once("empty_tables", super().empty_tables)

    def last_loaded_at(self) -> dt.datetime | None:
        return self._once("last_loaded_at", super().last_loaded_at)

    def extent(self) -> tuple[dt.date, dt.date] | None:
        return self._once("extent", super().extent)

    def table(self, name: str) -> ibis.Table:
        import ibis

        try:
            schema = self.schemas()[name]
        except KeyError:
            raise WorkspaceError(f"the workspace's database has no table {name!r}") from None
        return ibis.table(schema, name=name)

    def bound_table(self, name: str) -> ibis.Table:
        """``name`` bound to this thread's cursor, so the expression can also run itself
        (``expr.to_pyarrow()``), for code outside the engine that works that way."""
        import ibis

        backend = getattr(self._local, "backend", None)
        if backend is None:
            backend = self._local.backend = ibis.duckdb.from_connection(self.raw)
        return backend.table(name)

    def run(self, expr: ibis.Table) -> pa.Table:
        """The rows of ``expr``, compiled once per distinct expression."""
        sql, params = bind(self._compile_kept(expr))
        con = self.raw
        _register_memtables(con, expr)
        table = con.execute(sql, params).to_arrow_table()
        return _conform(table, expr.schema().to_pyarrow())

    def _compile_kept(self, expr: ibis.Table) -> str:
        """The SQL of ``expr``, compiled once per distinct expression."""
        op = expr.op()
        with self._lock:
            sql = self._compiled.get(op)
        if sql is None:
            sql = _compile(expr)
            with self._lock:
                self._compiled[op] = sql
        return str(sql)

    def compiled(self, key: Hashable, make: Callable[[], _T]) -> _T:
        """What was compiled under ``key`` for this store (a query shape's SQL,
        ``tandem.engine.shapes``), made the first time; kept with the compiled
        expressions."""
        with self._lock:
            if key in self._compiled:
                return cast(_T, self._compiled[key])
        value = make()
        with self._lock:
            self._compiled[key] = value
        return value

    def run_sql(self, sql: str, schema: pa.Schema) -> pa.Table:
        """The rows of SQL compiled from an expression whose result has ``schema``."""
        sql, params = bind(sql)
        return _conform(self.raw.execute(sql, params).to_arrow_table(), schema)

    def cache(self, expr: ibis.Table) -> ibis.Table:
        """``expr`` computed into a temporary table on this thread's cursor, named after
        its SQL: equal requests then build equal expressions on it, whose SQL is kept
        (``run``). Frames of one thread that ask for the same relation share the table
        (it is counted, and dropped by the last)."""
        import hashlib

        import ibis

        sql = self._compile_kept(expr)
        name = f"__tandem_tmp_{hashlib.sha256(sql.encode()).hexdigest()[:20]}"
        held = self._held()
        if held.get(name, 0) == 0:
            _register_memtables(self.raw, expr)
            bound, params = bind(sql)
            self.raw.execute(f"CREATE TEMP TABLE {ident(name)} AS {bound}", params)
        held[name] = held.get(name, 0) + 1
        return ibis.table(expr.schema(), name=name)

    def release(self, expr: ibis.Table) -> None:
        name = expr.get_name()
        held = self._held()
        held[name] = held.get(name, 1) - 1
        if held[name] <= 0:
            del held[name]
            self.raw.execute(f"DROP TABLE IF EXISTS {ident(name)}")

    def constant(self, name: str, data: pa.Table) -> ibis.Table:
        """``data`` registered on this thread's cursor; frames of one request that ask for
        the same constant share it (it is counted, and dropped by the last)."""
        import ibis

        held = self._held()
        if held.get(name, 0) == 0:
            self.raw.register(name, data)
        held[name] = held.get(name, 0) + 1
        return ibis.table(ibis.Schema.from_pyarrow(data.schema), name=name)

    def forget(self, table: ibis.Table) -> None:
        name = table.get_name()
        held = self._held()
        held[name] = held.get(name, 1) - 1
        if held[name] <= 0:
            del held[name]
            self.raw.unregister(name)

    def _held(self) -> dict[str, int]:
        held: dict[str, int] | None = getattr(self._local, "held", None)
        if held is None:
            held = self._local.held = {}
        return held

    # -- staging ----------------------------------------------------------------------

    def staging(self) -> duckdb.DuckDBPyConnection:
        if self.read_only:
            raise WorkspaceError("a read-only store cannot load files")
        return self.raw

    def stage_existing(self, table: str, columns: tuple[str, ...], relation: str) -> None:
        cols = ", ".join(ident(c) for c in columns)
        self.raw.execute(
            f"CREATE OR REPLACE TEMP VIEW {ident(relation)} AS SELECT {cols} FROM {ident(table)}"
        )

    def checkpoint(self) -> None:
        """Merge the write-ahead log into the file (before a generation is published)."""
        self.raw.execute("CHECKPOINT")

    def close(self) -> None:
        self._db.close()


def _compile(expr: ibis.Table) -> str:
    import ibis

    return str(ibis.to_sql(expr, dialect="duckdb"))


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """DuckDB's Arrow result in the types Ibis promises (``schema``)."""
    if table.schema.equals(schema):
        return table
    return table.rename_columns(schema.names).cast(schema)


def _register_memtables(con: duckdb.DuckDBPyConnection, expr: ibis.Table) -> None:
    """Register the in-memory tables an expression holds on the cursor that runs it.

    Tandem's own constants go through ``DuckDBStore.constant``; this serves
    expressions built elsewhere with ``ibis.memtable``. It reads Ibis' operation
    (``InMemoryTable.name``, ``.data``, ``.schema``); tests/store/test_duckdb.py
    fails if Ibis changes them.
    """
    import ibis.expr.operations as ops

    for op in expr.op().find(ops.InMemoryTable):
        con.register(op.name, op.data.to_pyarrow(op.schema))


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text
