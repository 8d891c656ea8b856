"""Where a workspace's tables live: one Store per backend, chosen by the settings.

Backend differences live here and nowhere else. Metrics only see Ibis tables
(``Store.table``); the loader reads and validates files in a DuckDB connection
(``Store.staging``) and hands the clean rows to ``Store.apply``, which upserts
them all in one transaction.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tandem.errors import ConfigError
from tandem.schema import ColumnType, Table

if TYPE_CHECKING:
    import duckdb
    import ibis
    from ibis.backends import BaseBackend

    from tandem.settings import Settings

IBIS_TYPES: dict[ColumnType, str] = {
    ColumnType.STRING: "string",
    ColumnType.TIMESTAMP: "timestamp",
    ColumnType.DATE: "date",
    ColumnType.FLOAT: "float64",
    ColumnType.INTEGER: "int64",
    ColumnType.BOOLEAN: "boolean",
}

DUCKDB_TYPES: dict[ColumnType, str] = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.TIMESTAMP: "TIMESTAMP",
    ColumnType.DATE: "DATE",
    ColumnType.FLOAT: "DOUBLE",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.BOOLEAN: "BOOLEAN",
}


def ibis_schema(table: Table) -> ibis.Schema:
    import ibis

    return ibis.schema({c.name: IBIS_TYPES[c.type] for c in table.columns})


@dataclass(frozen=True)
class Staged:
    """Clean rows for one canonical table, held in the staging connection.

    ``relation`` names a table or view in ``Store.staging()`` whose columns are
    the canonical columns (typed) followed by any extra columns of the file.
    """

    table: str
    relation: str
    extra_columns: tuple[tuple[str, str], ...] = ()  # (name, DuckDB type)


@dataclass(frozen=True)
class TableCounts:
    table: str
    rows: int
    new: int
    updated: int
    unchanged: int


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
    def apply(self, staged: list[Staged]) -> list[TableCounts]:
        """Upsert every staged table in one transaction: all of it lands or none."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


def open_store(settings: Settings, workspace: Path) -> Store:
    """The store the settings point at: the embedded DuckDB file unless a URL is set."""
    url = settings.backend.url
    if not url or url.startswith("duckdb://"):
        from tandem.store.duckdb import DuckDBStore

        path = url.removeprefix("duckdb://") if url else settings.backend.database_file
        target = Path(path)
        if not target.is_absolute() and path != ":memory:":
            target = workspace / target
        return DuckDBStore(str(target) if path != ":memory:" else ":memory:")
    scheme = url.split("://", 1)[0]
    raise ConfigError(
        f"backend.url {settings.backend.redacted_url()!r}: no backend for {scheme!r}; "
        "supported: duckdb"
    )


def scalar(value: Any) -> Any:
    """A Python scalar from whatever an engine returned (numpy, pandas NA)."""
    if value is None:
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) else value
