"""Whole answers kept in memory: a repeated question on unchanged data is answered
without building an expression, and never across data, knobs, filters or periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

import tandem.engine.compute as engine
from tandem.engine.cache import ResultCache
from tandem.engine.compute import compute
from tandem.engine.memo import Memo
from tandem.engine.query import MetricQuery
from tandem.service.workspace import Workspace
from tandem.settings import MetricSettings
from tests.seed import insert

MARCH = {"start": "2024-03-01", "end": "2024-03-31"}


def _responses(survey: str, scores: list[int], tag: str = "", account: str = "A") -> list[Any]:
    return [
        {
            "response_id": f"{survey}{tag}-{i}",
            "account_id": account,
            "survey": survey,
            "score": s,
            "responded_at": "2024-03-10T12:00",
        }
        for i, s in enumerate(scores)
    ]


def _value(ws: Workspace, slug: str, **kwargs: Any) -> float:
    return float(ws.compute([slug], **MARCH, **kwargs)[slug].rows["value"][0])


def _no_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a kept answer should need no frame, expression or query")

    monkeypatch.setattr(engine, "Frame", refuse)
    monkeypatch.setattr(engine, "dimensions", refuse)


def test_a_repeated_question_is_answered_without_building_anything(
    seeded: Callable[..., Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Promoters 10, 9; detractor 3: NPS = 100 × (2 − 1) / 3.
    ws = seeded({"survey_responses": _responses("nps", [10, 9, 3])})
    assert ws.cache is not None, "the embedded workspace keeps answers"
    assert _value(ws, "nps") == pytest.approx(100 / 3)
    _no_computing(monkeypatch)
    assert _value(ws, "nps") == pytest.approx(100 / 3)


def test_a_load_moves_the_data_on_and_the_kept_answer_is_not_used(
    seeded: Callable[..., Workspace],
) -> None:
    ws = seeded({"survey_responses": _responses("nps", [10, 3])})
    assert _value(ws, "nps") == 0.0  # one promoter, one detractor
    insert(ws, "survey_responses", _responses("nps", [9], tag="b"))
    # Two promoters, one detractor: 100 × (2 − 1) / 3.
    assert _value(ws, "nps") == pytest.approx(100 / 3)


def test_a_changed_answer_does_not_change_the_kept_one(
    seeded: Callable[..., Workspace],
) -> None:
    ws = seeded({"survey_responses": _responses("nps", [10, 3])})
    first = ws.compute(["nps"], **MARCH)["nps"]
    first.rows.loc[0, "value"] = 99.0
    first.knobs.clear()
    again = ws.compute(["nps"], **MARCH)["nps"]
    assert again.rows["value"][0] == 0.0
    assert again.knobs  # min_survey_responses among them


def test_two_knob_values_never_share_an_answer(seeded: Callable[..., Workspace]) -> None:
    """CSAT 3, 4, 5: satisfied at threshold 4 are 2 of 3, at threshold 5 one of 3."""
    ws = seeded({"survey_responses": _responses("csat", [3, 4, 5])})
    cache, memo = ResultCache(ws.path / "answers"), Memo()
    query = MetricQuery(("csat",), start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31))
    values = {}
    with ws.readers.acquire() as store:
        for threshold in (4, 5, 4):
            knobs = MetricSettings(min_survey_responses=0, csat_threshold=threshold)
            rows = compute(
                store,
                ws.definitions,
                knobs,
                query,
                today=dt.date(2030, 1, 1),
                cache=cache,
                memo=memo,
            )["csat"].rows
            values[threshold] = float(rows["value"][0])
    assert values[4] == pytest.approx(200 / 3)
    assert values[5] == pytest.approx(100 / 3)


def test_other_filters_and_periods_never_share_an_answer(
    seeded: Callable[..., Workspace],
) -> None:
    ws = seeded(
        {
            "accounts": [
                {"account_id": "A", "name": "A", "segment": "SMB", "created_at": "2020-01-01"},
                {
                    "account_id": "B",
                    "name": "B",
                    "segment": "Enterprise",
                    "created_at": "2020-01-01",
                },
            ],
            "survey_responses": _responses("nps", [10, 10], account="A")
            + _responses("nps", [0], tag="b", account="B"),
        }
    )
    # All: 100 × (2 − 1) / 3; SMB: 100 × 2 / 2; Enterprise: 100 × (0 − 1) / 1.
    assert _value(ws, "nps") == pytest.approx(100 / 3)
    assert _value(ws, "nps", where={"segment": "SMB"}) == 100.0
    assert _value(ws, "nps", where={"segment": "Enterprise"}) == -100.0
    assert _value(ws, "nps") == pytest.approx(100 / 3)
    # April has no responses: no value, not March's.
    april = ws.compute(["nps"], start="2024-04-01", end="2024-04-30")["nps"].rows
    assert april["value"].isna().all()
