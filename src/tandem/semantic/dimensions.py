"""Dimensions: the account attributes a metric can be cut by.

Any column of ``accounts`` is a dimension (extra columns a user loaded too),
plus two derived ones:

- ``cohort``: the month of the account's first paid day, ``YYYY-MM``;
- ``plan``: the plan of the account's latest subscription row starting on or
  before the period's last day (so a churned account keeps the plan it left
  from, and each account has exactly one plan per period).

``csm`` and ``sales_rep`` are aliases of ``csm_id`` and ``sales_rep_id``; cutting
by either adds the person's name beside the id. A missing value is its own
group, shown empty. Every account falls in exactly one group per period, so a
count summed over a dimension's values equals the overall count.

A source may also declare columns of its own rows as dimensions
(``OwnDimension``): a ticket's channel and priority, a survey's touchpoint, a
deal's owner and type. They are named with their kind (``ticket.channel``) and
answer to short aliases for the metrics over that source, so ``--by channel``
on first contact resolution means the ticket's channel; ``account.channel``
always means the account's acquisition channel.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tandem.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

    from tandem.semantic.types import Facts

ALIASES = {
    "csm": "csm_id",
    "sales_rep": "sales_rep_id",
    "rep": "sales_rep_id",
    "channel": "acquisition_channel",
}
LABELS = {"csm_id": "csm_name", "sales_rep_id": "sales_rep_name"}
DERIVED = ("cohort", "plan")
#: Stands for a missing dimension value inside computations (equality joins
#: cannot match NULLs); results show it as empty.
MISSING = "\u2205"
NOT_DIMENSIONS = ("account_id", "name", "created_at")


class Op(enum.StrEnum):
    """How a filter compares a dimension with its values."""

    EQ = "="
    NE = "!="
    IN = "in"
    NOT_IN = "not in"
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


@dataclass(frozen=True)
class Filter:
    """``dimension op values``: one value, or several for ``in`` and ``not in``."""

    dimension: str
    op: Op
    values: tuple[str, ...]

    @classmethod
    def equals(cls, dimension: str, value: str) -> Filter:
        return cls(dimension, Op.EQ, (value,))

    def __str__(self) -> str:
        if self.op in (Op.IN, Op.NOT_IN):
            return f"{self.dimension} {self.op.value} ({', '.join(self.values)})"
        return f"{self.dimension}{self.op.value}{self.values[0]}"

    def condition(self, column: ir.Value) -> ir.BooleanValue:
        """The filter on ``column``; values are typed literals of the column's type (bound
        parameters on a store that binds them: ``tandem.semantic.binding``)."""
        import ibis

        from tandem.semantic.binding import value_text

        values = [ibis.literal(value_text(v)).cast(column.type()) for v in self.values]
        match self.op:
            case Op.EQ:
                return column == values[0]
            case Op.NE:
                return (column != values[0]) | column.isnull()
            case Op.IN:
                return column.isin(values)
            case Op.NOT_IN:
                return column.notin(values) | column.isnull()
            case Op.LT:
                return column < values[0]
            case Op.LE:
                return column <= values[0]
            case Op.GT:
                return column > values[0]
            case Op.GE:
                return column >= values[0]


@dataclass(frozen=True)
class OwnDimension:
    """A column of a source's own rows that the metrics over it can be cut by."""

    #: Qualified by the kind of row: ``ticket.channel``.
    name: str
    #: The stored table and column the values come from.
    table: str
    column: str
    description: str
    #: Short names that mean this dimension for metrics over the source.
    aliases: tuple[str, ...] = ()
    #: The values are team member ids: the person's name is shown beside them.
    person: bool = False

    @property
    def output(self) -> str:
        """The result column: ``ticket_channel``."""
        return self.name.replace(".", "_")

    @property
    def label(self) -> str | None:
        return f"{self.output}_name" if self.person else None

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.output, self.label) if self.label else (self.output,)


