"""The five core metrics in Polars, as a competent user writes them.

Lazy scans of the exported Parquet files (only the columns needed), the
interval logic as inequality joins (``join_where``) and an as-of join, running
maxima and cumulative sums over windows, and one ``collect`` per metric, so
Polars plans and parallelises the whole query. Definitions as in SPEC.md at
month grain, the same as :mod:`tandem.bench.pandas_baseline`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.bench.core import Month, Rows, ratio_row

if TYPE_CHECKING:
    import polars as pl

FAR_FUTURE = dt.date(2262, 1, 1)


def compute(folder: Path, metric: str, ms: list[Month]) -> Rows:
    """Read what ``metric`` needs from the Parquet files in ``folder`` and compute it."""
    return METRICS[metric](folder, ms)


def _scan(folder: Path, table: str) -> pl.LazyFrame:
    import polars as pl

    return pl.scan_parquet(folder / f"{table}.parquet")


def _subscriptions(folder: Path) -> pl.LazyFrame:
    import polars as pl

    return _scan(folder, "subscriptions").select(
        "account_id",
        "mrr",
        pl.col("valid_from").alias("vf"),
        pl.col("valid_to").fill_null(FAR_FUTURE).alias("vt"),
    )


def _check_days(ms: list[Month]) -> pl.LazyFrame:
    import polars as pl

    days = [ms[0].opening] + [m.last for m in ms]
    return pl.LazyFrame({"k": list(range(len(days))), "d": days})


def _m0_m1(folder: Path, ms: list[Month]) -> pl.LazyFrame:
    """Per account and month index: MRR on the opening day (m0) and on the last day (m1)."""
    import polars as pl

    on_day = (
        _subscriptions(folder)
        .join_where(_check_days(ms), pl.col("vf") <= pl.col("d"), pl.col("vt") > pl.col("d"))
        .group_by("account_id", "k")
        .agg(pl.col("mrr").sum())
    )
    start = on_day.filter(pl.col("mrr") > 0).select("account_id", "k", m0="mrr")
    end = on_day.select("account_id", (pl.col("k") - 1).alias("k"), m1="mrr")
    return start.filter(pl.col("k") < len(ms)).join(end, on=["account_id", "k"], how="left")


def _rows(frame: pl.DataFrame, ms: list[Month], scale: float) -> Rows:
    got = {k: (n, d) for k, n, d in frame.select("k", "numerator", "denominator").iter_rows()}
    return [ratio_row(m.first, *got.get(i, (0.0, 0.0)), scale) for i, m in enumerate(ms)]


def customer_churn_rate(folder: Path, ms: list[Month]) -> Rows:
    import polars as pl

    frame = (
        _m0_m1(folder, ms)
        .group_by("k")
        .agg(
            numerator=(pl.col("m1").fill_null(0.0) <= 0).sum().cast(pl.Float64),
            denominator=pl.len().cast(pl.Float64),
        )
        .collect()
    )
    return _rows(frame, ms, 100)


def net_revenue_retention(folder: Path, ms: list[Month]) -> Rows:
    import polars as pl

    frame = (
        _m0_m1(folder, ms)
        .group_by("k")
        .agg(numerator=pl.col("m1").fill_null(0.0).sum(), denominator=pl.col("m0").sum())
        .collect()
    )
    return _rows(frame, ms, 100)


def _month(column: str, ms: list[Month]) -> pl.Expr:
    """The index in ``ms`` of the instant's month."""
    import polars as pl

    first = ms[0].first
    when = pl.col(column)
    return ((when.dt.year() - first.year) * 12 + when.dt.month() - first.month).alias("k")


def _inside(column: str, ms: list[Month]) -> pl.Expr:
    import polars as pl

    lo = dt.datetime.combine(ms[0].first, dt.time())
    hi = dt.datetime.combine(_after(ms), dt.time())
    return (pl.col(column) >= lo) & (pl.col(column) < hi)


def nps(folder: Path, ms: list[Month]) -> Rows:
    import polars as pl

    frame = (
        _scan(folder, "survey_responses")
        .filter((pl.col("survey") == "nps") & _inside("responded_at", ms))
        .group_by(_month("responded_at", ms))
        .agg(
            numerator=((pl.col("score") >= 9).sum() - (pl.col("score") <= 6).sum()).cast(
                pl.Float64
            ),
            denominator=pl.len().cast(pl.Float64),
        )
        .collect()
    )
    return _rows(frame, ms, 100)


def first_contact_resolution(folder: Path, ms: list[Month]) -> Rows:
    import polars as pl

    frame = (
        _scan(folder, "tickets")
        .filter(_inside("resolved_at", ms))
        .group_by(_month("resolved_at", ms))
        .agg(
            numerator=(pl.col("contacts") == 1).sum().cast(pl.Float64),
            denominator=pl.len().cast(pl.Float64),
        )
        .collect()
    )
    return _rows(frame, ms, 100)


def _spells(folder: Path) -> pl.LazyFrame:
    """Paid rows merged into disjoint spells per account: ``start <= day < end``."""
    import polars as pl

    paid = _subscriptions(folder).filter(pl.col("mrr") > 0).sort("account_id", "vf", "vt")
    reach = pl.col("vt").cum_max().shift(1).over("account_id")
    opens = reach.is_null() | (pl.col("vf") > reach)
    return (
        paid.with_columns(spell=opens.cum_sum())
        .group_by("spell")
        .agg(pl.col("account_id").first(), start=pl.col("vf").min(), end=pl.col("vt").max())
    )


def sessions_per_day(folder: Path, ms: list[Month]) -> Rows:
    import polars as pl

    spells = _spells(folder)
    months = pl.LazyFrame(
        {
            "k": list(range(len(ms))),
            "first": [m.first for m in ms],
            "after": [m.first for m in ms[1:]] + [_after(ms)],
        }
    )
    days = (
        spells.join_where(
            months, pl.col("start") < pl.col("after"), pl.col("end") > pl.col("first")
        )
        .group_by("k")
        .agg(
            denominator=(pl.min_horizontal("end", "after") - pl.max_horizontal("start", "first"))
            .dt.total_days()
            .sum()
            .cast(pl.Float64)
        )
    )
    daily = (
        _scan(folder, "usage_events")
        .filter((pl.col("event") == "session") & _inside("ts", ms))
        .group_by("account_id", day=pl.col("ts").dt.date())
        .agg(n=pl.len())
        .sort("day")
    )
    sessions = (
        daily.join_asof(spells.sort("start"), left_on="day", right_on="start", by="account_id")
        .filter(pl.col("day") < pl.col("end"))
        .group_by(_month("day", ms))
        .agg(numerator=pl.col("n").sum().cast(pl.Float64))
    )
    frame = days.join(sessions, on="k", how="left").fill_null(0.0).collect()
    return _rows(frame, ms, 1)


def _after(ms: list[Month]) -> dt.date:
    return ms[-1].last + dt.timedelta(days=1)


METRICS: dict[str, Callable[[Path, list[Month]], Rows]] = {
    "customer_churn_rate": customer_churn_rate,
    "net_revenue_retention": net_revenue_retention,
    "nps": nps,
    "sessions_per_day": sessions_per_day,
    "first_contact_resolution": first_contact_resolution,
}
