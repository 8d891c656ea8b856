"""Rows are put in periods by their own time column: the edges, and periods with gaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tandem.engine.frame import Frame
from tandem.semantic.calendar import Grain, key_of, period
from tandem.semantic.dimensions import DimensionSet
from tandem.service.workspace import Workspace


def _response(rid: str, when: str) -> dict[str, object]:
    return {
        "response_id": rid,
        "account_id": "A",
        "survey": "nps",
        "score": 9,
        "responded_at": when,
    }


ROWS = {
    "survey_responses": [
        _response("dec-last-second", "2023-12-31T23:59:59"),
        _response("jan-first-midnight", "2024-01-01T00:00:00"),
        _response("feb", "2024-02-10T12:00:00"),
        _response("mar-last-second", "2024-03-31T23:59:59"),
        _response("apr-first-midnight", "2024-04-01T00:00:00"),
    ],
    "subscriptions": [
        {"subscription_id": s, "account_id": "A", "mrr": 1, "valid_from": day}
        for s, day in [("s-dec", "2023-12-31"), ("s-jan", "2024-01-01"), ("s-mar", "2024-03-31")]
    ],
}


def _months(*firsts: str) -> list:
    return [period(key_of(dt.date.fromisoformat(d), Grain.MONTH), Grain.MONTH) for d in firsts]


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        # Consecutive periods: the first instant of January to the last of March.
        (
            ("2024-01-01", "2024-02-01", "2024-03-01"),
            {"jan-first-midnight": 0, "feb": 1, "mar-last-second": 2},
        ),
        # A gap (as a partial recomputation asks for): February's rows stay out.
        (("2024-01-01", "2024-03-01"), {"jan-first-midnight": 0, "mar-last-second": 2}),
    ],
)
def test_timestamps_are_placed_in_their_periods(
    seeded: Callable[..., Workspace], months: tuple[str, ...], expected: dict[str, int]
) -> None:
    ws = seeded(ROWS)
    ps = _months(*months)
    frame = Frame(ws.store, ws.definitions, ws.settings.metrics, Grain.MONTH, ps, DimensionSet())
    r = ws.store.table("survey_responses")
    got = ws.store.run(frame.place(r, r.responded_at).select("response_id", "period_key"))
    jan = key_of(dt.date(2024, 1, 1), Grain.MONTH)  # keys count months: March is January + 2
    assert dict(zip(*got.to_pydict().values(), strict=True)) == {
        rid: jan + offset for rid, offset in expected.items()
    }


def test_dates_are_placed_in_their_periods(seeded: Callable[..., Workspace]) -> None:
    ws = seeded(ROWS)
    ps = _months("2024-01-01", "2024-02-01", "2024-03-01")
    frame = Frame(ws.store, ws.definitions, ws.settings.metrics, Grain.MONTH, ps, DimensionSet())
    s = ws.store.table("subscriptions")
    got = ws.store.run(frame.place(s, s.valid_from).select("subscription_id"))
    assert sorted(got["subscription_id"].to_pylist()) == ["s-jan", "s-mar"]
