"""The facade: one object that opens a workspace and delegates to the layers.

``Workspace("demo").metric("nps", grain="month", by=["segment"])`` is the whole
Python API; the CLI and the web layer are thin shells over it. Reads go through
read-only stores shared by the process's threads (``Readers``), so many
commands, a server and its threads read one workspace at once; writes go
through the one writer (``Workspace.writer``), which never blocks readers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from tandem.engine.memo import Memo
from tandem.engine.query import MetricQuery, MetricResult
from tandem.errors import UsageError, WorkspaceError
from tandem.semantic.calendar import Grain
from tandem.semantic.dimensions import Filter
from tandem.service.info import MetricInfo, WorkspaceStatus
from tandem.settings import SETTINGS_FILE, Settings, load_settings

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from tandem.engine.cache import ResultCache
    from tandem.engine.explain import Explanation
    from tandem.load import LoadReport
    from tandem.semantic.catalog import Catalog
    from tandem.semantic.types import Metric
    from tandem.service.readers import Readers
    from tandem.service.session import ReadSession
    from tandem.store import Store

Where = Mapping[str, str] | Iterable[Filter] | None
#: The largest row limit a request may give (a 64-bit LIMIT; 0 means all rows).
MAX_LIMIT = 2**62


def system_today() -> dt.date:
    """The one place Tandem reads the clock (UTC); everything else takes ``today``."""
    return dt.datetime.now(dt.UTC).date()


class Workspace:
    """A folder holding ``tandem.toml`` and, by default, its embedded database."""

    def __init__(
        self,
        path: str | Path = ".",
        *,
        settings: Settings | None = None,
        today: Callable[[], dt.date] = system_today,
    ) -> None:
        self.path = Path(path)
        self.today = today
        if settings is None:
            if not (self.path / SETTINGS_FILE).exists():
                raise WorkspaceError(
                    f"{self.path}: not a Tandem workspace (no {SETTINGS_FILE}); "
                    f"run 'tandem init --workspace {self.path}' first"
                )
            settings = load_settings(self.path)
        self.settings = settings
        self.memo = Memo()
        self._readers: Readers | None = None
        self._cache: ResultCache | None = None

    @classmethod
    def init(
        cls, path: str | Path = ".", *, backend_url: str = "", force: bool = False
    ) -> Workspace:
        """Create the workspace folder, write ``tandem.toml`` and create the tables.

        Nothing is left behind when it fails. ``backend_url`` must carry no password
        (write ``env:NAME`` and set the variable NAME); on an existing workspace a
        different ``backend_url`` is refused unless ``force`` rewrites it."""
        from tandem.service.setup import create

        create(Path(path), backend_url=backend_url, force=force)
        return cls(path)

    # -- reading and writing ------------------------------------------------------------

    @property
    def readers(self) -> Readers:
        if self._readers is None:
            from tandem.service.readers import Readers

            self._readers = Readers(self.settings, self.path)
        return self._readers

    @property
    def store(self) -> Store:
        """The current read store (the newest generation); prefer ``read()`` in threads."""
        return self.readers.peek()

    @contextlib.contextmanager
    def read(self) -> Iterator[ReadSession]:
        """A read session over the workspace's tables (``with ws.read() as s: s.table(...)``)."""
        from tandem.service.session import ReadSession

        with self.readers.acquire() as store:
            yield ReadSession(store, self.settings, self.today())

    @contextlib.contextmanager
    def writer(self, what: str = "write", *, publish: bool = True) -> Iterator[Store]:
        """The one writer: writes land together when the block ends, or not at all
        (never, with ``publish=False``: a rehearsal, as a dry run is)."""
        from tandem.store import in_memory, writing

        if in_memory(self.settings):
            yield self.store
            return
        with writing(self.settings, self.path, what=what, publish=publish) as store:
            yield store

    def close(self) -> None:
        if self._readers is not None:
            self._readers.close()
            self._readers = None
        self._cache = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(
        self,
        paths: Iterable[str | Path],
        *,
        table: str | None = None,
        mapping: str | Path | None = None,
        preset: str | None = None,
        dry_run: bool = False,
        replace: tuple[str, ...] = (),
        progress: bool = False,
    ) -> LoadReport:
        """Load files or folders into the tables, all or nothing (``tandem.load``).

        ``mapping`` (a mapping file) or ``preset`` (a shipped one, ``tandem presets``)
        read vendor exports; ``replace`` names tables the files are the whole truth
        for; ``dry_run`` reports what would change and changes nothing.
        """
        from tandem.load import LoadRequest, load_files

        request = LoadRequest(
            tuple(paths),
            table=table,
            mapping=mapping,
            preset=preset,
            dry_run=dry_run,
            replace=tuple(replace),
        )
        with self.writer("load", publish=not dry_run) as store:
            return load_files(store, request, self.settings, progress=progress)

    def row_counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        with self.readers.acquire() as store:
            return store.row_counts()

    def status(self) -> WorkspaceStatus:
        """Rows per table, the backend, the data's first and last day, the last load."""
        with self.readers.acquire() as store:
            extent = store.extent()
            return WorkspaceStatus(
                path=str(self.path),
                backend=store.name,
                rows=store.row_counts(),
                last_loaded_at=store.last_loaded_at(),
                first_day=extent[0] if extent else None,
                last_day=extent[1] if extent else None,
            )

    # -- the catalog ----------------------------------------------------------------------

    @property
    def definitions(self) -> Catalog:
        """The metric catalog this workspace computes with."""
        from tandem.semantic.catalog import default_catalog

        return default_catalog()

    def catalog(self) -> list[Metric]:
        """Every metric, in catalog order."""
        return list(self.definitions)

    @property
    def dialect(self) -> str:
        """The backend the workspace computes on (duckdb, postgres, pyspark), without
        connecting to it."""
        url = self.settings.backend.resolved_url()
        if not url or url.startswith("duckdb://"):
            return "duckdb"
        scheme = url.split("://", 1)[0].lower()
        return {"postgresql": "postgres"}.get(scheme, scheme)

    def describe(self, slugs: Iterable[str] | None = None) -> list[MetricInfo]:
        """Metrics as users see them: definition, formula, knobs in force, fingerprint."""
        from tandem.service.describe import describe

        catalog = self.definitions
        chosen = [catalog.get(s) for s in slugs] if slugs is not None else list(catalog)
        return [
            describe(self.memo, catalog, m, self.settings.metrics, self.dialect) for m in chosen
        ]

    # -- metrics --------------------------------------------------------------------------

    @property
    def cache(self) -> ResultCache | None:
        """The result cache, when the settings turn it on (see tandem.engine.cache)."""
        mode = self.settings.cache.mode
        if mode == "off" or (mode == "auto" and self.settings.backend.url):
            return None
        if self._cache is None:
            from tandem.engine.cache import ResultCache

            self._cache = ResultCache(self.path / self.settings.cache.folder)
        return self._cache

    def query(self, query: MetricQuery) -> dict[str, MetricResult]:
        """Compute a typed query: every metric in one pass, each result with its
        fingerprint, knobs and warnings."""
        from tandem.engine.compute import compute

        with self.readers.acquire() as store:
            return compute(
                store,
                self.definitions,
                self.settings.metrics,
                query,
                today=self.today(),
                cache=self.cache,
                memo=self.memo,
            )

    def compute(
        self,
        slugs: Iterable[str],
        *,
        grain: str | Grain = "month",
        by: Iterable[str] = (),
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        where: Where = None,
        span: tuple[dt.date, dt.date] | None = None,
    ) -> dict[str, MetricResult]:
        """Several metrics in one pass (``query`` with keyword arguments)."""
        return self.query(
            MetricQuery(
                metrics=tuple(slugs),
                grain=Grain.parse(grain),
                start=parse_date(start, "--from"),
                end=parse_date(end, "--to"),
                by=tuple(by),
                where=filters(where),
                span=span,
            )
        )

    @overload
    def metric(
        self,
        slug: str,
        *,
        grain: str | Grain = ...,
        by: Iterable[str] | str = ...,
        start: dt.date | str | None = ...,
        end: dt.date | str | None = ...,
        where: Where = ...,
        output: Literal["pandas"] = ...,
    ) -> pd.DataFrame: ...

    @overload
    def metric(
        self,
        slug: str,
        *,
        grain: str | Grain = ...,
        by: Iterable[str] | str = ...,
        start: dt.date | str | None = ...,
        end: dt.date | str | None = ...,
        where: Where = ...,
        output: Literal["arrow"],
    ) -> pa.Table: ...

    @overload
    def metric(
        self,
        slug: str,
        *,
        grain: str | Grain = ...,
        by: Iterable[str] | str = ...,
        start: dt.date | str | None = ...,
        end: dt.date | str | None = ...,
        where: Where = ...,
        output: Literal["polars"],
    ) -> pl.DataFrame: ...

    def metric(
        self,
        slug: str,
        *,
        grain: str | Grain = "month",
        by: Iterable[str] | str = (),
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        where: Where = None,
        output: Literal["pandas", "arrow", "polars"] = "pandas",
    ) -> pd.DataFrame | pa.Table | pl.DataFrame:
        """One metric by period (and dimension): a pandas DataFrame, or Arrow / Polars.

        ``df.attrs`` (Arrow: schema metadata) holds the slug, the fingerprint of the
        logic and the knob values it was computed with. Warnings of the result
        (a survey figure on too few responses) are emitted as Python warnings.
        """
        from tandem.service.convert import convert, emit_warnings

        dims = [by] if isinstance(by, str) else list(by)
        result = self.compute([slug], grain=grain, by=dims, start=start, end=end, where=where)[slug]
        emit_warnings(result)
        return convert(result, output)

    def explain(
        self,
        slug: str,
        period: dt.date | str,
        *,
        grain: str | Grain = "month",
        where: Where = None,
        limit: int | None = None,
    ) -> Explanation:
        """The rows behind a metric's components in the period holding ``period``."""
        from tandem.engine.explain import explain

        day = parse_date(period, "--period")
        if day is None:
            raise UsageError("--period: a day or month is needed")
        if limit is not None and not 0 <= limit <= MAX_LIMIT:
            raise UsageError(
                f"--limit {limit}: expected 0 (all rows) or a positive number up to {MAX_LIMIT:,}"
            )
        with self.readers.acquire() as store:
            return explain(
                store,
                self.definitions,
                self.settings.metrics,
                slug,
                day,
                grain=Grain.parse(grain),
                where=filters(where),
                limit=limit or None,
                today=self.today(),
                memo=self.memo,
            )


def filters(where: Where) -> tuple[Filter, ...]:
    """Filters from a mapping of equalities or from Filter values."""
    if where is None:
        return ()
    if isinstance(where, Mapping):
        return tuple(Filter.equals(str(k), str(v)) for k, v in where.items())
    return tuple(where)


def parse_date(value: dt.date | str | None, what: str) -> dt.date | None:
    """A day from ``2024-03-01``, ``2024-03`` (its first day) or ``2024``."""
    from tandem.semantic.calendar import FIRST_DAY, LAST_DAY

    if value is None:
        return value
    day: dt.date | None = value if isinstance(value, dt.date) else None
    if not isinstance(value, dt.date):
        text = value.strip()
        for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
            if len(text) == size:
                with contextlib.suppress(ValueError):
                    day = dt.datetime.strptime(text, fmt).date()
                break
    if day is None:
        raise UsageError(f"{what} {value!r}: expected a date like 2024-03-01, 2024-03 or 2024")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(f"{what} {value}: dates must lie between {FIRST_DAY} and {LAST_DAY}")
    return day
