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
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tandem.engine.aggregate import aggregate_expr, by_source
from tandem.engine.frame import Frame
from tandem.engine.memo import Memo
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

    def release(self, expr: ibis.Table) -> None:
        pass

    def constant(self, name: str, data: pa.Table) -> ibis.Table:
        import ibis

        return ibis.table(ibis.Schema.from_pyarrow(data.schema), name=name)

    def forget(self, table: ibis.Table) -> None:
        pass

    def run(self, expr: ibis.Table) -> pa.Table:
        raise NotImplementedError("a blueprint holds no data")

    def extent(self) -> tuple[dt.date, dt.date] | None:
        return None

    def empty_tables(self) -> frozenset[str]:
        return frozenset()


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
    frame = Frame(blueprint, catalog, knobs, grain, probe_periods(grain), dims, materialize=False)
    expr = aggregate_expr(frame, source, items)
    return "" if expr is None else _sql(expr, blueprint.name)


def _digest(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def metric_fingerprint(
    memo: Memo, catalog: Catalog, m: Metric, knobs: MetricSettings, dialect: str
) -> str:
    """A short hash of the SQL computing ``m`` on ``dialect``, its knobs and the version.

    The SQL is taken in parts that can be shared between metrics: each source's
    relation (its rows, placed in probe periods) once, and each measure's
    aggregate over that relation's columns; a metric hashes the parts it reads
    and its formula step.
    """
    from tandem.version import __version__

    def make() -> str:
        sources = by_source(catalog, [m])
        payload = {
            "version": __version__,
            "dialect": dialect,
            "sources": {
                name: _relation_sql(memo, catalog, knobs, dialect, name) for name in sources
            },
            "measures": {
                measure.name: _measure_sql(memo, catalog, knobs, dialect, measure)
                for items in sources.values()
                for measure in items
            },
            "formula": _formula_text(memo, catalog, m, knobs, sources),
            "knobs": {k: getattr(knobs, k) for k in catalog.knobs_of(m)},
        }
        return _digest(payload)[:10]

    return memo.get(("metric", catalog.token, m, knobs.model_dump_json(), dialect), make)


def _probe_frame(memo: Memo, catalog: Catalog, knobs: MetricSettings, dialect: str) -> Frame:
    """A frame over the probe periods on a blueprint, kept per definitions and knobs
    (it builds each source once)."""
    from tandem.semantic.dimensions import DimensionSet

    def make() -> Frame:
        return Frame(
            Blueprint(dialect, canonical_schemas()),
            catalog,
            knobs,
            Grain.MONTH,
            probe_periods(Grain.MONTH),
            DimensionSet(),
            materialize=False,
        )

    return memo.get(("probe", catalog.token, knobs.model_dump_json(), dialect), make)


def tables_read(
    memo: Memo, catalog: Catalog, m: Metric, knobs: MetricSettings, dialect: str
) -> frozenset[str]:
    """The workspace tables a metric's sources read."""
    import ibis.expr.operations as ops

    def make() -> frozenset[str]:
        frame = _probe_frame(memo, catalog, knobs, dialect)
        names: set[str] = set()
        for source in by_source(catalog, [m]):
            names |= {t.name for t in frame.source(source).op().find(ops.UnboundTable)}
        return frozenset(names & set(canonical_schemas()))

    return memo.get(("reads", catalog.token, m, knobs.model_dump_json(), dialect), make)


def _relation_sql(
    memo: Memo, catalog: Catalog, knobs: MetricSettings, dialect: str, source: str
) -> str:
    """The SQL of a source's rows over the probe periods."""

    def make() -> str:
        return _sql(_probe_frame(memo, catalog, knobs, dialect).source(source), dialect)

    return memo.get(("relation", catalog.token, source, knobs.model_dump_json(), dialect), make)


def _measure_sql(
    memo: Memo, catalog: Catalog, knobs: MetricSettings, dialect: str, measure: Measure
) -> str:
    """The SQL of one measure's aggregate over a table shaped like its source's rows."""
    import ibis

    def make() -> str:
        relation = _probe_frame(memo, catalog, knobs, dialect).source(measure.source)
        facts = ibis.table(relation.schema(), name="facts")
        return _sql(facts.aggregate(**{measure.name: measure.aggregate(facts)}), dialect)

    return memo.get(("measure", catalog.token, measure, knobs.model_dump_json(), dialect), make)


def source_key(
    memo: Memo,
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
    from tandem.version import __version__

    def make() -> str:
        payload = {
            "version": __version__,
            "workspace": store_id,
            "dialect": blueprint.name,
            "grain": grain.value,
            "sql": source_sql(blueprint, catalog, knobs, grain, dims, source, items),
            "measures": sorted(m.name for m in items),
        }
        return _digest(payload)[:24]

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
    return memo.get(key, make)


def _formula_text(
    memo: Memo,
    catalog: Catalog,
    m: Metric,
    knobs: MetricSettings,
    sources: dict[str, list[Measure]],
) -> str:
    import pyarrow as pa

    columns = [("period_key", pa.int64())] + [
        (measure.name, pa.float64()) for items in sources.values() for measure in items
    ]
    sql, _ = formula_sql(
        memo, catalog, [m], knobs, pa.schema(columns), ["period_key"], False, "wide"
    )
    return sql


def formula_sql(
    memo: Memo,
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

    def make() -> tuple[str, pa.Schema]:
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
        return str(ibis.to_sql(expr, dialect="duckdb")), expr.schema().to_pyarrow()

    key = ("formula", catalog.token, tuple(metrics), wide, knobs.model_dump_json(), cut)
    return memo.get((*key, tuple(keys), name), make)
