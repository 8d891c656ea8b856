"""Computing metrics: sources → measures by period and dimension → formulas.

One request builds one Ibis expression: a grid of every period × every
dimension group, left-joined with each source's aggregates, so periods and
groups with no data appear (counts 0, ratios without value) and trends line up.
All measures of one source are aggregated in a single pass, however many
metrics use them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import operator
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tandem.errors import UnsupportedOperation, UsageError
from tandem.semantic import catalog
from tandem.semantic.calendar import Grain, Period, key_of, period, periods
from tandem.semantic.dimensions import MISSING, DimensionSet, account_dims, resolve
from tandem.engine.frame import Frame

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from tandem.engine.cache import ResultCache
    from tandem.settings import MetricSettings
    from tandem.store import Store

#: Periods shown when no --from is given.
DEFAULT_PERIODS = {Grain.WEEK: 13, Grain.MONTH: 12, Grain.QUARTER: 8, Grain.YEAR: 3}


class SmallSampleWarning(UserWarning):
    """A survey metric was computed from fewer responses than ``min_survey_responses``."""


@dataclass(frozen=True)
class MetricRequest:
    slugs: tuple[str, ...]
    grain: Grain = Grain.MONTH
    start: dt.date | None = None
    end: dt.date | None = None
    by: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MetricResult:
    """One metric's rows: period, dimension columns, value, then its components."""

    metric: catalog.Metric
    rows: pd.DataFrame
    fingerprint: str
    grain: Grain
    dimensions: tuple[str, ...]
    knobs: dict[str, Any] = field(default_factory=dict)


def data_extent(store: Store) -> tuple[dt.date, dt.date] | None:
    """First and last day with any dated row in the workspace."""
    import ibis

    from tandem.schema import TABLES

    parts = []
    for t in TABLES:
        if t.time_column is None:
            continue
        table = store.table(t.name)
        col = table[t.time_column]
        day = col.date() if col.type().is_timestamp() else col
        hi = day.max()
        if "valid_to" in table.columns:  # a subscription ending is news on that day
            hi = ibis.greatest(hi, table.valid_to.max())
        parts.append(table.aggregate(lo=day.min(), hi=hi))
    both = ibis.union(*parts)
    row = store.run(both.aggregate(lo=both.lo.min(), hi=both.hi.max())).to_pylist()[0]
    if row["lo"] is None:
        return None
    return row["lo"], row["hi"]


def resolve_periods(
    store: Store, grain: Grain, start: dt.date | None, end: dt.date | None, today: dt.date
) -> list[Period]:
    """The requested periods; by default the last few up to the latest data (not after today)."""
    if start is None or end is None:
        extent = data_extent(store)
        lo, hi = extent if extent else (today, today)
        hi = min(hi, today)
        end = end or hi
        if start is None:
            first = period(key_of(end, grain) - DEFAULT_PERIODS[grain] + 1, grain).start
            start = max(first, min(lo, end))
    return periods(grain, start, end)


def compute(
    store: Store,
    knobs: MetricSettings,
    request: MetricRequest,
    *,
    today: dt.date,
    cache: ResultCache | None = None,
) -> dict[str, MetricResult]:
    """Compute every requested metric: one query per source, then the formulas."""
    metrics = [catalog.get(s) for s in request.slugs]
    dims = _dimensions(store, request)
    frame = Frame(
        store,
        knobs,
        request.grain,
        resolve_periods(store, request.grain, request.start, request.end, today),
        dims,
    )
    try:
        table = build(frame, metrics, cache).to_pandas()
    finally:
        frame.close()
    return {m.slug: _result(m, table, frame) for m in metrics}


def _dimensions(store: Store, request: MetricRequest) -> DimensionSet:
    if not request.by and not request.where:
        return DimensionSet()
    columns = list(store.table("accounts").columns)
    return resolve(request.by, dict(request.where), columns)


