"""Fingerprints from the logic: hashes of the SQL that actually computes a number.

A metric's fingerprint hashes, for the backend it runs on, the compiled SQL of
every source query it needs (with only its own measures) and of its formula
step, the knob values it is computed with and the package version. Change the
condition that defines a promoter and the SQL of every metric counting
promoters changes, and so does its fingerprint; metrics that do not read that
measure keep theirs. The result cache keys each source's aggregates the same
way (``source_key``), so it can never serve a number computed by other logic.

The SQL is compiled over a *blueprint*: unbound tables shaped like the
workspace's, and fixed probe periods, so it reads no data and does not depend
on the request's range. Compiling costs milliseconds; results are kept in
small locked LRU caches keyed by the definitions' identity (a catalog's token
and the declaration objects), never by their names alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING

from cachetools import LRUCache

from tandem.engine.frame import Frame
from tandem.semantic.calendar import Grain, Period, key_of, period

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

    from tandem.semantic.catalog import Catalog
    from tandem.semantic.dimensions import DimensionSet
    from tandem.semantic.types import Measure, Metric
    from tandem.settings import MetricSettings

#: The periods every probe is compiled over.
PROBE_START = dt.date(2001, 1, 1)
_MEMTABLE = re.compile(r"ibis_\w*?memtable_[a-z0-9]+")
_LOCK = threading.RLock()
_KEPT: LRUCache[Hashable, str] = LRUCache(maxsize=4096)
_FORMULAS: LRUCache[Hashable, tuple[str, pa.Schema]] = LRUCache(maxsize=256)


class Blueprint:
    """Unbound tables with a store's schemas: SQL can be compiled, nothing can run."""

    def __init__(self, dialect: str, schemas: Mapping[str, ibis.Schema]) -> None:
        self.name = dialect
        self.schemas = schemas

    def table(self, name: str) -> ibis.Table:
        import ibis

        return ibis.table(self.schemas[name], name=name)

    def supports(self, operation: type) -> bool:
        import ibis

        return bool(getattr(ibis, self.name).has_operation(operation))

    def cache(self, expr: ibis.Table) -> ibis.Table:
        raise NotImplementedError("a blueprint holds no data")

    def run(self, expr: ibis.Table) -> pa.Table:
        raise NotImplementedError("a blueprint holds no data")

    def extent(self) -> tuple[dt.date, dt.date] | None:
        return None


def canonical_schemas() -> dict[str, ibis.Schema]:
    """The canonical tables' schemas (``tandem.schema``), as Ibis schemas."""
    from tandem.schema import TABLES
    from tandem.store.types import ibis_schema

    return {t.name: ibis_schema(t) for t in TABLES}


def probe_periods(grain: Grain) -> list[Period]:
    if grain is Grain.SPAN:
        return [Period(0, PROBE_START, PROBE_START + dt.timedelta(days=364))]
    first = key_of(PROBE_START, grain)
    return [period(k, grain) for k in range(first, first + 3)]


def _sql(expr: ibis.Table, dialect: str) -> str:
    import ibis

    return _MEMTABLE.sub("memtable", str(ibis.to_sql(expr, dialect=dialect)))


def source_sql(
    blueprint: Blueprint,
    catalog: Catalog,
    knobs: MetricSettings,
    grain: Grain,
    dims: DimensionSet,
    source: str,
    items: list[Measure],
) -> str:
    """The SQL aggregating ``items`` of ``source`` over the blueprint's probe periods."""
    from tandem.engine.compute import aggregate_expr

    frame = Frame(blueprint, catalog, knobs, grain, probe_periods(grain), dims, materialize=False)
    expr = aggregate_expr(frame, source, items)
    return "" if expr is None else _sql(expr, blueprint.name)


