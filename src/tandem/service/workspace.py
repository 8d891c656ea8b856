"""The facade: one object that opens a workspace and delegates to the layers.

``Workspace("demo").metric("nps", grain="month", by=["segment"])`` is the whole
Python API; the CLI and the web layer are thin shells over it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tandem.errors import WorkspaceError
from tandem.settings import SETTINGS_FILE, Settings, load_settings, render_toml
from tandem.warnings import SmallSampleWarning

if TYPE_CHECKING:
    import pandas as pd

    from tandem.engine.cache import ResultCache
    from tandem.engine.explain import Explanation
    from tandem.engine.query import MetricResult
    from tandem.load import LoadReport
    from tandem.semantic.catalog import Catalog
    from tandem.semantic.types import Metric
    from tandem.service.session import ReadSession
    from tandem.store import Store


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
        self._store: Store | None = None
        self._cache: ResultCache | None = None

    @classmethod
    def init(cls, path: str | Path = ".", *, backend_url: str = "") -> Workspace:
        """Create the workspace folder, write ``tandem.toml`` and create the tables."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / SETTINGS_FILE
        if not target.exists():
            defaults = Settings()
            if backend_url:
                defaults = defaults.model_copy(
                    update={"backend": defaults.backend.model_copy(update={"url": backend_url})}
                )
            target.write_text(render_toml(defaults), encoding="utf-8")
        ws = cls(folder)
        ws.store.ensure_tables()
        return ws

    @property
    def store(self) -> Store:
        if self._store is None:
            from tandem.store import open_store

            self._store = open_store(self.settings, self.path)
            self._store.ensure_tables()
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self._cache = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[ReadSession]:
        """A read session over the workspace's tables (``with ws.read() as s: s.table(...)``)."""
        from tandem.service.session import ReadSession

        yield ReadSession(self.store, self.settings, self.today())

    def row_counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        return self.store.row_counts()

    def load(
        self,
        paths: list[str | Path],
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
        return load_files(self.store, request, self.settings, progress=progress)

    # -- metrics ---------------------------------------------------------------

    def catalog(self) -> list[Metric]:
        """Every metric, in catalog order."""
        return list(self.definitions)

    @property
    def dialect(self) -> str:
        """The backend the workspace computes on (duckdb, postgres, pyspark), without
        connecting to it."""
        url = self.settings.backend.url
        if not url or url.startswith("duckdb://"):
            return "duckdb"
        scheme = url.split("://", 1)[0].lower()
        return {"postgresql": "postgres"}.get(scheme, scheme)

    @property
    def definitions(self) -> Catalog:
        """The metric catalog this workspace computes with."""
        from tandem.semantic.catalog import default_catalog

        return default_catalog()

    def compute(
        self,
        slugs: Iterable[str],
        *,
        grain: str = "month",
        by: Iterable[str] = (),
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        where: dict[str, str] | None = None,
    ) -> dict[str, MetricResult]:
        """Several metrics in one pass; each result keeps its fingerprint and knobs."""
        from tandem.engine.compute import compute
        from tandem.engine.query import MetricQuery
        from tandem.semantic.calendar import Grain
        from tandem.semantic.dimensions import Filter

        query = MetricQuery(
            metrics=tuple(slugs),
            grain=Grain.parse(grain),
            start=_date(start, "--from"),
            end=_date(end, "--to"),
            by=tuple(by),
            where=tuple(Filter.equals(k, v) for k, v in (where or {}).items()),
        )
        return compute(
            self.store,
            self.definitions,
            self.settings.metrics,
            query,
            today=self.today(),
            cache=self.cache,
        )

    @property
    def cache(self) -> ResultCache | None:
        """The result cache, when the settings turn it on (see tandem.engine.cache)."""
        mode = self.settings.cache.mode
        if mode == "off" or (mode == "auto" and self.settings.backend.url):
            return None
        if self._cache is None:
            from tandem.engine.cache import ResultCache

            self._cache = ResultCache(self.path / self.settings.cache.folder, self.store)
        return self._cache

    def metric(
        self,
        slug: str,
        *,
        grain: str = "month",
        by: Iterable[str] | str = (),
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        where: dict[str, str] | None = None,
        output: str = "pandas",
    ) -> Any:
        """One metric by period (and dimension): a pandas DataFrame, or Arrow / Polars.

        ``df.attrs`` (Arrow: schema metadata) holds the slug, the fingerprint of the
        definitions and the knob values it was computed with.
        """
        import warnings

        from tandem.engine.query import SmallSample

        dims = [by] if isinstance(by, str) else list(by)
        result = self.compute([slug], grain=grain, by=dims, start=start, end=end, where=where)[slug]
        for w in result.warnings:
            category = SmallSampleWarning if isinstance(w, SmallSample) else UserWarning
            warnings.warn(str(w), category, stacklevel=2)
        return _convert(result, output)

    def explain(
        self,
        slug: str,
        period: dt.date | str,
        *,
        grain: str = "month",
        where: dict[str, str] | None = None,
        limit: int | None = None,
    ) -> Explanation:
        """The rows behind a metric's components in the period holding ``period``."""
        from tandem.engine.explain import explain
        from tandem.semantic.calendar import Grain

        day = _date(period, "--period")
        assert day is not None
        from tandem.semantic.dimensions import Filter

        return explain(
            self.store,
            self.definitions,
            self.settings.metrics,
            slug,
            day,
            grain=Grain.parse(grain),
            where=tuple(Filter.equals(k, v) for k, v in (where or {}).items()),
            limit=limit,
            today=self.today(),
        )


def _date(value: dt.date | str | None, what: str) -> dt.date | None:
    from tandem.errors import UsageError

    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        if len(text) == size:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                break
    raise UsageError(f"{what} {value!r}: expected a date like 2024-03-01, 2024-03 or 2024")


def _convert(result: MetricResult, output: str) -> Any:
    from tandem.errors import UsageError

    meta = {
        "metric": result.metric.slug,
        "fingerprint": result.fingerprint,
        "knobs": result.knobs,
        "grain": result.grain.value,
    }
    rows: pd.DataFrame = result.rows
    if output == "pandas":
        rows.attrs.update(meta)
        return rows
    if output in ("arrow", "polars"):
        import json

        import pyarrow as pa

        table = pa.Table.from_pandas(rows, preserve_index=False)
        table = table.replace_schema_metadata({"tandem": json.dumps(meta, default=list)})
        if output == "arrow":
            return table
        import polars as pl

        return pl.from_arrow(table)
    raise UsageError(f"output {output!r}: choose pandas, arrow or polars")
