"""How a request is cut: which dimensions its names mean, and whether its filters can match.

A name means, in this order: ``account.X`` the account's X; a dimension of the
rows' own (``ticket.channel``, or an alias such as ``channel``) when every source
the request reads declares it; otherwise an account dimension. A qualified own
dimension some metric of the request cannot be cut by is refused, naming it.

Filters that compare for equality (``=``, ``!=``, ``in``, ``not in``) must name
values that exist: ``segment=enterprise`` when the values are ``Enterprise`` is
refused with the nearest values, rather than answering zeros for every period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tandem.engine.aggregate import by_source
from tandem.errors import UsageError, did_you_mean
from tandem.semantic.dimensions import (
    DERIVED,
    MISSING,
    DimensionSet,
    Filter,
    Op,
    OwnDimension,
    available,
    resolve,
    resolve_name,
)

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

    from tandem.engine.frame import Tables
    from tandem.engine.query import MetricQuery
    from tandem.semantic.catalog import Catalog
    from tandem.semantic.types import Metric

#: Values listed in a refusal, at most.
SHOWN_VALUES = 12
_EQUALITY = (Op.EQ, Op.NE, Op.IN, Op.NOT_IN)


def dimensions(
    store: Tables, catalog: Catalog, metrics: list[Metric], query: MetricQuery
) -> DimensionSet:
    """The request's cuts, resolved and checked."""
    if not query.by and not query.where:
        return DimensionSet()
    sources = [catalog.sources[name] for name in by_source(catalog, metrics)]
    declared = [s.dimensions for s in sources]

    def own(name: str) -> OwnDimension | None:
        if name.startswith("account."):
            return None
        found = [_match(name, ds) for ds in declared]
        if found and all(d is not None for d in found) and len({d.name for d in found if d}) == 1:
            return found[0]
        everywhere = [d for src in catalog.sources.values() for d in src.dimensions]
        qualified = next((d for d in everywhere if name in (d.name, d.output)), None)
        if qualified is not None:
            lacking = [m.slug for m in metrics if not _metric_has(catalog, m, qualified)]
            able = [m.slug for m in catalog if _metric_has(catalog, m, qualified)]
            raise UsageError(
                f"{', '.join(lacking)} cannot be cut by {qualified.name}: only metrics over "
                f"{qualified.table} can ({', '.join(able)})"
            )
        return None

    account_by: list[str] = []
    own_by: list[OwnDimension] = []
    for name in query.by:
        d = own(name)
        if d is None:
            account_by.append(name.removeprefix("account."))
        elif d not in own_by:
            own_by.append(d)
    account_where: list[Filter] = []
    own_where: list[tuple[OwnDimension, Filter]] = []
    for flt in query.where:
        d = own(flt.dimension)
        if d is None:
            name = flt.dimension.removeprefix("account.")
            account_where.append(dataclasses.replace(flt, dimension=name))
        else:
            own_where.append((d, flt))
    columns = list(store.table("accounts").columns)
    for name in [*account_by, *(f.dimension for f in account_where)]:
        try:
            resolve_name(name, columns)
        except UsageError:
            choices = [*available(columns), *_own_names(declared)]
            raise UsageError(
                f"unknown dimension {name!r}{did_you_mean(name, choices)}; available: "
                f"{', '.join(choices)}"
            ) from None
    dims = resolve(account_by, account_where, columns)
    dims = dataclasses.replace(dims, own=tuple(own_by), own_where=tuple(own_where))
    _check_values(store, dims)
    return dims


def _match(name: str, declared: Iterable[OwnDimension]) -> OwnDimension | None:
    return next((d for d in declared if name in (d.name, d.output, *d.aliases)), None)


def _metric_has(catalog: Catalog, m: Metric, d: OwnDimension) -> bool:
    return all(d in catalog.sources[s].dimensions for s in by_source(catalog, [m]))


def _own_names(declared: list[tuple[OwnDimension, ...]]) -> list[str]:
    if not declared:
        return []
    common = set(declared[0]).intersection(*declared[1:])
    return sorted(d.name for d in common)


# -- values --------------------------------------------------------------------------


def own_values(store: Tables, d: OwnDimension) -> ibis.Table:
    """The distinct values of an own dimension (missing as MISSING), with names for people."""
    t = store.table(d.table)
    values = t.select(**{d.output: t[d.column].cast("string").fill_null(MISSING)}).distinct()
    if not d.person:
        return values
    label = d.label
    assert label is not None
    people = store.table("team_members")
    named = people.select(**{f"{d.output}__member": people.member_id, label: people.name})
    joined = values.left_join(named, values[d.output] == named[f"{d.output}__member"])
    return joined.select(d.output, label)


def _check_values(store: Tables, dims: DimensionSet) -> None:
    checks: list[tuple[str, Filter, ibis.Table]] = []
    for flt in dims.where:
        if flt.op in _EQUALITY and flt.dimension not in DERIVED:
            accounts = store.table("accounts")
            column = accounts[flt.dimension].cast("string")
            checks.append((flt.dimension, flt, accounts.select(v=column).distinct()))
    for d, flt in dims.own_where:
        if flt.op in _EQUALITY:
            t = store.table(d.table)
            checks.append((d.name, flt, t.select(v=t[d.column].cast("string")).distinct()))
    for name, flt, values in checks:
        known = _strings(store.run(values))
        for value in flt.values:
            if value not in known:
                raise UsageError(_unknown(name, value, known))


def _unknown(name: str, value: str, known: set[str]) -> str:
    if not known:
        return f"no {name} {value!r}: the workspace has no {name} values"
    same = [k for k in sorted(known) if k.casefold() == value.casefold()]
    hint = f"; did you mean {same[0]!r}?" if same else did_you_mean(value, sorted(known))
    shown = sorted(known)[:SHOWN_VALUES]
    more = " …" if len(known) > SHOWN_VALUES else ""
    return f"no {name} {value!r}{hint} (its values: {', '.join(shown)}{more})"


def _strings(table: pa.Table) -> set[str]:
    return {v for v in table.column(0).to_pylist() if v is not None}
