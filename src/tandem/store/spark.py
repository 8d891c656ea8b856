"""A workspace whose tables are Parquet files, computed on by Spark.

URL: ``pyspark:///absolute/path/to/warehouse?master=local[2]`` (master
defaults to ``local[2]``; other ``spark.*`` query parameters become session
settings). The warehouse folder holds, per table, generations of Parquet::

    <folder>/manifest.json              the tables' current generations, the load log
    <folder>/<table>/gen-<n>/part-0.parquet

``manifest.json`` is the commit point: ``apply`` computes each changed table's
next generation in the staging DuckDB (the current generation read from
Parquet, the upsert rules of ``tandem.store.upsert``), writes it to a new
folder, then replaces the manifest atomically (``os.replace``). A load that
fails before that leaves the previous generations in force and its new
folders are removed. Loads take a lock file, so two processes never write at
once; the generation before the current one is kept for readers that have
not noticed the new manifest yet, older ones are deleted.

Metrics run on Spark (``ibis.pyspark``): every table is a temporary view over
its current generation, re-registered whenever the manifest changes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tandem.errors import ConfigError, WorkspaceError
from tandem.schema import TABLES, table
from tandem.store.base import (
    EVERYTHING,
    LoadEntry,
    Staged,
    Store,
    TableCounts,
)
from tandem.store.sql import ident as q
from tandem.store.sql import literal
from tandem.store.types import duckdb_types
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
    staging_connection,
    tally,
)

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa
    from ibis.backends.pyspark import Backend
    from pyspark.sql import SparkSession

MANIFEST = "manifest.json"
LOCK = ".lock"
DEFAULT_MASTER = "local[2]"
#: Session settings; a URL's spark.* parameters override them.
SPARK_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
}


@dataclass(frozen=True)
class SparkTarget:
    folder: Path
    master: str
    conf: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, url: str) -> SparkTarget:
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.netloc or not path.startswith("/"):
            raise ConfigError(
                f"backend.url {url!r}: expected pyspark:///absolute/path/to/warehouse "
                "(three slashes, then the folder), optionally ?master=spark://host:7077"
            )
        query = dict(parse_qsl(parts.query))
        master = query.pop("master", DEFAULT_MASTER)
        unknown = sorted(k for k in query if not k.startswith("spark."))
        if unknown:
            raise ConfigError(
                f"backend.url: unknown parameter(s) {unknown}; use master=... and spark.* settings"
            )
        return cls(Path(path), master, query)


def spark_session(target: SparkTarget) -> SparkSession:
    """A Spark session of its own over the process's Spark context (started if needed).

    The context (the JVM) is shared by every store of the process and lives
    until the process ends; each store gets a session of its own, so temporary
    views of two workspaces never mix.
    """
    if target.master.startswith("local"):
        # The driver binds to this address; in local mode nothing else must reach it.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    settings = {
        **SPARK_DEFAULTS,
        "spark.sql.warehouse.dir": str(target.folder / ".spark-warehouse"),
        **target.conf,
    }
    builder = SparkSession.builder.master(target.master).appName("tandem")
    for key, value in settings.items():
        builder = builder.config(key, value)
    root = builder.getOrCreate()
    root.sparkContext.setLogLevel("ERROR")
    session = root.newSession()
    for key, value in settings.items():
        if key.startswith("spark.sql.") and key != "spark.sql.warehouse.dir":
            session.conf.set(key, value)
    return session


@dataclass
class Manifest:
    workspace_id: str
    generations: dict[str, int]
    loads: list[dict[str, Any]]
    #: Per table, [first day, last day] of its time column (ISO dates).
    extents: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                data["workspace_id"],
                dict(data["generations"]),
                list(data["loads"]),
                dict(data.get("extents", {})),
            )
        except (OSError, ValueError, KeyError) as exc:
            raise WorkspaceError(f"{path}: cannot read the warehouse manifest: {exc}") from exc

    def write(self, path: Path) -> None:
        """Replace the manifest atomically: readers see the old one or the new one."""
        data = {
            "format": 1,
            "workspace_id": self.workspace_id,
            "generations": self.generations,
            "loads": self.loads,
            "extents": self.extents,
        }
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def copy(self) -> Manifest:
        return Manifest(
            self.workspace_id,
            dict(self.generations),
            [dict(e) for e in self.loads],
            dict(self.extents),
        )


class SparkStore(Store):
    name = "pyspark"

    def __init__(self, url: str) -> None:
        import ibis

        self.url = url
        self.target = SparkTarget.parse(url)
        self.folder = self.target.folder
        self.session = spark_session(self.target)
        self._con: Backend = ibis.pyspark.connect(self.session)
        self._staging: duckdb.DuckDBPyConnection | None = None
        self._manifest: Manifest | None = None
        self._seen: tuple[int, int] | None = None
        self._views: dict[str, int] = {}

    @property
    def con(self) -> Backend:
        return self._con

    # -- files ----------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST

    def generation_dir(self, name: str, generation: int) -> Path:
        return self.folder / name / f"gen-{generation}"

    def current_file(self, name: str) -> Path:
        return self.generation_dir(name, self.manifest().generations[name]) / "part-0.parquet"

    def manifest(self) -> Manifest:
        """The manifest in force, read again when another process replaced it."""
        try:
            st = self.manifest_path.stat()
        except FileNotFoundError:
            raise WorkspaceError(
                f"{self.folder}: no {MANIFEST}; run 'tandem init' for this workspace"
            ) from None
        seen = (st.st_ino, st.st_mtime_ns)
        if self._manifest is None or seen != self._seen:
            self._manifest = Manifest.read(self.manifest_path)
            self._seen = seen
        return self._manifest

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / LOCK, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write_empty(self, con: duckdb.DuckDBPyConnection, name: str, generation: int) -> None:
        """An empty Parquet file with the canonical schema, so Spark can read the table."""
        cols = ", ".join(
            f"CAST(NULL AS {duckdb_types()[c.type]}) AS {q(c.name)}" for c in table(name).columns
        )
        folder = self.generation_dir(name, generation)
        folder.mkdir(parents=True, exist_ok=True)
        target = literal(str(folder / "part-0.parquet"))
        con.execute(f"COPY (SELECT {cols} LIMIT 0) TO {target} (FORMAT parquet)")

    # -- tables ---------------------------------------------------------------

    def ensure_tables(self) -> None:
        with self._locked():
            exists = self.manifest_path.exists()
            manifest = (
                Manifest.read(self.manifest_path) if exists else Manifest(uuid.uuid4().hex, {}, [])
            )
            missing = [t.name for t in TABLES if t.name not in manifest.generations]
            if missing:
                con = staging_connection()
                try:
                    for name in missing:
                        self._write_empty(con, name, 0)
                        manifest.generations[name] = 0
                finally:
                    con.close()
                manifest.write(self.manifest_path)
        self._manifest = None
        self.manifest()

    def table(self, name: str) -> Any:
        generation = self.manifest().generations.get(name)
        if generation is None:
            raise WorkspaceError(f"{self.folder}: no table {name!r} in the warehouse manifest")
        if self._views.get(name) != generation:
            path = str(self.generation_dir(name, generation))
            self.session.read.parquet(path).createOrReplaceTempView(name)
            self._views[name] = generation
        return self.con.table(name)

    def run(self, expr: Any) -> pa.Table:
        return expr.to_pyarrow()

    def cache(self, expr: Any) -> Any:
        register_memtables(self._con, expr)
        return expr.cache()

    def release(self, expr: Any) -> None:
        expr.release()

    def row_counts(self) -> dict[str, int]:
        """From the Parquet footers: the same rows Spark reads, without a job per table."""
        import pyarrow.parquet as pq

        return {t.name: pq.ParquetFile(self.current_file(t.name)).metadata.num_rows for t in TABLES}

    def identity(self) -> str:
        return self.manifest().workspace_id

    def extent(self) -> tuple[dt.date, dt.date] | None:
        spans = list(self.manifest().extents.values())
        if not spans:
            return None
        return (
            dt.date.fromisoformat(min(s[0] for s in spans)),
            dt.date.fromisoformat(max(s[1] for s in spans)),
        )

    def last_loaded_at(self) -> dt.datetime | None:
        times = [str(e["loaded_at"]) for e in self.manifest().loads]
        return dt.datetime.fromisoformat(max(times)) if times else None

    def note_changes(self, tables: list[str]) -> None:
        with self._locked():
            self._manifest = None
            after = self.manifest().copy()
            self._log(after, [TableCounts(t, 0, 0, 0, 0, EVERYTHING) for t in tables])
            self._commit(after)
            self._manifest = None

    def loads_since(self, load_id: int) -> list[LoadEntry]:
        return [
            LoadEntry(int(e["load_id"]), str(e["table"]), dt.date.fromisoformat(e["changed_from"]))
            for e in self.manifest().loads
            if int(e["load_id"]) > load_id
        ]

    # -- staging --------------------------------------------------------------

    def staging(self) -> duckdb.DuckDBPyConnection:
        """A fresh in-memory DuckDB per load (the previous one is closed)."""
        if self._staging is not None:
            self._staging.close()
        self._staging = staging_connection()
        return self._staging

    def _staging_con(self) -> duckdb.DuckDBPyConnection:
        return self._staging if self._staging is not None else self.staging()

    def stage_existing(self, table: str, columns: tuple[str, ...], relation: str) -> None:
        cols = ", ".join(q(c) for c in columns)
        path = literal(str(self.current_file(table)))
        self._staging_con().execute(
            f"CREATE OR REPLACE TEMP VIEW {q(relation)} AS SELECT {cols} FROM read_parquet({path})"
        )

    # -- apply ----------------------------------------------------------------

    def apply(self, staged: list[Staged], *, dry_run: bool = False) -> list[TableCounts]:
        """See ``Store.apply``; a dry run classifies in the staging DuckDB and writes nothing."""
        written: list[Path] = []
        with self._locked():
            self._manifest = None
            before = self.manifest()
            after = before.copy()
            try:
                counts = []
                for s in staged:
                    count, folder = self._upsert(Incoming.of(s), after, write=not dry_run)
                    counts.append(count)
                    if folder is not None:
                        written.append(folder)
                if not dry_run:
                    self._log(after, counts)
                    self._record_extents(after, counts)
                if written:
                    self._commit(after)
            except BaseException:
                for folder in written:
                    shutil.rmtree(folder, ignore_errors=True)
                raise
            self._manifest = None
            self._prune(before, after)
        return counts

    def _record_extents(self, manifest: Manifest, counts: list[TableCounts]) -> None:
        """The first and last day of each changed table's time column, read from the
        Parquet generation the load wrote."""
        con = self._staging_con()
        for c in counts:
            spec = table(c.table)
            if c.changed_from is None or spec.time_column is None:
                continue
            path = literal(str(self.current_file_in(manifest, c.table)))
            col = q(spec.time_column)
            hi = f"max(CAST({col} AS DATE))"
            if spec.name == "subscriptions":
                hi = f"greatest({hi}, max(valid_to))"
            row = con.execute(
                f"SELECT min(CAST({col} AS DATE)), {hi} FROM read_parquet({path})"
            ).fetchone()
            if row and row[0] is not None:
                manifest.extents[c.table] = [row[0].isoformat(), row[1].isoformat()]
            else:
                manifest.extents.pop(c.table, None)

    def current_file_in(self, manifest: Manifest, name: str) -> Path:
        return self.generation_dir(name, manifest.generations[name]) / "part-0.parquet"

    def _commit(self, manifest: Manifest) -> None:
        """The commit point of a load."""
        manifest.write(self.manifest_path)

    def _prune(self, before: Manifest, after: Manifest) -> None:
        """Delete generations older than the one just replaced (best effort)."""
        for name, generation in after.generations.items():
            if generation == before.generations.get(name):
                continue
            for old in (self.folder / name).glob("gen-*"):
                number = old.name.removeprefix("gen-")
                if number.isdigit() and int(number) < generation - 1:
                    shutil.rmtree(old, ignore_errors=True)

    def _log(self, manifest: Manifest, counts: list[TableCounts]) -> None:
        changed = [c for c in counts if c.changed_from is not None]
        if not changed:
            return
        load_id = max((int(e["load_id"]) for e in manifest.loads), default=0) + 1
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()
        for c in changed:
            assert c.changed_from is not None
            manifest.loads.append(
                {
                    "load_id": load_id,
                    "loaded_at": now,
                    "table": c.table,
                    "new_rows": c.new,
                    "updated_rows": c.updated,
                    "changed_from": c.changed_from.isoformat(),
                }
            )

    def _upsert(
        self, item: Incoming, manifest: Manifest, *, write: bool = True
    ) -> tuple[TableCounts, Path | None]:
        """Classify the staged rows; write the next generation when anything changed.

        A replaced table's next generation leaves out the stored rows whose key
        the staged rows lack.
        """
        import pyarrow.parquet as pq

        con, spec = self._staging_con(), item.spec
        current = self.generation_dir(spec.name, manifest.generations[spec.name])
        stored_file = literal(str(current / "part-0.parquet"))
        source = q(f"__tandem_in_{spec.name}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {source} AS {item.select()}")
        incoming = self._count(con, f"SELECT count(*) FROM {source}")
        stored_types = {
            str(r[0]): str(r[1])
            for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({stored_file})").fetchall()
        }
        stored = f"read_parquet({stored_file})"
        incoming_types = dict(item.columns)
        columns = [*stored_types, *(n for n in item.names if n not in stored_types)]
        types = {**incoming_types, **stored_types}

        def select(relation: str, present: set[str]) -> str:
            cols = ", ".join(
                q(c) if c in present else f"CAST(NULL AS {types[c]}) AS {q(c)}" for c in columns
            )
            return f"SELECT {cols} FROM {relation}"

        empty = pq.ParquetFile(current / "part-0.parquet").metadata.num_rows == 0
        if empty:
            if not incoming:
                return TableCounts(spec.name, 0, 0, 0, 0, None), None
            first = self._changed_from(con, item, f"{source} r")
            rows = select(source, set(item.names))
            folder = self._write(con, manifest, spec.name, rows) if write else None
            return TableCounts(spec.name, incoming, incoming, 0, 0, first), folder
        deleted, gone = 0, None
        if item.staged.replace:
            absent_rows = absent(spec, source, stored)
            deleted = self._count(con, f"SELECT count(*) FROM {absent_rows}")
            if deleted:
                gone = self._changed_from(con, item, absent_rows)
        work = q(f"__tandem_work_{spec.name}")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {work} AS "
            + classify(spec, source, stored, item.names, list(stored_types))
        )
        counted = {int(r[0]): int(r[1]) for r in con.execute(tally(work)).fetchall()}
        new, changed = counted.get(NEW, 0), counted.get(CHANGED, 0)
        counts = TableCounts(spec.name, incoming, new, changed, incoming - new - changed)
        if not (new or changed or deleted):
            return counts, None
        days = [gone]
        if new or changed:
            days.append(self._changed_from(con, item, f"{work} r"))
        if changed:
            days.append(self._changed_from(con, item, replaced(spec, stored, work)))
        present = (
            f" AND EXISTS (SELECT 1 FROM {source} s WHERE {keys_match(spec, 's', 'r')})"
            if item.staged.replace
            else ""
        )
        kept = (
            f"(SELECT * FROM {stored} r WHERE NOT EXISTS (SELECT 1 FROM {work} s "
            f"WHERE s.{STATUS} = {CHANGED} AND {keys_match(spec, 's', 'r')}){present})"
        )
        rows = f"{select(kept, set(stored_types))} UNION ALL {select(work, set(item.names))}"
        folder = self._write(con, manifest, spec.name, rows) if write else None
        return TableCounts(
            spec.name, incoming, new, changed, incoming - new - changed, earliest(days), deleted
        ), folder

    def _write(
        self, con: duckdb.DuckDBPyConnection, manifest: Manifest, name: str, rows: str
    ) -> Path:
        """Write ``rows`` as the table's next generation (recorded in ``manifest``)."""
        generation = manifest.generations[name] + 1
        folder = self.generation_dir(name, generation)
        if folder.exists():  # left over by a load that failed before its commit
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        target = literal(str(folder / "part-0.parquet"))
        con.execute(f"COPY ({rows}) TO {target} (FORMAT parquet, COMPRESSION zstd)")
        manifest.generations[name] = generation
        return folder

    def _changed_from(
        self, con: duckdb.DuckDBPyConnection, item: Incoming, relation: str
    ) -> dt.date | None:
        sql = changed_from_sql(item.spec, relation)
        if sql is None:
            return EVERYTHING
        row = con.execute(sql).fetchone()
        return row[0] if row else None

    @staticmethod
    def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        if self._staging is not None:
            self._staging.close()
            self._staging = None
        for name in self._views:
            with contextlib.suppress(Exception):
                self.session.catalog.dropTempView(name)
        self._views.clear()


def register_memtables(backend: Backend, expr: Any) -> None:
    """Ibis 12's PySpark backend compiles a cached query without registering the
    in-memory tables it reads (the frame's calendar): register them first.

    This is the one use of a private Ibis API (``_register_in_memory_tables``);
    tests/store/test_parity.py (Spark) fails if Ibis removes or renames it.
    """
    backend._register_in_memory_tables(expr)
