"""Fixtures for metric tests: a workspace seeded with hand-made rows.

Rows are inserted straight into the store (not through ``tandem load``) so
metric tests depend only on the metric code; loading has its own tests.
Columns a row leaves out are NULL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tandem.service.workspace import Workspace
from tandem.settings import MetricSettings, Settings
from tests.seed import Rows, insert


@pytest.fixture
def seeded(tmp_path: Path) -> Callable[..., Workspace]:
    """``seeded(rows, **knobs)``: a fresh workspace holding ``rows``, with knobs set.

    Accounts referenced by other tables are created when ``rows`` has no
    ``accounts`` entry for them. ``min_survey_responses`` defaults to 0 so small
    hand-made samples raise no warning.
    """
    made: list[Workspace] = []

    def make(rows: Rows, **knobs: Any) -> Workspace:
        folder = tmp_path / f"ws{len(made)}"
        Workspace.init(folder).close()
        knobs.setdefault("min_survey_responses", 0)
        settings = Settings(metrics=MetricSettings(**knobs))
        ws = Workspace(folder, settings=settings, today=lambda: dt.date(2030, 1, 1))
        named = {r["account_id"] for r in rows.get("accounts", [])}
        referenced = sorted(
            {
                r["account_id"]
                for t, rs in rows.items()
                if t != "accounts"
                for r in rs
                if "account_id" in r
            }
            - named
        )
        accounts = list(rows.get("accounts", [])) + [
            {"account_id": a, "name": f"Account {a}", "created_at": "2020-01-01"}
            for a in referenced
        ]
        for name, items in {**rows, "accounts": accounts}.items():
            if items:
                insert(ws, name, items)
        made.append(ws)
        return ws

    yield make  # type: ignore[misc]
    for ws in made:
        ws.close()
