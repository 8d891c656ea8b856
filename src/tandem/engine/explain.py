"""Explaining a number: the rows behind each component, and the SQL that counts them.

For a metric and one period, every source its measures read is listed row by
row, with one column per measure: for a count, whether the row is counted
(True/False); for a sum, mean or median, the value it contributes (empty when
it does not). Only rows that count toward at least one measure are listed.
For customer churn that is: the customers on the opening day, and which of
them left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tandem.engine.aggregate import backend_support, by_source
from tandem.engine.compute import compute
from tandem.engine.cuts import dimensions
from tandem.engine.frame import Frame
from tandem.engine.query import MetricQuery, MetricResult
from tandem.semantic.binding import binding
from tandem.semantic.binding import shown as sql_shown
from tandem.semantic.calendar import Grain, Period, period_containing
from tandem.semantic.dimensions import Filter, account_dims
from tandem.semantic.types import Agg, Measure, Metric, Source

#: Key columns every listing keeps.
_KEYS = ("period_key", "month_key")

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from tandem.engine.frame import Tables
    from tandem.engine.memo import Memo
    from tandem.semantic.catalog import Catalog
    from tandem.settings import MetricSettings


@dataclass(frozen=True)
class SourceRows:
    source: str
    description: str
    measures: tuple[str, ...]
    rows: pd.DataFrame
    total: int
    sql: str


@dataclass(frozen=True)
class Explanation:
    metric: Metric
    period: Period
    result: MetricResult
    sources: tuple[SourceRows, ...]


def explain(
    store: Tables,
    catalog: Catalog,
    knobs: MetricSettings,
    slug: str,
    day: dt.date,
    *,
    grain: Grain = Grain.MONTH,
    where: tuple[Filter, ...] = (),
    limit: int | None = None,
    today: dt.date,
    memo: Memo | None = None,
) -> Explanation:
    m = catalog.get(slug)
    p = period_containing(day, grain)
    query = MetricQuery((slug,), grain, p.start, p.end, (), where)
    result = compute(store, catalog, knobs, query, today=today, memo=memo)[slug]
    # Not materialised: the SQL shown must read the workspace's own tables.
    with binding(getattr(store, "binds_parameters", False)):
        dims = dimensions(store, catalog, [m], query)
        frame = Frame(store, catalog, knobs, grain, [p], dims, materialize=False, memo=memo)
        try:
            parts = []
            for name, items in by_source(catalog, [m]).items():
                with backend_support(store.name, catalog, items):
                    parts.append(_rows(frame, name, items, limit))
        finally:
            frame.close()
    return Explanation(m, p, result, tuple(parts))


def _rows(frame: Frame, source_name: str, items: list[Measure], limit: int | None) -> SourceRows:
    import ibis

    source = frame.catalog.sources[source_name]
    facts = frame.source(source_name)
    if frame.dims.where and "account_id" in facts.columns and not source.grouped:
        on = ["account_id", "period_key"] if frame.dims.per_period else ["account_id"]
        facts = facts.semi_join(account_dims(frame), on)
    for d, flt in frame.dims.own_where:
        facts = facts.filter(flt.condition(facts[d.column]))
    flags = {m.name: _contribution(m, facts) for m in items}
    keep = _columns_to_show(source, facts, items)
    shown = facts.select(*keep, **flags)
    counted = ibis.or_(*[_counts(m, shown) for m in items])
    shown = shown.filter(counted)
    if "account_id" in shown.columns:
        accounts = frame.table("accounts").select("account_id", account_name="name")
        shown = shown.left_join(accounts, "account_id").select(shown, accounts.account_name)
        shown = shown.relocate("account_name", after="account_id")
    shown = shown.drop(*[c for c in ("period_key",) if c in shown.columns])
    # The rows behind the first component (the numerator: who left, who was
    # detractor, the biggest contributors) come first, then by account.
    first = ibis.desc(shown[items[0].name])
    order = [first, *(c for c in ("account_id", "month_key") if c in shown.columns)]
    shown = shown.order_by(order)
    store = frame.store
    total = int(store.run(shown.count().as_table()).column(0)[0].as_py())
    rows = _dates(store.run(shown.limit(limit) if limit else shown).to_pandas())
    agg = facts.group_by("period_key").aggregate(**{m.name: m.aggregate(facts) for m in items})
    sql = sql_shown(str(ibis.to_sql(agg, dialect=frame.store.name)))
    return SourceRows(
        source_name, source.description, tuple(m.name for m in items), rows, total, sql
    )


def _columns_to_show(source: Source, facts: ibis.Table, items: list[Measure]) -> list[str]:
    """Ids, dates that place the row, the source's context columns and what measures read."""
    import ibis.expr.operations as ops

    here = facts.op()
    read: set[str] = set()
    for m in items:
        for fn in (m.expr, m.where):
            if fn is not None:
                read |= {f.name for f in fn(facts).op().find(ops.Field) if f.rel == here}
    measured = {m.name for m in items}
    return [
        c
        for c in facts.columns
        if c not in measured
        and (
            c.endswith("_id") or c in read or c in source.shown or c in ("period_key", "month_key")
        )
    ]


def _dates(rows: pd.DataFrame) -> pd.DataFrame:
    """Day numbers (columns ending in ``_day``) shown as dates."""
    from tandem.semantic.calendar import FOREVER, from_day_number

    for col in [c for c in rows.columns if c.endswith("_day")]:
        rows[col] = [
            None if v is None or v != v or v >= FOREVER else from_day_number(int(v))
            for v in rows[col]
        ]
    return rows


def _contribution(m: Measure, t: ibis.Table) -> ibis.Value:
    import ibis

    cond = m.where(t) if m.where is not None else ibis.literal(True)
    if m.agg is Agg.COUNT:
        return cond.fill_null(False)
    assert m.expr is not None
    return ibis.ifelse(cond.fill_null(False), m.expr(t), ibis.null())


def _counts(m: Measure, t: ibis.Table) -> ibis.BooleanValue:
    col = t[m.name]
    if m.agg is Agg.COUNT:
        return col
    return col.notnull()
