"""One source's aggregate query: its rows grouped by period (and dimension), every measure
a request needs from it in one pass."""

from __future__ import annotations

import contextlib
import functools
import operator
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tandem.errors import UnsupportedOperation
from tandem.semantic.dimensions import MISSING, account_dims

if TYPE_CHECKING:
    import ibis

    from tandem.engine.frame import Frame
    from tandem.semantic.catalog import Catalog
    from tandem.semantic.types import Measure, Metric


def by_source(catalog: Catalog, metrics: list[Metric]) -> dict[str, list[Measure]]:
    """The measures the metrics need, grouped by the source they aggregate."""
    out: dict[str, list[Measure]] = {}
    for m in metrics:
        for name in catalog.needed_measures(m):
            measure = catalog.measures[name]
            items = out.setdefault(measure.source, [])
            if measure not in items:
                items.append(measure)
    return out


def own_columns(frame: Frame, facts: ibis.Table) -> ibis.Table:
    """The source's rows filtered by, and with the columns of, the own dimensions cut by."""
    dims = frame.dims
    for d, flt in dims.own_where:
        facts = facts.filter(flt.condition(facts[d.column]))
    for d in dims.own:
        facts = facts.mutate(**{d.output: facts[d.column].cast("string").fill_null(MISSING)})
        if d.label is not None:
            people = frame.table("team_members")
            named = people.select(**{f"{d.output}__member": people.member_id, d.label: people.name})
            facts = facts.left_join(named, facts[d.output] == named[f"{d.output}__member"]).drop(
                f"{d.output}__member"
            )
    return facts


@contextlib.contextmanager
def backend_support(backend: str, catalog: Catalog, items: list[Measure]) -> Iterator[None]:
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
        slugs = catalog.users_of(m.name for m in items)
        found = re.search(r"'(\w+)'|\bfor (\w+)", str(exc))
        op = next(g for g in found.groups() if g) if found else type(exc).__name__
        raise UnsupportedOperation(
            f"{', '.join(slugs)}: the {backend} backend does not support the operation "
            f"{op} these metrics need ({exc})"
        ) from exc


def aggregate_expr(frame: Frame, source_name: str, items: list[Measure]) -> ibis.Table | None:
    """The query aggregating ``items`` of one source by period (and dimension);
    None when a source without accounts is cut by a dimension."""
    source = frame.catalog.sources[source_name]
    facts = frame.source(source_name)
    dims = frame.dims
    if source.grouped:
        keys = ["period_key", *dims.columns]
    elif "account_id" not in facts.columns:
        if dims.cut:
            return None
        keys = ["period_key"]
    else:
        if dims.by or dims.where:
            on = ["account_id", "period_key"] if dims.per_period else ["account_id"]
            facts = facts.join(account_dims(frame), on)
        facts = own_columns(frame, facts)
        keys = ["period_key", *dims.columns]
    conditions = [m.where(facts) for m in items if m.where is not None]
    if len(conditions) == len(items):
        # Rows no measure counts are dropped before grouping. The engine can then
        # push the shared part of the conditions (``survey = 'nps'``) into the
        # scan; groups left empty come back from the grid as 0 or no value.
        facts = facts.filter(functools.reduce(operator.or_, conditions))
    return facts.group_by(keys).aggregate(**{m.name: m.aggregate(facts) for m in items})
