"""The embedded store reuses compiled SQL, never results: a load shows up at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tandem.service.workspace import Workspace
from tandem.settings import MetricSettings, Settings
from tests.seed import insert


def _nps(rid: str, score: int) -> dict[str, object]:
    return {
        "response_id": rid,
        "account_id": "A",
        "survey": "nps",
        "score": score,
        "responded_at": "2024-03-05T09:00:00",
    }


def test_the_same_request_after_a_load_counts_the_new_rows(tmp_path: Path) -> None:
    Workspace.init(tmp_path).close()
    base = Settings(metrics=MetricSettings(min_survey_responses=0))
    settings = base.model_copy(update={"cache": base.cache.model_copy(update={"mode": "off"})})
    with Workspace(tmp_path, settings=settings, today=lambda: dt.date(2030, 1, 1)) as ws:
        insert(ws, "accounts", [{"account_id": "A", "name": "A", "created_at": "2020-01-01"}])
        insert(ws, "survey_responses", [_nps("r1", 10), _nps("r2", 3)])

        def march() -> tuple[float, int]:
            rows = ws.compute(["nps"], start="2024-03-01", end="2024-03-31")["nps"].rows
            return float(rows["value"][0]), int(rows["nps_responses"][0])

        # One promoter, one detractor: (1 - 1) / 2 = 0.
        assert march() == (0.0, 2)
        compiled = dict(ws.store._compiled)  # type: ignore[attr-defined]
        assert compiled, "the first request should have left its SQL"
        insert(ws, "survey_responses", [_nps("r3", 9)])
        # Two promoters, one detractor, three responses: 100 × (2 - 1) / 3.
        value, responses = march()
        assert responses == 3
        assert abs(value - 100 / 3) < 1e-9
        assert ws.store._compiled == compiled  # type: ignore[attr-defined]  # reused, not recompiled