def build(
    frame: Frame, metrics: list[catalog.Metric], cache: ResultCache | None = None
) -> pa.Table:
    """The grid with every needed measure and every metric's value as ``value__<slug>``."""
    by_source: dict[str, list[catalog.Measure]] = {}
    for m in metrics:
        for name in catalog.needed_measures(m):
            measure = catalog.MEASURES[name]
            items = by_source.setdefault(measure.source, [])
            if measure not in items:
                items.append(measure)
    # Shared relations are kept in temp tables so several sources read them once;
    # one source alone reads each once anyway, and the engine can prune them.
    frame.materialize = frame.materialize and len(by_source) > 1
    if cache is None:
        aggregates = {name: _aggregate(frame, name, items) for name, items in by_source.items()}
    else:
        aggregates = cache.aggregates(frame, by_source, _aggregate)
    return assemble(frame, metrics, by_source, aggregates, _grid(frame))


def assemble(
    frame: Frame,
    metrics: list[catalog.Metric],
    by_source: dict[str, list[catalog.Measure]],
    aggregates: dict[str, pa.Table | None],
    grid: pa.Table,
) -> pa.Table:
    """Join the per-source aggregates onto the grid and apply the formulas.

    The aggregates are small (periods × groups): they are joined in Arrow, and
    the formulas, Ibis expressions like everything else, run as one projection
    on a local in-memory DuckDB whatever the backend.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = ["period_key", *frame.dims.columns]
    wide = grid
    for source_name, items in by_source.items():
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
    sql, schema = _formulas(frame, metrics, wide.schema, keys)
    con = _local_duckdb()
    con.register(WIDE, wide)
    try:
        out = con.execute(sql).to_arrow_table()
    finally:
        con.unregister(WIDE)
    return out.cast(schema)


#: The name the joined measures go by in the formula step's SQL.
WIDE = "tandem_wide"
#: Compiled formula steps, by what they depend on: compiling the same Ibis
#: projection again for every request would cost more than running it.
_FORMULAS: dict[tuple[Any, ...], tuple[str, pa.Schema]] = {}
_FORMULAS_KEPT = 256


def _formulas(
    frame: Frame, metrics: list[catalog.Metric], wide: pa.Schema, keys: list[str]
) -> tuple[str, pa.Schema]:
    """The SQL of the formula projection over a table ``WIDE`` shaped like ``wide``."""
    import ibis

    cut = bool(frame.dims.by or frame.dims.where)
    key = (
        tuple(m.slug for m in metrics),
        wide,
        frame.knobs.model_dump_json(),
        cut,
        tuple(keys),
    )
    hit = _FORMULAS.get(key)
    if hit is not None:
        return hit
    t = ibis.table(ibis.Schema.from_pyarrow(wide), name=WIDE)
    values = {}
    for m in metrics:
        value = m.value(t, frame.knobs)
        if m.company_wide and cut:
            value = ibis.null(value.type())
        values[f"value__{m.slug}"] = value
        for name, formula in m.extras:
            values[f"extra__{m.slug}__{name}"] = formula(t, frame.knobs)
    expr = t.mutate(**values).order_by(keys)
    compiled = (str(ibis.to_sql(expr, dialect="duckdb")), expr.schema().to_pyarrow())
    if len(_FORMULAS) >= _FORMULAS_KEPT:
        _FORMULAS.pop(next(iter(_FORMULAS)))
    _FORMULAS[key] = compiled
    return compiled


_LOCAL = threading.local()


def _local_duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for the formulas, one per thread, kept between requests."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        import duckdb

        con = _LOCAL.con = duckdb.connect()
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
    groups = frame.store.run(account_dims(frame).select(*frame.dims.columns).distinct())
    n, m = cal.num_rows, groups.num_rows
    grid = cal.take(pa.array(np.repeat(np.arange(n), m)))
    tiled = groups.take(pa.array(np.tile(np.arange(m), n)))
    for name in tiled.column_names:
        grid = grid.append_column(name, tiled[name])
    return grid


def _aggregate(frame: Frame, source_name: str, items: list[catalog.Measure]) -> pa.Table | None:
    with backend_support(frame.store, items):
        return _aggregate_on_backend(frame, source_name, items)


@contextlib.contextmanager
def backend_support(store: Store, items: list[catalog.Measure]) -> Iterator[None]:
    """Turn a backend's "cannot compile this" into UnsupportedOperation naming the metrics."""
    import ibis.common.exceptions as com

    try:
        yield
    except (
        com.OperationNotDefinedError,
        com.UnsupportedOperationError,
        com.UnsupportedBackendType,
        com.UnsupportedArgumentError,
    ) as exc:
        names = {m.name for m in items}
        slugs = [m.slug for m in catalog.all_metrics() if names & set(catalog.needed_measures(m))]
        found = re.search(r"'(\w+)'|\bfor (\w+)", str(exc))
        op = next(g for g in found.groups() if g) if found else type(exc).__name__
        raise UnsupportedOperation(
            f"{', '.join(slugs)}: the {store.name} backend does not support the operation "
            f"{op} these metrics need ({exc})"
        ) from exc


