"""Computing metrics: sources → measures by period and dimension → formulas.

One request builds one Ibis expression per source: its rows grouped by period
(and dimension), every measure the request needs from it aggregated in a single
pass, however many metrics use them. The small aggregates are joined onto a grid
of every period × every dimension group, so periods and groups with no data
appear (counts 0, ratios without value) and trends line up; the formulas, Ibis
expressions too, run as one projection over that grid.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Hashable
from typing import TYPE_CHECKING

from tandem.engine.aggregate import aggregate_expr, backend_support, by_source
from tandem.engine.cuts import dimensions, own_values
from tandem.engine.fingerprint import formula_sql, metric_fingerprint, tables_read
from tandem.engine.frame import Frame
from tandem.engine.query import (
    MetricQuery,
    MetricResult,
    MissingData,
    ResultWarning,
    SmallSample,
)
from tandem.engine.shapes import template
from tandem.errors import UsageError
from tandem.semantic.binding import binding
from tandem.semantic.calendar import Grain, Period, key_of, period, periods
from tandem.semantic.dimensions import MISSING, account_dims

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from tandem.engine.cache import ResultCache
    from tandem.engine.frame import Tables
    from tandem.engine.memo import Memo
    from tandem.semantic.catalog import Catalog
    from tandem.semantic.types import Measure, Metric
    from tandem.settings import MetricSettings

#: Periods shown when no --from is given.
DEFAULT_PERIODS = {Grain.WEEK: 13, Grain.MONTH: 12, Grain.QUARTER: 8, Grain.YEAR: 3}
#: The name the joined measures go by in the formula step's SQL.
WIDE = "tandem_wide"


def resolve_periods(
    extent: tuple[dt.date, dt.date] | None,
    query: MetricQuery,
    today: dt.date,
) -> tuple[Grain, list[Period]]:
    """The grain and periods of a query; by default the last few up to the latest data
    (never after today)."""
    if query.span is not None:
        first, last = query.span
        if last < first:
            raise UsageError(f"span: {last} is before {first}")
        return Grain.SPAN, [Period(0, first, last)]
    grain, start, end = query.grain, query.start, query.end
    if start is None or end is None:
        lo, hi = extent if extent else (today, today)
        hi = min(hi, today)
        end = end or hi
        if start is None:
            first = period(key_of(end, grain) - DEFAULT_PERIODS[grain] + 1, grain).start
            start = max(first, min(lo, end))
    return grain, periods(grain, start, end)


def compute(
    store: Tables,
    catalog: Catalog,
    knobs: MetricSettings,
    query: MetricQuery,
    *,
    today: dt.date,
    cache: ResultCache | None = None,
    memo: Memo | None = None,
) -> dict[str, MetricResult]:
    """Compute every requested metric: one query per source, then the formulas."""
    metrics = [catalog.get(s) for s in query.metrics]
    answer = None
    if cache is not None and hasattr(store, "data_version"):
        # A question asked before on the same data is answered from memory: no
        # expression is built, no query run.
        grain, ps = resolve_periods(store.extent(), query, today)
        answer = answer_key(store, catalog, knobs, query, grain, ps)
        kept = cache.recall(answer)
        if kept is not None:
            return kept
    with binding(getattr(store, "binds_parameters", False)):
        dims = dimensions(store, catalog, metrics, query)
        grain, ps = resolve_periods(store.extent(), query, today)
        frame = Frame(store, catalog, knobs, grain, ps, dims, memo=memo)
        try:
            table = build(frame, metrics, cache if grain is not Grain.SPAN else None).to_pandas()
        finally:
            frame.close()
    empty = store.empty_tables()
    results = {m.slug: _result(m, table, frame, empty) for m in metrics}
    if cache is not None and answer is not None:
        cache.keep(answer, results)
    return results


def answer_key(
    store: Tables,
    catalog: Catalog,
    knobs: MetricSettings,
    query: MetricQuery,
    grain: Grain,
    ps: list[Period],
) -> Hashable:
    """What a whole answer depends on: the definitions, knobs and backend, the question
    with its periods resolved, and the data's version (``Store.data_version``)."""
    return (
        "answer",
        store.data_version(),  # type: ignore[attr-defined]
        catalog.token,
        store.name,
        knobs.model_dump_json(),
        query.metrics,
        grain,
        tuple((p.key, p.start, p.end) for p in ps),
        query.by,
        query.where,
    )


def build(frame: Frame, metrics: list[Metric], cache: ResultCache | None = None) -> pa.Table:
    """The grid with every needed measure and every metric's value as ``value__<slug>``."""
    sources = by_source(frame.catalog, metrics)
    # Shared relations are kept in temp tables so several sources read them once;
    # one source alone reads each once anyway, and the engine can prune them.
    frame.materialize = frame.materialize and len(sources) > 1
    if cache is None:
        aggregates = {name: _aggregate(frame, name, items) for name, items in sources.items()}
    else:
        aggregates = cache.aggregates(frame, sources, _aggregate)
    return assemble(frame, metrics, sources, aggregates, _grid(frame))


