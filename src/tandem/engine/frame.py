"""The frame of one computation: the store, the knobs, the grain and the periods.

Sources are built against a frame and cached in it, so a source shared by many
metrics (the account-period facts behind churn, MRR and NRR) is built once per
request. ``place`` puts rows in periods by a range on their own time column and
the period key computed from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from tandem.semantic.calendar import Grain, Period, calendar_data, key_expr

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir
    import pyarrow as pa

    from tandem.engine.memo import Memo
    from tandem.semantic.catalog import Catalog
    from tandem.semantic.dimensions import DimensionSet
    from tandem.settings import MetricSettings


class Tables(Protocol):
    """What the engine computes on: a store, or a blueprint that only compiles SQL."""

    @property
    def name(self) -> str:
        """The backend's name, also the SQL dialect: duckdb, postgres, pyspark."""
        ...

    def table(self, name: str) -> ibis.Table: ...

    def supports(self, operation: type) -> bool: ...

    def cache(self, expr: ibis.Table) -> ibis.Table: ...

    def release(self, expr: ibis.Table) -> None: ...

    def constant(self, name: str, data: pa.Table) -> ibis.Table: ...

    def forget(self, table: ibis.Table) -> None: ...

    def run(self, expr: ibis.Table) -> pa.Table: ...

    def extent(self) -> tuple[dt.date, dt.date] | None: ...

    def empty_tables(self) -> frozenset[str]: ...


class Frame:
    """One request's facts (``tandem.semantic.types.Facts``) on one store."""

    def __init__(
        self,
        store: Tables,
        catalog: Catalog,
        knobs: MetricSettings,
        grain: Grain,
        periods: list[Period],
        dims: DimensionSet,
        *,
        materialize: bool = True,
        memo: Memo | None = None,
    ) -> None:
        from tandem.engine.memo import Memo

        self.store = store
        self.catalog = catalog
        #: The workspace's compiled SQL and fingerprints.
        self.memo = memo if memo is not None else Memo()
        self.materialize = materialize
        self.knobs = knobs
        self.grain = grain
        self.periods = periods
        self.dims = dims
        self._built: dict[str, ibis.Table] = {}
        self._materialized: list[ibis.Table] = []
        self._constants: list[ibis.Table] = []
        self._calendar: ibis.Table | None = None

    @property
    def calendar(self) -> ibis.Table:
        """The periods as a constant table (``calendar_data``), registered on first use:
        a request whose SQL never reads it (kept compiled, ``tandem.engine.shapes``)
        registers nothing."""
        if self._calendar is None:
            self._calendar = self.constant("calendar", calendar_data(self.periods))
        return self._calendar

    def table(self, name: str) -> ibis.Table:
        return self.store.table(name)

    def cached(
        self, name: str, build: Callable[[], ibis.Table], *, materialize: bool = False
    ) -> ibis.Table:
        """Build a relation once per frame (sources and the relations they share).

        A ``materialize``d relation is computed once into a temporary table on
        the backend: the heavy relations several sources read (paid coverage,
        account-period facts, daily usage) then cost one scan, and the queries
        reading them stay small.
        """
        if name not in self._built:
            expr = build()
            if materialize and self.materialize:
                expr = self._materialize(expr)
            self._built[name] = expr
        return self._built[name]

    def _materialize(self, expr: ibis.Table) -> ibis.Table:
        """``expr`` cached on the backend; as it is when the backend keeps no temp tables."""
        import ibis.common.exceptions as com

        try:
            cached = self.store.cache(expr)
        except (NotImplementedError, com.UnsupportedOperationError):
            return expr  # an unsupported operation in expr fails again where it is read
        self._materialized.append(cached)
        return cached

    def supports(self, operation: type) -> bool:
        return self.store.supports(operation)

    def constant(self, prefix: str, data: pa.Table) -> ibis.Table:
        """Small data under a name unique to its content (equal requests, equal SQL)."""
        import hashlib

        digest = hashlib.sha1(repr(data.to_pydict()).encode()).hexdigest()[:16]
        table = self.store.constant(f"__tandem_{prefix}_{digest}", data)
        self._constants.append(table)
        return table

    def source(self, name: str) -> ibis.Table:
        spec = self.catalog.sources[name]
        return self.cached(f"source:{name}", lambda: spec.build(self), materialize=spec.shared)

    def close(self) -> None:
        """Drop the temporary tables this frame materialised."""
        for expr in self._materialized:
            self.store.release(expr)
        self._materialized.clear()
        for table in self._constants:
            self.store.forget(table)
        self._constants.clear()
        self._calendar = None
        self._built.clear()

    def place(self, t: ibis.Table, when: ir.Value) -> ibis.Table:
        """Rows of ``t`` whose ``when`` falls in one of the frame's periods, with their key.

        The rows are first kept by a range on ``when`` itself, from the first
        period's first day to the last period's last day: a filter on a stored
        column, which engines push into the scan (DuckDB's zone maps, an index
        on PostgreSQL, Parquet statistics on Spark). Only when the periods have
        gaps (a partial recomputation) is the key also matched to the calendar.
        """
        import ibis

        first, last = self.periods[0].start, self.periods[-1].end
        if when.type().is_timestamp():
            after = last + dt.timedelta(days=1)
            inside = (when >= ibis.timestamp(first.isoformat())) & (
                when < ibis.timestamp(after.isoformat())
            )
        else:
            inside = (when >= ibis.date(first.isoformat())) & (when <= ibis.date(last.isoformat()))
        if self.grain is Grain.SPAN:
            return t.filter(inside).mutate(period_key=ibis.literal(self.periods[0].key, "int64"))
        keyed = t.filter(inside).mutate(period_key=key_expr(when, self.grain).cast("int64"))
        keys = [p.key for p in self.periods]
        if keys == list(range(keys[0], keys[-1] + 1)):
            return keyed
        return keyed.semi_join(self.calendar.select("period_key"), "period_key")

    def place_day(self, t: ibis.Table, day: str) -> ibis.Table:
        """Rows of ``t`` whose day number column ``day`` falls in a period, with its key."""
        cal = self.calendar
        return t.join(cal, [cal.start_day <= t[day], cal.end_day >= t[day]]).select(
            t, cal.period_key
        )

    def with_period(self, other_grain: Grain, periods: list[Period]) -> Frame:
        """A frame over other periods with the same store, knobs and dimensions.

        Its temporary tables are released with this frame's.
        """
        child = Frame(
            self.store,
            self.catalog,
            self.knobs,
            other_grain,
            periods,
            self.dims,
            materialize=self.materialize,
            memo=self.memo,
        )
        child._materialized = self._materialized
        return child
