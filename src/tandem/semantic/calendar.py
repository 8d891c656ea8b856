"""Periods: calendar weeks (ISO, Monday first), months, quarters and years, in UTC.

Every period has an integer key, so that events are placed in periods by an
equality join and intervals by integer comparisons: both run the same on every
engine (STACK.md: no interval arithmetic). Days are integers too: the number of
days since 1970-01-01. The key formulas exist twice, once in Python for the
calendar and once as Ibis expressions for the data; a property test pins them
together.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tandem.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

EPOCH = dt.date(1970, 1, 1)
#: Day number standing for "never ends" (an open valid_to): year 29349.
FOREVER = 10_000_000


class Grain(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    #: One custom period (a trailing twelve months), asked for by its first and last day.
    SPAN = "span"

    @classmethod
    def parse(cls, value: str | Grain) -> Grain:
        names = [g.value for g in cls if g is not Grain.SPAN]
        try:
            grain = cls(value)
            if grain is Grain.SPAN:
                raise ValueError(value)
            return grain
        except ValueError:
            raise UsageError(
                f"unknown grain {value!r}{did_you_mean(str(value), names)}; "
                f"choose one of {', '.join(names)}"
            ) from None


#: The grains of the calendar (a span is one custom period, with no calendar keys).
CALENDAR_GRAINS = (Grain.WEEK, Grain.MONTH, Grain.QUARTER, Grain.YEAR)


def day_number(d: dt.date) -> int:
    return (d - EPOCH).days


def from_day_number(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=n)


def key_of(d: dt.date, grain: Grain) -> int:
    """The key of the period of ``grain`` holding day ``d``."""
    match grain:
        case Grain.WEEK:
            return (day_number(d) + 3) // 7
        case Grain.MONTH:
            return d.year * 12 + d.month - 1
        case Grain.QUARTER:
            return d.year * 4 + (d.month - 1) // 3
        case Grain.YEAR:
            return d.year
        case Grain.SPAN:
            raise ValueError("a span's periods have no calendar keys")


#: The days a request may name (``--from``, ``--to``): a year of periods past the
#: last one still has a first day Python's calendar can hold.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def start_of(key: int, grain: Grain) -> dt.date:
    """The first day of the period with ``key``."""
    match grain:
        case Grain.WEEK:
            return from_day_number(key * 7 - 3)
        case Grain.MONTH:
            return dt.date(key // 12, key % 12 + 1, 1)
        case Grain.QUARTER:
            return dt.date(key // 4, (key % 4) * 3 + 1, 1)
        case Grain.YEAR:
            return dt.date(key, 1, 1)
        case Grain.SPAN:
            raise ValueError("a span's periods have no calendar keys")


@dataclass(frozen=True)
class Period:
    key: int
    start: dt.date
    end: dt.date  # last day, inclusive

    @property
    def opening_day(self) -> dt.date:
        """The day before the first day: the last day of the previous period."""
        return self.start - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period(key: int, grain: Grain) -> Period:
    return Period(key, start_of(key, grain), start_of(key + 1, grain) - dt.timedelta(days=1))


def period_containing(d: dt.date, grain: Grain) -> Period:
    return period(key_of(d, grain), grain)


def periods(grain: Grain, first: dt.date, last: dt.date) -> list[Period]:
    """Every period from the one holding ``first`` to the one holding ``last``."""
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    return [period(k, grain) for k in range(key_of(first, grain), key_of(last, grain) + 1)]


# -- the same formulas on the engine ----------------------------------------------


def day_expr(value: ir.Value) -> ir.IntegerValue:
    """Day number of a date or (UTC) timestamp column."""
    if value.type().is_timestamp():
        value = value.date()
    return value.epoch_days()


def key_expr(value: ir.Value, grain: Grain) -> ir.IntegerValue:
    """Period key of a date or timestamp column, as ``key_of`` computes it."""
    match grain:
        case Grain.WEEK:
            return (day_expr(value) + 3) // 7
        case Grain.MONTH:
            return value.year() * 12 + value.month() - 1
        case Grain.QUARTER:
            return value.year() * 4 + (value.month() - 1) // 3
        case Grain.YEAR:
            return value.year()
        case Grain.SPAN:
            raise ValueError("a span's periods have no calendar keys")


def calendar_data(ps: list[Period]) -> pa.Table:
    """The periods as a small table: key, first and last day (dates and day numbers)."""
    import pyarrow as pa

    return pa.table(
        {
            "period_key": pa.array([p.key for p in ps], pa.int64()),
            "period_start": pa.array([p.start for p in ps], pa.date32()),
            "start_day": pa.array([day_number(p.start) for p in ps], pa.int64()),
            "end_day": pa.array([day_number(p.end) for p in ps], pa.int64()),
        }
    )