def assemble(
    frame: Frame,
    metrics: list[Metric],
    sources: dict[str, list[Measure]],
    aggregates: dict[str, pa.Table | None],
    grid: pa.Table,
) -> pa.Table:
    """Join the per-source aggregates onto the grid and apply the formulas.

    The aggregates are small (periods × groups): they are joined in Arrow, and
    the formulas run as one projection on a local in-memory DuckDB whatever the
    backend.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = ["period_key", *frame.dims.columns]
    wide = grid
    for source_name, items in sources.items():
        agg = aggregates[source_name]
        if agg is None:
            for measure in items:
                wide = wide.append_column(measure.name, pa.nulls(wide.num_rows, pa.float64()))
            continue
        wide = wide.join(agg, keys, join_type="left outer")
        for measure in items:
            if measure.agg.empty_is_zero:
                col = wide[measure.name]
                filled = pc.fill_null(col, pa.scalar(0, col.type))
                at = wide.schema.get_field_index(measure.name)
                wide = wide.set_column(at, measure.name, filled)
    cut = frame.dims.cut
    sql, schema = formula_sql(
        frame.memo, frame.catalog, metrics, frame.knobs, wide.schema, keys, cut, WIDE
    )
    con = _local_duckdb()
    con.register(WIDE, wide)
    try:
        out = con.execute(sql).to_arrow_table()
    finally:
        con.unregister(WIDE)
    return out.cast(schema)


_LOCAL = threading.local()


def _local_duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for the formulas, one per thread, kept between requests."""
    con: duckdb.DuckDBPyConnection | None = getattr(_LOCAL, "con", None)
    if con is None:
        import duckdb

        con = _LOCAL.con = duckdb.connect()
        # The formulas run on a few hundred rows: one thread, no hand-offs between them
        # (on a busy machine these cost more than the projection).
        con.execute("SET threads = 1")
    return con


def _grid(frame: Frame) -> pa.Table:
    """Every period × every dimension group present among the accounts."""
    import numpy as np
    import pyarrow as pa

    cal = pa.table(
        {
            "period_key": pa.array([p.key for p in frame.periods], pa.int64()),
            "period_start": pa.array([p.start for p in frame.periods], pa.date32()),
        }
    )
    if not frame.dims.columns:
        return cal
    groups = _groups(frame)
    n, m = cal.num_rows, groups.num_rows
    grid = cal.take(pa.array(np.repeat(np.arange(n), m)))
    tiled = groups.take(pa.array(np.tile(np.arange(m), n)))
    for name in tiled.column_names:
        grid = grid.append_column(name, tiled[name])
    return grid


def _groups(frame: Frame) -> pa.Table:
    """Every dimension group: the accounts' groups × each own dimension's values."""
    import ibis

    dims = frame.dims
    parts: list[ibis.Table] = []
    if dims.account_columns:
        parts.append(account_dims(frame).select(*dims.account_columns).distinct())
    for d in dims.own:
        values = own_values(frame.store, d)
        for own, flt in dims.own_where:
            if own == d:
                values = values.filter(flt.condition(values[d.output]))
        parts.append(values)
    groups = parts[0]
    for part in parts[1:]:
        groups = groups.cross_join(part)
    return frame.store.run(groups)


def _aggregate(frame: Frame, source_name: str, items: list[Measure]) -> pa.Table | None:
    with backend_support(frame.store.name, frame.catalog, items):
        run_sql = getattr(frame.store, "run_sql", None)
        if run_sql is not None:
            kept = template(frame, source_name, items)
            if kept is not None:
                return None if kept.sql is None else run_sql(kept.fill(frame), kept.schema)
        expr = aggregate_expr(frame, source_name, items)
        return None if expr is None else frame.store.run(expr)


def _result(m: Metric, table: pd.DataFrame, frame: Frame, empty: frozenset[str]) -> MetricResult:
    import pandas as pd

    catalog = frame.catalog
    dims = list(frame.dims.columns)
    start = table["period_start"]
    # Gathered first, then made into one frame: a column at a time costs more.
    columns = {"period": start.dt.date if hasattr(start, "dt") else start}
    for d in dims:
        columns[d] = table[d].where(table[d] != MISSING, None)
    columns["value"] = table[f"value__{m.slug}"]
    for c in catalog.needed_measures(m):
        columns[c] = table[c]
    for name, _ in m.extras:
        columns[name] = table[f"extra__{m.slug}__{name}"]
    out = pd.DataFrame(columns).reset_index(drop=True)
    warnings: tuple[ResultWarning, ...] = _small_samples(m, out, frame.knobs)
    missing = tables_read(frame.memo, catalog, m, frame.knobs, frame.store.name) & empty
    if missing and catalog.is_rate(m):
        # A rate over data never loaded is no value, never 0 %; counts stay 0.
        out["value"] = float("nan")
        for name, _ in m.extras:
            out[name] = float("nan")
        warnings = (*warnings, MissingData(m.slug, tuple(sorted(missing))))
    return MetricResult(
        metric=m,
        rows=out,
        fingerprint=metric_fingerprint(frame.memo, catalog, m, frame.knobs, frame.store.name),
        grain=frame.grain,
        dimensions=tuple(dims),
        knobs={k: getattr(frame.knobs, k) for k in catalog.knobs_of(m)},
        warnings=warnings,
    )


def _small_samples(m: Metric, rows: pd.DataFrame, knobs: MetricSettings) -> tuple[SmallSample, ...]:
    sample = m.sample
    if sample is None or knobs.min_survey_responses == 0:
        return ()
    import numpy as np

    value = rows["value"].to_numpy(dtype=float, na_value=np.nan)
    counted = rows[sample].to_numpy(dtype=float, na_value=np.nan)
    small = int(np.count_nonzero(~np.isnan(value) & (counted < knobs.min_survey_responses)))
    if not small:
        return ()
    return (SmallSample(m.slug, small, len(rows), knobs.min_survey_responses),)
