"""Purchase histories: the papers' conventions on hand-made orders, and the CDNOW summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from tandem import Workspace
from tandem.models.transactions import Window, last_order_day, summarise
from tests.models.conftest import lifetimes_file, tables

ORDERS = [
    # A: two orders on 1 Jan are one first purchase; two on 15 Jan one repeat worth 30.
    ("A", "2024-01-01T10:00:00Z", 50.0),
    ("A", "2024-01-01T15:00:00Z", 30.0),
    ("A", "2024-01-15T09:00:00Z", 20.0),
    ("A", "2024-01-15T18:00:00Z", 10.0),
    ("A", "2024-02-12T12:00:00Z", 60.0),
    ("A", "2024-04-10T12:00:00Z", 5.0),  # in the holdout
    ("A", "2024-05-02T12:00:00Z", 7.0),  # after the holdout: not counted
    # B: first purchase in the last second of the calibration period.
    ("B", "2024-03-31T23:59:59Z", 12.0),
    # C: first purchase after the calibration end: not in the cohort.
    ("C", "2024-04-02T08:00:00Z", 99.0),
    # D: 23:30 in New York on 1 Feb is 04:30 UTC on 2 Feb, the day of D's other order.
    ("D", "2024-02-01T23:30:00-05:00", 8.0),
    ("D", "2024-02-02T01:00:00Z", 4.0),
]


def _orders(rows: list[tuple[str, str, float]]) -> list[dict[str, object]]:
    return [
        {"order_id": f"o{i}", "account_id": a, "ordered_at": t, "amount": v}
        for i, (a, t, v) in enumerate(rows)
    ]


def test_histories_follow_the_papers(workspace: Callable[..., Workspace]) -> None:
    """A: first day 1 Jan; repeats 15 Jan (30) and 12 Feb (60): x = 2, m = 45,
    t_x = 42 days = 6 weeks, T = 31 Mar − 1 Jan = 90 days = 12.857 weeks, one
    purchase day in the holdout (10 Apr; 2 May is after it).
    B: x = 0, t_x = 0, T = 0. D: both orders on 2 Feb UTC, so x = 0, T = 27 + 31 days
    (2024 is a leap year: 2 Feb to 29 Feb, then March) = 58 days."""
    ws = workspace({"orders": _orders(ORDERS)})
    window = Window(dt.date(2024, 3, 31), dt.date(2024, 4, 30))
    c = summarise(tables(ws).orders, window)
    assert list(c.account_id) == ["A", "B", "D"]
    assert list(c.frequency) == [2, 0, 0]
    assert c.recency == pytest.approx([6.0, 0.0, 0.0])
    assert c.age == pytest.approx([90 / 7, 0.0, 58 / 7])
    assert c.value == pytest.approx([45.0, 0.0, 0.0])
    assert list(c.holdout_frequency) == [1, 0, 0]
    assert c.repeat_customers == 1


def test_time_unit_is_a_knob(workspace: Callable[..., Workspace]) -> None:
    ws = workspace({"orders": _orders(ORDERS)})
    c = summarise(tables(ws).orders, Window(dt.date(2024, 3, 31), unit_days=1.0))
    assert c.recency[0] == 42.0 and c.age[0] == 90.0


def test_last_order_day(workspace: Callable[..., Workspace]) -> None:
    ws = workspace({"orders": _orders(ORDERS)})
    assert last_order_day(tables(ws).orders) == dt.date(2024, 5, 2)


def test_cdnow_histories_match_the_authors_summary(cdnow: Workspace) -> None:
    """The authors' per-customer summary (x, t_x and T in weeks to two decimals,
    zbar the mean repeat value, in the lifetimes package) against ours from the
    raw purchases."""
    c = summarise(tables(cdnow).orders, Window(dt.date(1997, 9, 30)))
    theirs = pd.read_csv(lifetimes_file("cdnow_customers_summary_with_transactions.csv"))
    theirs = theirs.set_index(theirs.ID.astype(str)).loc[list(c.account_id)]
    assert len(c) == 2357
    assert np.array_equal(c.frequency, theirs.x.to_numpy())
    assert c.recency == pytest.approx(theirs.t_x.to_numpy(), abs=0.005)
    assert c.age == pytest.approx(theirs["T"].to_numpy(), abs=0.005)
    assert c.value == pytest.approx(theirs.zbar.to_numpy(), abs=0.0051)  # 22.345 → 22.35
