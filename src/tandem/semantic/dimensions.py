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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tandem.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    import ibis

    from tandem.engine.frame import Frame

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


@dataclass(frozen=True)
class DimensionSet:
    by: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Grouping columns in output order: each dimension, then its label if any."""
        out: list[str] = []
        for d in self.by:
            out.append(d)
            if d in LABELS:
                out.append(LABELS[d])
        return tuple(out)

    @property
    def needed(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.by, *(k for k, _ in self.where)]))

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


def resolve(
    by: tuple[str, ...] | list[str], where: dict[str, str] | None, account_columns: list[str]
) -> DimensionSet:
    names = tuple(dict.fromkeys(resolve_name(b, account_columns) for b in by))
    conds = tuple((resolve_name(k, account_columns), str(v)) for k, v in (where or {}).items())
    return DimensionSet(names, conds)


def account_dims(f: Frame) -> ibis.Table:
    """One row per account (and period, when cutting by plan) with its dimension values."""
    return f.cached("account_dims", lambda: _account_dims(f))


def _account_dims(f: Frame) -> ibis.Table:

    dims = f.dims
    accounts = f.table("accounts")
    static = [d for d in dims.needed if d not in DERIVED]
    t = accounts.select("account_id", *[accounts[d].cast("string").name(d) for d in static])
    if "cohort" in dims.needed:
        t = _with_cohort(f, t)
    for dim, label in LABELS.items():
        if dim in dims.by:
            people = f.table("team_members").select(member_id="member_id", person="name")
            t = t.left_join(people, t[dim] == people.member_id).select(
                *t.columns, **{label: people.person}
            )
    if dims.per_period:
        t = _with_plan(f, t)
    t = t.mutate(**{c: t[c].fill_null(MISSING) for c in dims.columns if c in t.columns})
    for key, value in dims.where:
        t = t.filter(t[key] == value)
    keep = ["account_id", *(["period_key"] if dims.per_period else []), *dims.columns]
    return t.select(*keep)


def _with_cohort(f: Frame, t: ibis.Table) -> ibis.Table:
    s = f.table("subscriptions")
    first = s.filter(s.mrr > 0).group_by("account_id").aggregate(first=s.valid_from.min())
    label = (
        first.first.year().cast("string") + "-" + first.first.month().cast("string").lpad(2, "0")
    )
    first = first.select("account_id", cohort=label)
    return t.left_join(first, "account_id").select(*t.columns, "cohort")


def _with_plan(f: Frame, t: ibis.Table) -> ibis.Table:
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
