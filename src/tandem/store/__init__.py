"""Where a workspace's tables live: one store per backend, chosen by the settings.

Backend differences live in this package and nowhere else (``base`` says what a
store is, ``sqlstore`` holds what DuckDB and PostgreSQL share, one module per
backend). Readers open a store with ``open_reader``; writes go through
``writing``, the one writer: for the embedded database a new generation of the
file, published atomically when the write succeeds (``tandem.store.files``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.errors import ConfigError
from tandem.store.base import (
    EVERYTHING,
    EXTENT,
    LOAD_LOG,
    META,
    TIMELESS_TABLES,
    LoadEntry,
    Staged,
    Store,
    TableCounts,
)

if TYPE_CHECKING:
    from tandem.settings import Settings
    from tandem.store.files import DuckDBFiles

__all__ = [
    "EVERYTHING",
    "EXTENT",
    "LOAD_LOG",
    "META",
    "SCHEMES",
    "TIMELESS_TABLES",
    "LoadEntry",
    "Staged",
    "Store",
    "TableCounts",
    "embedded_files",
    "open_reader",
    "writing",
]

#: URL schemes ``backend.url`` accepts, and the pip extra each one needs.
SCHEMES: dict[str, str | None] = {
    "duckdb": None,
    "postgres": "postgres",
    "postgresql": "postgres",
    "pyspark": "spark",
}


def embedded_files(settings: Settings, workspace: Path) -> DuckDBFiles | None:
    """The embedded database's files, or None when the workspace points at a URL
    (or at an in-memory database)."""
    from tandem.store.files import DuckDBFiles

    url = settings.backend.resolved_url()
    if url and not url.startswith("duckdb://"):
        return None
    path = url.removeprefix("duckdb://") if url else settings.backend.database_file
    if path == ":memory:":
        return None
    target = Path(path)
    return DuckDBFiles(target if target.is_absolute() else workspace / target)


def in_memory(settings: Settings) -> bool:
    url = settings.backend.resolved_url()
    path = url.removeprefix("duckdb://") if url else settings.backend.database_file
    return (not url or url.startswith("duckdb://")) and path == ":memory:"


def open_reader(settings: Settings, workspace: Path) -> Store:
    """The workspace's tables, read-only where the backend allows it.

    Backend modules are imported here, on demand, so a plain install (DuckDB
    only) never needs psycopg or PySpark.
    """
    from tandem.store.duckdb import DuckDBStore
    from tandem.store.files import require

    if in_memory(settings):
        store = DuckDBStore(":memory:", read_only=False)
        store.ensure_tables()
        return store
    files = embedded_files(settings, workspace)
    if files is not None:
        return DuckDBStore(
            str(require(files)),
            read_only=True,
            memory_limit=settings.backend.duckdb_memory_limit(),
            label=files.label(),
        )
    return _remote(settings)


@contextlib.contextmanager
def writing(
    settings: Settings, workspace: Path, *, what: str = "load", publish: bool = True
) -> Iterator[Store]:
    """The one writer: a store to write to, committed when the block ends cleanly.

    On the embedded database the writes land in the next generation of the file,
    published when the block ends without an error; a failed write leaves the
    workspace as it was. Other backends commit each ``apply`` in one transaction.
    A writer that cannot get the workspace within ``backend.lock_timeout`` seconds
    raises WorkspaceBusy, saying who holds it.
    """
    from tandem.store.duckdb import DuckDBStore

    files = embedded_files(settings, workspace)
    if files is None:
        store = _remote(settings)
        try:
            store.ensure_tables()
            yield store
        finally:
            store.close()
        return
    with files.writing(settings.backend.lock_timeout, what, publish=publish) as path:
        store = DuckDBStore(
            str(path),
            read_only=False,
            memory_limit=settings.backend.duckdb_memory_limit(),
            label=files.label(),
        )
        try:
            store.ensure_tables()
            yield store
            store.checkpoint()
        finally:
            store.close()


def _remote(settings: Settings) -> Store:
    url = settings.backend.resolved_url()
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