def _aggregate_on_backend(
    frame: Frame, source_name: str, items: list[catalog.Measure]
) -> pa.Table | None:
    source = catalog.SOURCES[source_name]
    facts = frame.source(source_name)
    dims = frame.dims
    if source.grouped:
        keys = ["period_key", *dims.columns]
    elif "account_id" not in facts.columns:
        if dims.by or dims.where:
            return None
        keys = ["period_key"]
    else:
        if dims.by or dims.where:
            on = ["account_id", "period_key"] if dims.per_period else ["account_id"]
            facts = facts.join(account_dims(frame), on)
        keys = ["period_key", *dims.columns]
    conditions = [m.where(facts) for m in items if m.where is not None]
    if len(conditions) == len(items):
        # Rows no measure counts are dropped before grouping. The engine can then
        # push the shared part of the conditions (``survey = 'nps'``) into the
        # scan; groups left empty come back from the grid as 0 or no value.
        facts = facts.filter(functools.reduce(operator.or_, conditions))
    agg = facts.group_by(keys).aggregate(**{m.name: m.aggregate(facts) for m in items})
    return frame.store.run(agg)


def _result(m: catalog.Metric, table: pd.DataFrame, frame: Frame) -> MetricResult:
    import pandas as pd

    dims = list(frame.dims.columns)
    components = catalog.needed_measures(m)
    out = pd.DataFrame(
        {
            "period": table["period_start"].dt.date
            if hasattr(table["period_start"], "dt")
            else table["period_start"]
        }
    )
    for d in dims:
        out[d] = table[d].where(table[d] != MISSING, None)
    out["value"] = table[f"value__{m.slug}"]
    for c in components:
        out[c] = table[c]
    for name, _ in m.extras:
        out[name] = table[f"extra__{m.slug}__{name}"]
    out = out.reset_index(drop=True)
    _warn_small_samples(m, out, frame.knobs)
    return MetricResult(
        metric=m,
        rows=out,
        fingerprint=catalog.fingerprint(m, frame.knobs),
        grain=frame.grain,
        dimensions=tuple(dims),
        knobs={k: getattr(frame.knobs, k) for k in catalog.knobs_of(m)},
    )


def _warn_small_samples(m: catalog.Metric, rows: pd.DataFrame, knobs: MetricSettings) -> None:
    sample = m.sample
    if sample is None or knobs.min_survey_responses == 0:
        return
    small = rows[rows["value"].notna() & (rows[sample] < knobs.min_survey_responses)]
    if len(small):
        warnings.warn(
            f"{m.slug}: {len(small)} of {len(rows)} rows rest on fewer than "
            f"{knobs.min_survey_responses} responses (knob min_survey_responses)",
            SmallSampleWarning,
            stacklevel=3,
        )


def parse_where(items: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        if "=" not in item:
            raise UsageError(f"--where {item!r}: expected DIMENSION=VALUE")
        k, v = item.split("=", 1)
        out.append((k.strip(), v.strip()))
    return tuple(out)
