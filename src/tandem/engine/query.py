"""The typed request and result of a metric computation.

``MetricQuery`` says what to compute; ``MetricResult`` carries one metric's rows
with everything needed to trust them: the definition, the fingerprint of the
logic that computed them, the knob values in force, and warnings as data
(a survey figure resting on too few responses) rather than as side effects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tandem.semantic.calendar import Grain
from tandem.semantic.dimensions import Filter

if TYPE_CHECKING:
    import pandas as pd

    from tandem.semantic.types import Metric

#: A knob's value as settings hold it.
KnobValue = int | float | str | tuple[str, ...] | dict[str, int]


@dataclass(frozen=True)
class MetricQuery:
    """Metrics by period (and dimension) over a range of periods.

    Without ``start``/``end`` the range is the last few periods up to the data's
    last day (and never after today). ``span`` asks instead for one custom
    period from its first to its last day (a trailing twelve months).
    """

    metrics: tuple[str, ...]
    grain: Grain = Grain.MONTH
    start: dt.date | None = None
    end: dt.date | None = None
    by: tuple[str, ...] = ()
    where: tuple[Filter, ...] = ()
    span: tuple[dt.date, dt.date] | None = None


@dataclass(frozen=True)
class SmallSample:
    """Rows of a survey metric resting on fewer responses than ``min_survey_responses``."""

    metric: str
    rows: int
    total: int
    minimum: int

    def __str__(self) -> str:
        return (
            f"{self.metric}: {self.rows} of {self.total} rows rest on fewer than "
            f"{self.minimum} responses (knob min_survey_responses)"
        )


@dataclass(frozen=True)
class MissingData:
    """A metric reads a table with no rows at all: its values are no value, not 0."""

    metric: str
    tables: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.metric}: no value, because nothing is loaded in {', '.join(self.tables)}"


ResultWarning = SmallSample | MissingData


@dataclass(frozen=True)
class MetricResult:
    """One metric's rows: period, dimension columns, value, then its components."""

    metric: Metric
    rows: pd.DataFrame
    fingerprint: str
    grain: Grain
    dimensions: tuple[str, ...]
    knobs: dict[str, KnobValue] = field(default_factory=dict)
    warnings: tuple[ResultWarning, ...] = ()
