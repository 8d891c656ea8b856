"""Paid coverage: who is a customer on which day, and at what MRR.

Everything here works on subscription *intervals* (day numbers, ``valid_to``
exclusive), never on an account-by-day table, so its cost grows with the number
of subscription rows, not with days.

- ``paid_rows``: subscription rows with MRR > 0, plus *bridges* over gaps no
  longer than ``churn_grace_days`` (a failed payment that is recovered). A
  bridge carries the MRR the account had on its last day before the gap, so a
  recovered gap is neither churn nor reactivation, in customer counts or MRR.
- ``islands``: the paid rows merged into disjoint spells of being a customer.

They read only ``table``, ``knobs`` and ``cached`` of the frame (:class:`Source`);
``islands_of`` runs them on a given subscriptions relation outside a metric
request (the survival model uses it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from tandem.semantic.calendar import FOREVER, day_expr

if TYPE_CHECKING:
    import ibis

    from tandem.settings import MetricSettings


class Source(Protocol):
    """What coverage needs of a frame: tables, knobs and a per-request cache."""

    @property
    def knobs(self) -> MetricSettings: ...

    def table(self, name: str) -> ibis.Table: ...

    def cached(
        self, name: str, build: Callable[[], ibis.Table], *, materialize: bool = False
    ) -> ibis.Table: ...


def subscription_days(f: Source) -> ibis.Table:
    """Every subscription row with day numbers: ``vf`` first day, ``vt`` first day after."""
    import ibis

    s = f.table("subscriptions")
    return s.select(
        "account_id",
        "mrr",
        "plan",
        seats=s.seats.fill_null(0),
        vf=day_expr(s.valid_from),
        vt=ibis.coalesce(day_expr(s.valid_to), ibis.literal(FOREVER, "int64")),
    )


def paid_rows(f: Source) -> ibis.Table:
    return f.cached("paid_rows", lambda: _paid_rows(f))


def _paid_rows(f: Source) -> ibis.Table:
    import ibis

    rows = subscription_days(f)
    paid = rows.filter(rows.mrr > 0)
    grace = f.knobs.churn_grace_days
    if grace == 0:
        return paid
    # The coverage reached by earlier rows: a later row starting after it opens a gap.
    before = ibis.window(group_by=paid.account_id, order_by=[paid.vf, paid.vt], rows=(None, -1))
    gaps = paid.mutate(gap_start=paid.vt.max().over(before))
    gaps = gaps.filter(
        gaps.gap_start.notnull() & (gaps.vf > gaps.gap_start) & (gaps.vf - gaps.gap_start <= grace)
    ).select("account_id", gap_start="gap_start", gap_end="vf")
    # MRR, seats and plan on the last covered day: the rows ending where the gap starts.
    ending = paid.group_by(["account_id", "vt"]).aggregate(
        mrr=paid.mrr.sum(), seats=paid.seats.sum(), plan=paid.plan.max()
    )
    bridges = gaps.join(
        ending, [gaps.account_id == ending.account_id, gaps.gap_start == ending.vt]
    ).select(
        gaps.account_id,
        ending.mrr,
        ending.plan,
        ending.seats,
        vf=gaps.gap_start,
        vt=gaps.gap_end,
    )
    return paid.union(bridges.select(*paid.columns))


def islands(f: Source) -> ibis.Table:
    """Disjoint spells of paid coverage per account: ``start`` ≤ day < ``end``."""
    return f.cached("islands", lambda: _islands(f), materialize=True)


def _islands(f: Source) -> ibis.Table:
    import ibis

    paid = paid_rows(f)
    before = ibis.window(group_by=paid.account_id, order_by=[paid.vf, paid.vt], rows=(None, -1))
    marked = paid.mutate(reach=paid.vt.max().over(before))
    marked = marked.mutate(
        opens=ibis.ifelse(marked.reach.isnull() | (marked.vf > marked.reach), 1, 0)
    )
    running = ibis.window(
        group_by=marked.account_id, order_by=[marked.vf, marked.vt], rows=(None, 0)
    )
    numbered = marked.mutate(island=marked.opens.sum().over(running))
    return numbered.group_by(["account_id", "island"]).aggregate(
        start=numbered.vf.min(), end=numbered.vt.max()
    )


class _Given:
    def __init__(self, subscriptions: ibis.Table, knobs: MetricSettings) -> None:
        self.subscriptions, self.knobs = subscriptions, knobs

    def table(self, name: str) -> ibis.Table:
        assert name == "subscriptions", name
        return self.subscriptions

    def cached(
        self, name: str, build: Callable[[], ibis.Table], *, materialize: bool = False
    ) -> ibis.Table:
        return build()


def islands_of(subscriptions: ibis.Table, knobs: MetricSettings) -> ibis.Table:
    """``islands`` of the given subscription rows (same columns as the table), not cached."""
    return islands(_Given(subscriptions, knobs))
