"""The 39-week CDNOW holdout and the tracking weeks, counted again in plain Python."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest

from tandem import Workspace
from tandem.models.clv import ClvFit, ClvRequest, fit_clv
from tandem.settings import ModelSettings
from tests.models.conftest import TODAY, cdnow_purchases, tables

CAL_END, HOLDOUT_END = dt.date(1997, 9, 30), dt.date(1998, 6, 30)
START = dt.date(1997, 1, 1)


def _purchase_days() -> dict[str, list[dt.date]]:
    days: dict[str, set[dt.date]] = {}
    for account, day, _ in cdnow_purchases():
        days.setdefault(account, set()).add(day)
    return {a: sorted(d) for a, d in days.items()}


@pytest.fixture(scope="module")
def fitted(cdnow: Workspace) -> ClvFit:
    request = ClvRequest(CAL_END, HOLDOUT_END)
    return fit_clv(tables(cdnow).orders, ModelSettings(), request, today=TODAY).fits[0]


def test_actual_purchases_in_the_holdout(fitted: ClvFit) -> None:
    """Purchase days from 1 Oct 1997 to 30 Jun 1998 of the 2,357 customers (all
    first bought in early 1997), one per customer and day, by 7-day week."""
    weeks: Counter[int] = Counter()
    for days in _purchase_days().values():
        for d in days:
            if CAL_END < d <= HOLDOUT_END:
                weeks[((d - CAL_END).days - 1) // 7] += 1
    holdout = fitted.holdout
    assert holdout is not None
    assert holdout.actual_transactions == sum(weeks.values()) == 1882
    assert len(holdout.weeks) == 39  # 273 days
    assert holdout.weeks[0].start == dt.date(1997, 10, 1)
    assert [w.actual for w in holdout.weeks] == [weeks[k] for k in range(39)]


def test_weekly_predictions_add_up_to_the_total(fitted: ClvFit) -> None:
    holdout = fitted.holdout
    assert holdout is not None
    total = sum(w.predicted for w in holdout.weeks)
    assert total == pytest.approx(holdout.predicted_transactions, rel=1e-12)
    assert all(w.predicted > 0 for w in holdout.weeks)


def test_holdout_forecast_is_close_to_what_happened(fitted: ClvFit) -> None:
    """The model under-forecasts CDNOW's holdout a little (FHL 2005, figure 3);
    within 15% of the 1,882 purchase days."""
    holdout = fitted.holdout
    assert holdout is not None
    assert holdout.predicted_transactions == pytest.approx(1882, rel=0.15)


def test_tracking_counts_repeat_purchases_by_week(fitted: ClvFit) -> None:
    """Week k holds days 1 Jan 1997 + 7k … + 7k + 6; a customer's first day is not a repeat."""
    weeks: Counter[int] = Counter()
    for days in _purchase_days().values():
        for d in days[1:]:
            if d <= HOLDOUT_END:
                weeks[(d - START).days // 7] += 1
    track = fitted.tracking
    assert len(track) == 78
    assert [w.actual for w in track] == [weeks[k] for k in range(78)]
    assert sum(w.actual for w in track[:39]) == 2457  # repeat days in calibration (FHL 2005)


def test_tracking_expectation_telescopes(fitted: ClvFit) -> None:
    """Σ over weeks of the expected repeat purchases = Σ_i E[X(end − first_i)]."""
    model = fitted.bgnbd
    firsts = np.array([days[0].toordinal() for days in _purchase_days().values()])
    end = HOLDOUT_END.toordinal() + 1
    want = model.expected_new((end - firsts) / 7.0).sum()
    track = fitted.tracking
    assert sum(w.predicted for w in track) == pytest.approx(want, rel=1e-10)
