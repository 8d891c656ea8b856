"""Which group an account falls in when a model is fitted or a curve drawn per group.

A dimension is read once per account (the models look at whole histories,
not periods): any column of ``accounts`` (``csm``, ``sales_rep`` and
``channel`` are the catalog's aliases), ``cohort`` = the month of the
account's first paid day (as in the catalog), or ``plan`` = the plan of the
account's first paid subscription row (the plan it signed up on). Names are
checked by the catalog's own rule, so the same names work everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis


def resolve(by: str, accounts: ibis.Table) -> str:
    """The dimension ``by`` names (aliases resolved), or a UsageError listing the choices."""
    from tandem.semantic.dimensions import resolve_name

    return resolve_name(by, list(accounts.columns))


def account_groups(
    by: str, accounts: ibis.Table, subscriptions: ibis.Table | None = None
) -> ibis.Table:
    """``account_id`` and ``group`` (a string; NULL when the account has no value)."""
    import ibis

    dim = resolve(by, accounts)
    if dim in ("cohort", "plan"):
        if subscriptions is None:
            raise ValueError(f"the {dim} of an account needs the subscriptions table")
        s = subscriptions.filter(subscriptions.mrr > 0)
        first = ibis.window(
            group_by=s.account_id, order_by=[s.valid_from, s.mrr.desc(), s.subscription_id]
        )
        s = s.mutate(rank=ibis.row_number().over(first))
        s = s.filter(s.rank == 0)
        if dim == "cohort":
            label = (
                s.valid_from.year().cast("string")
                + "-"
                + s.valid_from.month().cast("string").lpad(2, "0")
            )
        else:
            label = s.plan.cast("string")
        return s.select("account_id", group=label)
    return accounts.select("account_id", group=accounts[dim].cast("string"))