def _digest(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def metric_fingerprint(catalog: Catalog, m: Metric, knobs: MetricSettings, dialect: str) -> str:
    """A short hash of the SQL computing ``m`` on ``dialect``, its knobs and the version.

    The SQL is taken in parts that can be shared between metrics: each source's
    relation (its rows, placed in probe periods) once, and each measure's
    aggregate over that relation's columns; a metric hashes the parts it reads
    and its formula step.
    """
    from tandem import __version__
    from tandem.engine.compute import by_source

    key = ("metric", catalog.token, m, knobs.model_dump_json(), dialect)
    with _LOCK:
        hit = _KEPT.get(key)
    if hit is not None:
        return hit
    sources = by_source(catalog, [m])
    payload = {
        "version": __version__,
        "dialect": dialect,
        "sources": {name: _relation_sql(catalog, knobs, dialect, name) for name in sources},
        "measures": {
            measure.name: _measure_sql(catalog, knobs, dialect, measure)
            for items in sources.values()
            for measure in items
        },
        "formula": _formula_text(catalog, m, knobs, sources),
        "knobs": {k: getattr(knobs, k) for k in catalog.knobs_of(m)},
    }
    digest = _digest(payload)[:10]
    with _LOCK:
        _KEPT[key] = digest
    return digest


_PROBES: LRUCache[Hashable, Frame] = LRUCache(maxsize=16)


def _probe_relation(
    catalog: Catalog, knobs: MetricSettings, dialect: str, source: str
) -> ibis.Table:
    """A source's rows over the probe periods, built on a blueprint kept per definitions."""
    from tandem.semantic.dimensions import DimensionSet

    key = (catalog.token, knobs.model_dump_json(), dialect)
    with _LOCK:
        frame = _PROBES.get(key)
        if frame is None:
            blueprint = Blueprint(dialect, canonical_schemas())
            frame = Frame(
                blueprint,
                catalog,
                knobs,
                Grain.MONTH,
                probe_periods(Grain.MONTH),
                DimensionSet(),
                materialize=False,
            )
            _PROBES[key] = frame
        return frame.source(source)


def _relation_sql(catalog: Catalog, knobs: MetricSettings, dialect: str, source: str) -> str:
    """The SQL of a source's rows over the probe periods."""
    key = ("relation", catalog.token, source, knobs.model_dump_json(), dialect)
    with _LOCK:
        hit = _KEPT.get(key)
    if hit is None:
        hit = _sql(_probe_relation(catalog, knobs, dialect, source), dialect)
        with _LOCK:
            _KEPT[key] = hit
    return hit


def _measure_sql(catalog: Catalog, knobs: MetricSettings, dialect: str, measure: Measure) -> str:
    """The SQL of one measure's aggregate over a table shaped like its source's rows."""
    import ibis

    key = ("measure", catalog.token, measure, knobs.model_dump_json(), dialect)
    with _LOCK:
        hit = _KEPT.get(key)
    if hit is None:
        relation = _probe_relation(catalog, knobs, dialect, measure.source)
        facts = ibis.table(relation.schema(), name="facts")
        expr = facts.aggregate(**{measure.name: measure.aggregate(facts)})
        hit = _sql(expr, dialect)
        with _LOCK:
            _KEPT[key] = hit
    return hit


def source_key(
    store_id: str,
    blueprint: Blueprint,
    catalog: Catalog,
    knobs: MetricSettings,
    grain: Grain,
    dims: DimensionSet,
    source: str,
    items: list[Measure],
) -> str:
    """The result cache's key for one source's aggregates: its SQL on this store's schemas."""
    from tandem import __version__

    schemas = tuple(sorted((n, str(s)) for n, s in blueprint.schemas.items()))
    key = (
        "source",
        catalog.token,
        store_id,
        blueprint.name,
        schemas,
        knobs.model_dump_json(),
        grain,
        dims,
        source,
        tuple(items),
    )
    with _LOCK:
        hit = _KEPT.get(key)
    if hit is not None:
        return hit
    payload = {
        "version": __version__,
        "workspace": store_id,
        "dialect": blueprint.name,
        "grain": grain.value,
        "sql": source_sql(blueprint, catalog, knobs, grain, dims, source, items),
        "measures": sorted(m.name for m in items),
    }
    digest = _digest(payload)[:24]
    with _LOCK:
        _KEPT[key] = digest
    return digest


def _formula_text(
    catalog: Catalog, m: Metric, knobs: MetricSettings, sources: dict[str, list[Measure]]
) -> str:
    import pyarrow as pa

    columns = [("period_key", pa.int64())] + [
        (measure.name, pa.float64()) for items in sources.values() for measure in items
    ]
    sql, _ = formula_sql(catalog, [m], knobs, pa.schema(columns), ["period_key"], False, "wide")
    return sql


def formula_sql(
    catalog: Catalog,
    metrics: list[Metric],
    knobs: MetricSettings,
    wide: pa.Schema,
    keys: list[str],
    cut: bool,
    name: str,
) -> tuple[str, pa.Schema]:
    """The SQL (DuckDB) of the formula projection over a table ``name`` shaped like
    ``wide``, and its result schema; compiled once per metrics, knobs and columns."""
    import ibis

    key = (catalog.token, tuple(metrics), wide, knobs.model_dump_json(), cut, tuple(keys), name)
    with _LOCK:
        hit = _FORMULAS.get(key)
    if hit is not None:
        return hit
    t = ibis.table(ibis.Schema.from_pyarrow(wide), name=name)
    values = {}
    for m in metrics:
        value = catalog.value(m, t, knobs)
        if m.company_wide and cut:
            value = ibis.null(value.type())
        values[f"value__{m.slug}"] = value
        for extra, formula in catalog.extras(m, t, knobs):
            values[f"extra__{m.slug}__{extra}"] = formula
    expr = t.mutate(**values).order_by(keys)
    compiled = (str(ibis.to_sql(expr, dialect="duckdb")), expr.schema().to_pyarrow())
    with _LOCK:
        _FORMULAS[key] = compiled
    return compiled
