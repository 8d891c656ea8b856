"""Where a workspace's tables live: one Store per backend, chosen by the settings.

Backend differences live here and nowhere else. Metrics only see Ibis tables
(``Store.table``); the loader reads and validates files in a DuckDB connection
(``Store.staging``) and hands the clean rows to ``Store.apply``, which upserts
them all in one transaction.
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.errors import ConfigError
from tandem.schema import ColumnType

if TYPE_CHECKING:
    import duckdb
    import ibis
    import pyarrow as pa
    from ibis.backends import BaseBackend

    from tandem.settings import Settings


def _duckdb_types() -> dict[ColumnType, str]:
    from tandem.store.types import sql_type

    return {kind: sql_type(kind, "duckdb") for kind in ColumnType}


DUCKDB_TYPES: dict[ColumnType, str] = _duckdb_types()


@dataclass(frozen=True)
class Staged:
    """Clean rows for one canonical table, held in the staging connection.

    ``relation`` names a table or view in ``Store.staging()`` whose columns are
    the canonical columns (typed) followed by any extra columns of the file.
    """

    table: str
    relation: str
    extra_columns: tuple[tuple[str, str], ...] = ()  # (name, DuckDB type)
    #: The rows are the whole truth for the table: stored rows whose key is absent are deleted.
    replace: bool = False


@dataclass(frozen=True)
class TableCounts:
    table: str
    rows: int
    new: int
    updated: int
    unchanged: int
    #: The earliest day the change can affect (see ``changed_from``); None = no change.
    changed_from: dt.date | None = field(default=None, compare=False)
    #: Stored rows deleted because the table was replaced and their key was absent.
    deleted: int = 0


#: Written in the same transaction as the rows of every load that changes something:
#: one row per changed table, so cached results know which periods went stale.
LOAD_LOG = "_tandem_loads"
#: One row: the workspace's identity, so a cache never outlives the database it describes.
META = "_tandem_meta"
#: ``changed_from`` for tables every period depends on (account attributes, people).
EVERYTHING = dt.date(1, 1, 1)
TIMELESS_TABLES = ("accounts", "team_members")


@dataclass(frozen=True)
class LoadEntry:
    load_id: int
    table: str
    changed_from: dt.date


class Store(abc.ABC):
    """The tables of one workspace on one backend."""

    name: str

    @property
    @abc.abstractmethod
    def con(self) -> BaseBackend:
        """The Ibis connection metrics are computed on."""

    @abc.abstractmethod
    def ensure_tables(self) -> None:
        """Create every canonical table that does not exist yet."""

    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    def run(self, expr: ibis.Table) -> pa.Table:
        """The rows of ``expr`` as Arrow."""
        return expr.to_pyarrow()

    def supports(self, operation: type) -> bool:
        """Whether the backend compiles the Ibis operation."""
        return bool(self.con.has_operation(operation))

    def cache(self, expr: ibis.Table) -> ibis.Table:
        """``expr`` computed once into a temporary table (``release()`` drops it)."""
        return expr.cache()

    def schemas(self) -> dict[str, ibis.Schema]:
        """The schema of every canonical table as stored (extra columns included)."""
        from tandem.schema import TABLE_NAMES

        return {name: self.table(name).schema() for name in TABLE_NAMES}

    def extent(self) -> tuple[dt.date, dt.date] | None:
        """First and last day with any dated row in the workspace."""
        import ibis

        from tandem.schema import TABLES

        parts = []
        for t in TABLES:
            if t.time_column is None:
                continue
            table = self.table(t.name)
            col = table[t.time_column]
            day = col.date() if col.type().is_timestamp() else col
            hi = day.max()
            if "valid_to" in table.columns:  # a subscription ending is news on that day
                hi = ibis.greatest(hi, table.valid_to.max())
            parts.append(table.aggregate(lo=day.min(), hi=hi))
        both = ibis.union(*parts)
        row = self.run(both.aggregate(lo=both.lo.min(), hi=both.hi.max())).to_pylist()[0]
        if row["lo"] is None:
            return None
        return row["lo"], row["hi"]

    def row_counts(self) -> dict[str, int]:
        from tandem.schema import TABLE_NAMES

        return {name: int(self.table(name).count().execute()) for name in TABLE_NAMES}

    @abc.abstractmethod
    def staging(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection where files are read and validated before they land."""

    @abc.abstractmethod
    def stage_existing(self, table: str, columns: tuple[str, ...], relation: str) -> None:
        """Make ``relation`` in the staging connection hold ``columns`` of ``table``.

        Used to check references (account ids already loaded) without copying
        whole tables.
        """

    @abc.abstractmethod
    def apply(self, staged: list[Staged], *, dry_run: bool = False) -> list[TableCounts]:
        """Upsert every staged table in one transaction: all of it lands or none.

        A table staged with ``replace`` loses, in the same transaction, the stored
        rows whose key it lacks (counted as ``deleted``; their dates count for
        ``changed_from``). With ``dry_run`` everything is classified and counted
        exactly as for a load, and nothing is changed, the load log included.

        The same transaction appends one LOAD_LOG row per changed table with its
        ``changed_from``: the earliest date (of the table's time column, over the
        new rows, the changed rows and the versions they replace) the change
        touches, or EVERYTHING for TIMELESS_TABLES.
        """

    @abc.abstractmethod
    def identity(self) -> str:
        """A random id made when the workspace's tables were created."""

    @abc.abstractmethod
    def loads_since(self, load_id: int) -> list[LoadEntry]:
        """The LOAD_LOG entries after ``load_id`` (0 = all)."""

    def last_load(self) -> int:
        entries = self.loads_since(0)
        return max((e.load_id for e in entries), default=0)

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


#: URL schemes ``backend.url`` accepts, and the pip extra each one needs.
SCHEMES: dict[str, str | None] = {
    "duckdb": None,
    "postgres": "postgres",
    "postgresql": "postgres",
    "pyspark": "spark",
}


def open_store(settings: Settings, workspace: Path) -> Store:
    """The store the settings point at: the embedded DuckDB file unless a URL is set.

    Backend modules are imported here, on demand, so a plain install (DuckDB
    only) never needs psycopg or PySpark.
    """
    url = settings.backend.url
    if not url or url.startswith("duckdb://"):
        from tandem.store.duckdb import DuckDBStore

        path = url.removeprefix("duckdb://") if url else settings.backend.database_file
        target = Path(path)
        if not target.is_absolute() and path != ":memory:":
            target = workspace / target
        return DuckDBStore(
            str(target) if path != ":memory:" else ":memory:",
            memory_limit=settings.backend.duckdb_memory_limit(),
        )
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise ConfigError(
            f"backend.url {settings.backend.redacted_url()!r}: no backend for {scheme!r}; "
            f"supported: {', '.join(f'{s}://' for s in SCHEMES)}"
        )
    try:
        if scheme == "pyspark":
            from tandem.store.spark import SparkStore

            return SparkStore(url)
        from tandem.store.postgres import PostgresStore

        return PostgresStore(url)
    except ImportError as exc:
        raise ConfigError(
            f"backend.url {settings.backend.redacted_url()!r} needs packages that are not "
            f"installed ({exc.name or exc}): pip install 'tandem[{SCHEMES[scheme]}]'"
        ) from exc
