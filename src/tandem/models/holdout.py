"""Checking a fit against what happened next: the holdout and the tracking chart.

Two comparisons, both in repeat purchase days (the models' transactions):

- **holdout**: for the calibration cohort, the purchases they made after the
  calibration end up to the holdout end, against the sum of each customer's
  conditional expectation E[Y(t) | x, t_x, T] over the same span, week by week
  (week j holds days cal_end + 7j + 1 … cal_end + 7j + 7; a last, shorter week
  is cut at the holdout end). The weekly predictions add up to the total.
- **tracking**: week by week from the first purchase of the cohort, the repeat
  purchases made against the unconditional expectation Σ_i [E[X(t_i + 7)] −
  E[X(t_i)]], t_i being the time from customer i's first purchase to the week's
  start (FHL 2005, figure 2). It shows the fit in the calibration weeks and
  the forecast after them.

A purchase on day d is taken to happen at time d − first day, the same
convention as recency and age (:mod:`tandem.models.transactions`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from tandem.models.bgnbd import BGNBD, distinct
from tandem.models.transactions import Customers
from tandem.semantic.calendar import from_day_number


@dataclass(frozen=True)
class Week:
    """One week of a comparison: its first day, purchases made and purchases expected."""

    start: dt.date
    actual: int
    predicted: float


@dataclass(frozen=True)
class Holdout:
    start: dt.date
    end: dt.date
    actual_transactions: int
    predicted_transactions: float
    weeks: tuple[Week, ...]


def _week_edges(days: int) -> list[tuple[int, int]]:
    """(first, after-last) day offsets of each 7-day week in ``days`` days."""
    return [(k, min(k + 7, days)) for k in range(0, days, 7)]


def holdout(model: BGNBD, customers: Customers, weekly_actual: dict[int, int]) -> Holdout:
    """Actual against conditionally expected purchases after the calibration end.

    ``weekly_actual`` maps a holdout week index to its repeat purchase days
    (as :func:`tandem.models.transactions.weekly_repeats` counts them from the
    day after the calibration end).
    """
    window = customers.window
    assert window.holdout_end is not None
    days = (window.holdout_end - window.calibration_end).days
    unit = window.unit_days
    # Customers with the same history expect the same: one term per distinct history.
    (x, t_x, T), counts, _ = distinct(
        customers.frequency.astype(float), customers.recency, customers.age
    )
    before = 0.0
    weeks = []
    for j, (lo, hi) in enumerate(_week_edges(days)):
        upto = float(counts @ model.expected(hi / unit, x, t_x, T))
        weeks.append(
            Week(
                window.calibration_end + dt.timedelta(days=lo + 1),
                int(weekly_actual.get(j, 0)),
                upto - before,
            )
        )
        before = upto
    return Holdout(
        start=window.calibration_end + dt.timedelta(days=1),
        end=window.holdout_end,
        actual_transactions=int(customers.holdout_frequency.sum()),
        predicted_transactions=before,
        weeks=tuple(weeks),
    )


def tracking(
    model: BGNBD, customers: Customers, weekly_actual: dict[int, int], start: dt.date
) -> tuple[Week, ...]:
    """Weekly repeat purchases of the cohort from ``start`` to the last day observed."""
    from tandem.semantic.calendar import day_number

    window = customers.window
    last = window.holdout_end or window.calibration_end
    begin = day_number(start)
    days = day_number(last) - begin + 1
    unit = window.unit_days
    # Customers who started on the same day share an expectation: work per first day.
    firsts, counts = np.unique(customers.first_day - begin, return_counts=True)
    out = []
    for k, (lo, hi) in enumerate(_week_edges(days)):
        ahead = np.clip(hi - firsts, 0, None) / unit
        behind = np.clip(lo - firsts, 0, None) / unit
        grown = model.expected_new(ahead) - model.expected_new(behind)
        out.append(
            Week(from_day_number(begin + lo), int(weekly_actual.get(k, 0)), float(grown @ counts))
        )
    return tuple(out)
