"""What every store is: the tables of one workspace on one backend, read and written.

Metrics see Ibis expressions (``Store.table``) and get Arrow back from
``Store.run``; nothing above the store holds a connection. The loader reads
and validates files in a DuckDB connection (``Store.staging``) and hands the
clean rows to ``Store.apply``, which upserts them all in one transaction, logs
which tables changed from which day (so cached results go stale) and records
the data's extent (so a request never scans for it).
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tandem.schema import TABLE_NAMES

if TYPE_CHECKING:
    import duckdb
    import ibis
    import pyarrow as pa


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


@dataclass(frozen=True)
class LoadEntry:
    load_id: int
    table: str
    changed_from: dt.date


#: Written in the same transaction as the rows of every load that changes something:
#: one row per changed table, so cached results know which periods went stale.
LOAD_LOG = "_tandem_loads"
#: One row: the workspace's identity, so a cache never outlives the database it describes.
META = "_tandem_meta"
#: Per table, the first and last day of its time column, refreshed by every load.
EXTENT = "_tandem_extent"
#: ``changed_from`` for tables every period depends on (account attributes, people).
EVERYTHING = dt.date(1, 1, 1)
TIMELESS_TABLES = ("accounts", "team_members")


class Store(abc.ABC):
    """The tables of one workspace on one backend."""

    #: The backend's name, also the SQL dialect Ibis compiles for.
    name: str

    @abc.abstractmethod
    def table(self, name: str) -> ibis.Table:
        """A stored table as an Ibis expression."""

    def bound_table(self, name: str) -> ibis.Table:
        """A table whose expressions can run themselves (``to_pyarrow``)."""
        return self.table(name)

    @abc.abstractmethod
    def run(self, expr: ibis.Table) -> pa.Table:
        """The rows of ``expr`` as Arrow."""

    def supports(self, operation: type) -> bool:
        """Whether the backend compiles the Ibis operation."""
        import ibis

        return bool(getattr(ibis, self.name).has_operation(operation))

    @abc.abstractmethod
    def cache(self, expr: ibis.Table) -> ibis.Table:
        """``expr`` computed once into a temporary table (``release`` drops it)."""

    @abc.abstractmethod
    def release(self, expr: ibis.Table) -> None:
        """Drop a temporary table made by ``cache``."""

    def constant(self, name: str, data: pa.Table) -> ibis.Table:
        """Small data a query reads (a calendar); ``name`` is unique to its content, for the
        stores that register it under a name."""
        import ibis

        return ibis.memtable(data)

    def forget(self, table: ibis.Table) -> None:  # noqa: B027 - optional hook
        """Let go of constant data made by ``constant``."""

    def schemas(self) -> dict[str, ibis.Schema]:
        """The schema of every canonical table as stored (extra columns included)."""
        return {name: self.table(name).schema() for name in TABLE_NAMES}

    def row_counts(self) -> dict[str, int]:
        import ibis

        parts = [
            self.table(name).aggregate(table_name=ibis.literal(name), rows=ibis._.count())
            for name in TABLE_NAMES
        ]
        rows = self.run(ibis.union(*parts)).to_pylist()
        counted = {str(r["table_name"]): int(r["rows"]) for r in rows}
        return {name: counted[name] for name in TABLE_NAMES}

    def empty_tables(self) -> frozenset[str]:
        """The canonical tables holding no rows (their metrics have no value)."""
        return frozenset(name for name, n in self.row_counts().items() if n == 0)

    @abc.abstractmethod
    def extent(self) -> tuple[dt.date, dt.date] | None:
        """First and last day with any dated row in the workspace (as of the last load)."""

    @abc.abstractmethod
    def ensure_tables(self) -> None:
        """Create every canonical table that does not exist yet."""

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
        touches, or EVERYTHING for TIMELESS_TABLES; and refreshes the extent.
        """

    @abc.abstractmethod
    def note_changes(self, tables: list[str]) -> None:
        """Log a change to ``tables`` made outside ``apply`` (raw SQL by an administrator
        or a test) as touching every period, and refresh the extent."""

    @abc.abstractmethod
    def identity(self) -> str:
        """A random id made when the workspace's tables were created."""

    @abc.abstractmethod
    def loads_since(self, load_id: int) -> list[LoadEntry]:
        """The LOAD_LOG entries after ``load_id`` (0 = all)."""

    @abc.abstractmethod
    def last_loaded_at(self) -> dt.datetime | None:
        """When the last load that changed something committed (UTC), if any."""

    def last_load(self) -> int:
        entries = self.loads_since(0)
        return max((e.load_id for e in entries), default=0)

    def data_version(self) -> tuple[str, int]:
        """The workspace's id and its last load's number: every change to the tables goes
        through a logged load (or ``note_changes``), so an answer kept under this stays
        true until it moves on."""
        return self.identity(), self.last_load()

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


def extent_query(store: Store, table_name: str) -> ibis.Table:
    """First and last day of one table's time column (and its subscriptions' ends)."""
    import ibis

    from tandem.schema import table

    spec = table(table_name)
    assert spec.time_column is not None
    t = store.table(table_name)
    col = t[spec.time_column]
    day = col.date() if col.type().is_timestamp() else col
    hi = day.max()
    if "valid_to" in t.columns:  # a subscription ending is news on that day
        hi = ibis.greatest(hi, t.valid_to.max())
    return t.aggregate(first_day=day.min(), last_day=hi)


def scanned_extent(store: Store) -> tuple[dt.date, dt.date] | None:
    """The extent found by reading every dated table (when none was recorded)."""
    import ibis

    from tandem.schema import TABLES

    parts = [extent_query(store, t.name) for t in TABLES if t.time_column is not None]
    both = ibis.union(*parts)
    row = store.run(both.aggregate(lo=both.first_day.min(), hi=both.last_day.max())).to_pylist()[0]
    if row["lo"] is None:
        return None
    return row["lo"], row["hi"]