@dataclass(frozen=True)
class DimensionSet:
    by: tuple[str, ...] = ()
    where: tuple[Filter, ...] = ()
    #: Dimensions of the sources' own rows, and filters on them.
    own: tuple[OwnDimension, ...] = ()
    own_where: tuple[tuple[OwnDimension, Filter], ...] = ()

    @property
    def account_columns(self) -> tuple[str, ...]:
        """Account grouping columns in output order: each dimension, then its label."""
        out: list[str] = []
        for d in self.by:
            out.append(d)
            if d in LABELS:
                out.append(LABELS[d])
        return tuple(out)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every grouping column: the account's, then the rows' own."""
        return (*self.account_columns, *(c for d in self.own for c in d.columns))

    @property
    def cut(self) -> bool:
        """Whether the request is cut or filtered by anything."""
        return bool(self.by or self.where or self.own or self.own_where)

    @property
    def needed(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.by, *(f.dimension for f in self.where)]))

    @property
    def per_period(self) -> bool:
        return "plan" in self.needed


def available(account_columns: list[str]) -> list[str]:
    cols = [c for c in account_columns if c not in NOT_DIMENSIONS]
    return [*cols, *DERIVED, *ALIASES]


def resolve_name(name: str, account_columns: list[str]) -> str:
    resolved = ALIASES.get(name, name)
    if resolved in DERIVED or (resolved in account_columns and resolved not in NOT_DIMENSIONS):
        return resolved
    choices = available(account_columns)
    raise UsageError(
        f"unknown dimension {name!r}{did_you_mean(name, choices)}; available: {', '.join(choices)}"
    )


def resolve(by: Iterable[str], where: Iterable[Filter], account_columns: list[str]) -> DimensionSet:
    names = tuple(dict.fromkeys(resolve_name(b, account_columns) for b in by))
    conds = tuple(Filter(resolve_name(f.dimension, account_columns), f.op, f.values) for f in where)
    return DimensionSet(names, conds)


def account_dims(f: Facts) -> ibis.Table:
    """One row per account (and period, when cutting by plan) with its dimension values."""
    return f.cached("account_dims", lambda: _account_dims(f))


def _account_dims(f: Facts) -> ibis.Table:
    dims = f.dims
    accounts = f.table("accounts")
    # Filters on stored columns compare in the column's own type (numbers, dates).
    for flt in dims.where:
        if flt.dimension not in DERIVED:
            accounts = accounts.filter(flt.condition(accounts[flt.dimension]))
    static = [d for d in dims.needed if d not in DERIVED]
    t = accounts.select("account_id", *[accounts[d].cast("string").name(d) for d in static])
    if "cohort" in dims.needed:
        t = _with_cohort(f, t)
    for dim, label in LABELS.items():
        if dim in dims.by:
            people = f.table("team_members")
            named = people.select(**{f"{label}__member": people.member_id, label: people.name})
            t = t.left_join(named, t[dim] == named[f"{label}__member"]).select(*t.columns, label)
    if dims.per_period:
        t = _with_plan(f, t)
    for flt in dims.where:
        if flt.dimension in DERIVED:
            t = t.filter(flt.condition(t[flt.dimension]))
    cols = dims.account_columns
    t = t.mutate(**{c: t[c].fill_null(MISSING) for c in cols if c in t.columns})
    keep = ["account_id", *(["period_key"] if dims.per_period else []), *cols]
    return t.select(*keep)


def _with_cohort(f: Facts, t: ibis.Table) -> ibis.Table:
    s = f.table("subscriptions")
    first = s.filter(s.mrr > 0).group_by("account_id").aggregate(first=s.valid_from.min())
    label = (
        first.first.year().cast("string") + "-" + first.first.month().cast("string").lpad(2, "0")
    )
    first = first.select("account_id", cohort=label)
    return t.left_join(first, "account_id").select(*t.columns, "cohort")


def _with_plan(f: Facts, t: ibis.Table) -> ibis.Table:
    import ibis

    from tandem.semantic.coverage import subscription_days

    rows = subscription_days(f)
    cal = f.calendar
    started = rows.join(cal, rows.vf <= cal.end_day).select(
        rows.account_id, rows.plan, rows.mrr, rows.vf, cal.period_key
    )
    latest = ibis.window(
        group_by=[started.account_id, started.period_key],
        order_by=[started.vf.desc(), started.mrr.desc(), started.plan.desc()],
    )
    ranked = started.mutate(rank=ibis.row_number().over(latest))
    plans = ranked.filter(ranked.rank == 0).select("account_id", "period_key", "plan")
    grid = t.cross_join(cal.select("period_key"))
    return grid.left_join(plans, ["account_id", "period_key"]).select(
        *grid.columns, plan=plans.plan.cast("string")
    )
