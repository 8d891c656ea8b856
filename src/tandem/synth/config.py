"""What to generate (``SynthConfig``) and the month grid it lives on (``Calendar``).

Time inside the generator is integers: days since 1970-01-01 for dates and
seconds since 1970-01-01 UTC for instants. The M months end with the month of
``end`` (a fixed default, never today's date, so output is reproducible); the
last month is partial when ``end`` is not a month's last day.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from tandem.errors import UsageError

#: Every array in the generator; dtypes are documented where they matter.
Array: TypeAlias = npt.NDArray[Any]

DAY = 86_400
EPOCH = dt.date(1970, 1, 1)
#: Usage events per account over 24 months, scaled with the number of months.
EVENTS_PER_24_MONTHS = 100.0
MAX_MONTHS = 240
MAX_CHUNK = 1_000_000


class SynthFormat(enum.StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


@dataclass(frozen=True)
class SynthConfig:
    """A demo company: how many accounts, over how many months, from which seed.

    ``events_per_account`` is the mean number of usage events per account over
    the whole range (default 100 per 24 months); ``chunk_size`` accounts are
    simulated and written at a time, which bounds memory.
    """

    accounts: int = 2_000
    months: int = 24
    seed: int = 7
    end: dt.date | str = dt.date(2026, 10, 31)
    format: SynthFormat | str = SynthFormat.CSV
    events_per_account: float | None = None
    chunk_size: int = 50_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "end", _date(self.end))
        object.__setattr__(self, "format", _format(self.format))
        if self.accounts < 1:
            raise UsageError(f"accounts must be at least 1, not {self.accounts}")
        if not 1 <= self.months <= MAX_MONTHS:
            raise UsageError(f"months must be between 1 and {MAX_MONTHS}, not {self.months}")
        if self.seed < 0:
            raise UsageError(f"seed must be 0 or more, not {self.seed}")
        if not 1 <= self.chunk_size <= MAX_CHUNK:
            raise UsageError(f"chunk size must be between 1 and {MAX_CHUNK:,}")
        if self.events_per_account is not None and self.events_per_account < 0:
            raise UsageError("events per account must be 0 or more")

    @property
    def end_date(self) -> dt.date:
        assert isinstance(self.end, dt.date)
        return self.end

    @property
    def output_format(self) -> SynthFormat:
        return _format(self.format)

    def _per_account(self, per_24_months: float) -> float:
        return per_24_months * self.months / 24

    @property
    def events_per_account_total(self) -> float:
        if self.events_per_account is not None:
            return self.events_per_account
        return self._per_account(EVENTS_PER_24_MONTHS)


def _date(value: dt.date | str) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"end date {value!r} is not an ISO date (YYYY-MM-DD)") from None
    if not 1990 <= value.year <= 2200:
        raise UsageError(f"end date {value} is out of range (years 1990–2200)")
    return value


def _format(value: SynthFormat | str) -> SynthFormat:
    try:
        return SynthFormat(value)
    except ValueError:
        choices = ", ".join(f.value for f in SynthFormat)
        raise UsageError(f"format {value!r}: choose one of {choices}") from None


@dataclass(frozen=True)
class Calendar:
    """Month ``k`` covers days ``lo[k] <= d < hi[k]``; ``end_day`` is the last day simulated."""

    lo: Array
    hi: Array
    end_day: int

    @classmethod
    def for_config(cls, config: SynthConfig) -> Calendar:
        end = config.end_date
        last = np.datetime64(f"{end.year:04d}-{end.month:02d}", "M")
        months = np.arange(last - (config.months - 1), last + 2, dtype="datetime64[M]")
        starts = months.astype("datetime64[D]").astype(np.int64)
        end_day = (end - EPOCH).days
        hi = starts[1:].copy()
        hi[-1] = end_day + 1
        return cls(lo=starts[:-1], hi=hi, end_day=end_day)

    @property
    def months(self) -> int:
        return len(self.lo)

    @property
    def first_day(self) -> int:
        return int(self.lo[0])

    @property
    def end_s(self) -> int:
        """The last second of the last day simulated."""
        return (self.end_day + 1) * DAY - 1

    def month_of(self, days: Array) -> Array:
        """Month index of each day: -1 before the first month, ``months`` after the end."""
        k = np.searchsorted(self.lo, days, side="right") - 1
        return np.where(days > self.end_day, self.months, k)
