"""Periods: the Python calendar and the engine's period keys agree, and round-trip.

The key formulas live twice (``key_of`` in Python for the calendar, ``key_expr`` in Ibis
for the data); these tests pin them together on DuckDB for random dates, before and
after 1970 (where integer division must floor, not truncate).
"""

from __future__ import annotations

import datetime as dt
import itertools

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.errors import UsageError
from tandem.semantic.calendar import (
    CALENDAR_GRAINS,
    Grain,
    day_number,
    from_day_number,
    key_expr,
    key_of,
    period,
    period_containing,
    periods,
    start_of,
)

DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
GRAINS = st.sampled_from(list(CALENDAR_GRAINS))


@pytest.fixture(scope="module")
def duckdb():
    con = ibis.duckdb.connect()
    yield con
    con.disconnect()


@settings(max_examples=30, deadline=None)
@given(days=st.lists(DAYS, min_size=1, max_size=40), seconds=st.integers(0, 86_399))
def test_engine_keys_equal_python_keys(duckdb, days, seconds):
    """For dates and for timestamps on those dates (any time of day), at every grain."""
    stamps = [dt.datetime.combine(d, dt.time()) + dt.timedelta(seconds=seconds) for d in days]
    t = ibis.memtable({"d": days, "ts": stamps})
    keyed = t.select(
        **{f"d_{g}": key_expr(t.d, g) for g in CALENDAR_GRAINS},
        **{f"ts_{g}": key_expr(t.ts, g) for g in CALENDAR_GRAINS},
    )
    got = duckdb.to_pyarrow(keyed).to_pydict()
    for g in CALENDAR_GRAINS:
        expected = [key_of(d, g) for d in days]
        assert got[f"d_{g}"] == expected, g
        assert got[f"ts_{g}"] == expected, g


@given(day=DAYS, grain=GRAINS)
def test_a_day_lies_in_the_period_of_its_key(day, grain):
    key = key_of(day, grain)
    p = period(key, grain)
    assert p.start == start_of(key, grain) <= day <= p.end
    assert p.end + dt.timedelta(days=1) == start_of(key + 1, grain)
    assert key_of(p.start, grain) == key_of(p.end, grain) == key
    assert p.opening_day == period(key - 1, grain).end
    assert period_containing(day, grain) == p
    assert p.days == (p.end - p.start).days + 1


@given(day=DAYS)
def test_period_starts_are_mondays_first_of_month_quarter_and_year(day):
    """A week is the ISO week: Monday to Sunday."""
    week = period_containing(day, Grain.WEEK)
    assert week.start == day - dt.timedelta(days=day.weekday())
    assert week.start.isocalendar()[:2] == day.isocalendar()[:2]
    assert week.days == 7
    assert period_containing(day, Grain.MONTH).start == day.replace(day=1)
    quarter = period_containing(day, Grain.QUARTER).start
    assert (quarter.year, quarter.month, quarter.day) == (
        day.year,
        3 * ((day.month - 1) // 3) + 1,
        1,
    )
    assert period_containing(day, Grain.YEAR).start == dt.date(day.year, 1, 1)


@given(data=st.data(), grain=GRAINS)
def test_start_of_and_key_of_round_trip(data, grain):
    lo, hi = key_of(dt.date(1900, 1, 1), grain), key_of(dt.date(2200, 12, 31), grain)
    key = data.draw(st.integers(lo, hi - 1))
    assert key_of(start_of(key, grain), grain) == key
    assert key_of(start_of(key + 1, grain) - dt.timedelta(days=1), grain) == key


@given(first=DAYS, span=st.integers(0, 800), grain=GRAINS)
def test_periods_chain_from_the_first_day_to_the_last(first, span, grain):
    last = min(first + dt.timedelta(days=span), dt.date(2200, 12, 31))
    ps = periods(grain, first, last)
    assert ps[0].start <= first <= ps[0].end
    assert ps[-1].start <= last <= ps[-1].end
    for a, b in itertools.pairwise(ps):
        assert b.key == a.key + 1
        assert b.opening_day == a.end


@given(day=DAYS)
def test_day_numbers_round_trip(day):
    assert from_day_number(day_number(day)) == day


def test_known_periods():
    """1 Jan 1970 is a Thursday: its ISO week starts Monday 29 Dec 1969. 29 Feb 2024 is in
    the week of Monday 26 Feb, which ends Sunday 3 March; Q1 2024 opens on 31 Dec 2023."""
    assert period_containing(dt.date(1970, 1, 1), Grain.WEEK).start == dt.date(1969, 12, 29)
    week = period_containing(dt.date(2024, 2, 29), Grain.WEEK)
    assert (week.start, week.end) == (dt.date(2024, 2, 26), dt.date(2024, 3, 3))
    q1 = period_containing(dt.date(2024, 2, 29), Grain.QUARTER)
    assert (q1.opening_day, q1.end) == (dt.date(2023, 12, 31), dt.date(2024, 3, 31))
    assert period_containing(dt.date(2024, 2, 10), Grain.MONTH).end == dt.date(2024, 2, 29)


def test_bad_grains_and_ranges_are_usage_errors():
    with pytest.raises(UsageError, match="did you mean 'week'"):
        Grain.parse("wek")
    with pytest.raises(UsageError, match="before"):
        periods(Grain.MONTH, dt.date(2024, 3, 1), dt.date(2024, 2, 1))
    assert Grain.parse("quarter") is Grain.QUARTER
