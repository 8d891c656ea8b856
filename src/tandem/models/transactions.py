"""Per-customer purchase histories from the ``orders`` table, aggregated in Ibis.

The conventions of the papers (Fader, Hardie & Lee 2005):

- orders on one UTC day are one transaction, worth the day's total;
- a customer's *first* purchase day starts their history and is not a repeat;
  only customers whose first purchase falls on or before the calibration end
  are in the calibration cohort;
- ``frequency`` x = repeat purchase days up to the calibration end, ``recency``
  t_x = days from the first to the last purchase day, ``age`` T = days from the
  first purchase day to the calibration end, both divided by the time unit
  (7 = weeks); t_x = 0 when x = 0;
- ``value`` m = the mean of the repeat purchase days' totals (0 when x = 0);
- with a holdout end, ``holdout_frequency`` = purchase days after the
  calibration end up to and including the holdout end.

The aggregation (one pass per customer-day, then per customer) runs on the
workspace's engine, so DuckDB, PostgreSQL and Spark give the same histories;
only the per-customer result comes back, as NumPy arrays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tandem.semantic.calendar import day_expr, day_number

if TYPE_CHECKING:
    import ibis


@dataclass(frozen=True)
class Window:
    """The calibration period ends on ``calibration_end``; the holdout runs after it."""

    calibration_end: dt.date
    holdout_end: dt.date | None = None
    unit_days: float = 7.0

    @property
    def holdout_units(self) -> float:
        """Length of the holdout period in time units (0 without one)."""
        if self.holdout_end is None:
            return 0.0
        return (self.holdout_end - self.calibration_end).days / self.unit_days


@dataclass(frozen=True, eq=False)
class Customers:
    """The calibration cohort, one entry per customer in every array (sorted by id)."""

    window: Window
    account_id: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    value: np.ndarray
    first_day: np.ndarray
    holdout_frequency: np.ndarray
    group: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.account_id)

    @property
    def repeat_customers(self) -> int:
        return int(np.count_nonzero(self.frequency))

    def subset(self, keep: np.ndarray) -> Customers:
        return Customers(
            self.window,
            self.account_id[keep],
            self.frequency[keep],
            self.recency[keep],
            self.age[keep],
            self.value[keep],
            self.first_day[keep],
            self.holdout_frequency[keep],
            None if self.group is None else self.group[keep],
        )


def purchase_days(orders: ibis.Table, last: dt.date) -> ibis.Table:
    """One row per account and UTC day with orders up to ``last``: ``day`` number, ``total``."""
    import ibis

    after = (last + dt.timedelta(days=1)).isoformat()
    o = orders.filter(orders.ordered_at < ibis.timestamp(after))
    o = o.select("account_id", "amount", day=day_expr(o.ordered_at))
    daily = o.group_by(["account_id", "day"]).aggregate(total=o.amount.sum())
    return daily.mutate(first=daily.day.min().over(ibis.window(group_by=daily.account_id)))


def summarise(orders: ibis.Table, window: Window, groups: ibis.Table | None = None) -> Customers:
    """The calibration cohort's histories; ``groups`` (account_id, group) adds a group each."""
    last = window.holdout_end or window.calibration_end
    cal = day_number(window.calibration_end)
    daily = purchase_days(orders, last)
    daily = daily.filter(daily.first <= cal)
    in_cal = daily.day <= cal
    repeat = (daily.day > daily.first) & in_cal
    per = daily.group_by("account_id").aggregate(
        first_day=daily.first.min(),
        frequency=daily.day.count(where=repeat),
        last_day=daily.day.max(where=in_cal),
        repeat_total=daily.total.sum(where=repeat),
        holdout_frequency=daily.day.count(where=~in_cal),
    )
    if groups is not None:
        per = per.left_join(groups, "account_id").select(*per.columns, "group")
    data = per.order_by("account_id").to_pyarrow()
    unit = window.unit_days
    first = np.asarray(data["first_day"].to_numpy(), dtype=np.int64)
    freq = np.asarray(data["frequency"].to_numpy(), dtype=np.int64)
    total = np.asarray(data["repeat_total"].fill_null(0).to_numpy(), dtype=float)
    last_day = np.asarray(data["last_day"].to_numpy(), dtype=np.int64)
    return Customers(
        window=window,
        account_id=np.asarray(data["account_id"].to_numpy(zero_copy_only=False), dtype=object),
        frequency=freq,
        recency=(last_day - first) / unit,
        age=(cal - first) / unit,
        value=np.divide(total, freq, out=np.zeros_like(total), where=freq > 0),
        first_day=first,
        holdout_frequency=np.asarray(data["holdout_frequency"].to_numpy(), dtype=np.int64),
        group=(
            np.asarray(data["group"].to_numpy(zero_copy_only=False), dtype=object)
            if groups is not None
            else None
        ),
    )


def weekly_repeats(
    orders: ibis.Table, window: Window, start: dt.date, accounts: ibis.Table | None = None
) -> dict[int, int]:
    """Repeat purchase days of the calibration cohort per 7-day week from ``start``.

    Week k holds days ``start + 7k`` to ``start + 7k + 6``, up to the holdout
    end (or the calibration end). ``accounts`` (an ``account_id`` column)
    restricts the count to those accounts.
    """
    last = window.holdout_end or window.calibration_end
    daily = purchase_days(orders, last)
    rep = daily.filter(
        (daily.first <= day_number(window.calibration_end)) & (daily.day > daily.first)
    )
    if accounts is not None:
        rep = rep.semi_join(accounts, "account_id")
    rep = rep.mutate(week=(rep.day - day_number(start)) // 7)
    counts = rep.group_by("week").aggregate(n=rep.count()).to_pyarrow()
    return dict(zip(counts["week"].to_pylist(), counts["n"].to_pylist(), strict=True))


def last_order_day(orders: ibis.Table) -> dt.date | None:
    """The UTC date of the latest order (None without orders)."""
    value = orders.aggregate(last=orders.ordered_at.max().date()).to_pyarrow()["last"][0]
    return value.as_py()  # type: ignore[no-any-return]
