"""A period whose rows no measure counts still has its row: zero counts, no value."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from tandem.service.workspace import Workspace


def _response(rid: str, survey: str, score: int, when: str) -> dict[str, object]:
    return {
        "response_id": rid,
        "account_id": "A",
        "survey": survey,
        "score": score,
        "responded_at": when,
    }


def test_a_month_with_only_other_surveys(seeded: Callable[..., Workspace]) -> None:
    ws = seeded(
        {
            "survey_responses": [
                _response("jan", "nps", 10, "2024-01-10T10:00:00"),
                _response("feb", "csat", 5, "2024-02-10T10:00:00"),  # no NPS answer in February
                _response("mar", "nps", 0, "2024-03-10T10:00:00"),
            ]
        }
    )
    rows = ws.compute(["nps"], start="2024-01-01", end="2024-03-31")["nps"].rows
    assert [str(p) for p in rows["period"]] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert rows["nps_responses"].tolist() == [1, 0, 1]
    assert rows["promoters"].tolist() == [1, 0, 0]
    assert rows["detractors"].tolist() == [0, 0, 1]
    assert rows["value"][0] == 100.0 and rows["value"][2] == -100.0
    assert pd.isna(rows["value"][1])
