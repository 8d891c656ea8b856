"""History: the score as of each period's end is the score that day's data gave."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tandem.health import history, scores
from tandem.service.workspace import Workspace
from tests.health.test_score import company


def test_history_compares_with_a_real_earlier_score(seeded: Callable[..., Workspace]) -> None:
    """A as of 2026-02-28 (the February row), from the rows dated up to that day only:

    NPS: the latest answer then is the 9 of 2026-01-10 (the detractor 5 came on 03-01):
    promoter, 100. Onboarding: due 2026-03-03, not yet due: 100. Usage: sessions on
    02-01 … 02-04 in the last 30 days (01-30 … 02-28), 4; the 30 before (12-31 … 01-29)
    none → trend 100 × 5 / 1 → 100. In March both fall (0 and 6.7, see test_score).
    """
    ws = seeded(company())
    h = history(ws, "A", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    rows = h.rows.set_index("as_of")
    assert list(rows.index) == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]
    feb = rows.loc[dt.date(2026, 2, 28)]
    assert feb["nps_score"] == 100.0
    assert feb["onboarding_score"] == 100.0
    assert feb["usage_trend_score"] == 100.0
    assert rows.loc[dt.date(2026, 3, 31), "nps_score"] == 0.0
    # The same as scoring that day on its own, and a different score from March's.
    alone = scores(ws, dt.date(2026, 2, 28), account="A").rows.iloc[0]
    assert feb["health_score"] == pytest.approx(alone["health_score"])
    assert feb["health_score"] > rows.loc[dt.date(2026, 3, 31), "health_score"]


def test_history_ends_with_the_as_of_day_and_skips_days_without_paying(
    seeded: Callable[..., Workspace],
) -> None:
    """B pays from 2026-03-01: no row for January or February; the last period's as-of day is
    the end given (03-15), not the month's last day."""
    ws = seeded(company())
    h = history(ws, "B", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 15))
    assert list(h.rows.as_of) == [dt.date(2026, 3, 15)]
    assert h.days[-1] == dt.date(2026, 3, 15)
