"""The result cache: same numbers as a fresh computation, and only stale periods recomputed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tandem.engine.compute as engine
from tandem.service.workspace import Workspace
from tandem.settings import MetricSettings, Settings
from tandem.synth import SynthConfig, generate

RANGE = {"start": "2025-11-01", "end": "2026-10-31"}


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal, floats up to summation order (DuckDB adds floats in parallel)."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    for col in a.columns:
        x, y = a[col], b[col]
        if x.dtype.kind == "f":
            if not np.allclose(x.fillna(-1.0), y.fillna(-1.0), rtol=1e-9, atol=1e-9):
                return False
        elif not x.astype(object).fillna("∅").equals(y.astype(object).fillna("∅")):
            return False
    return True


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("company")
    generate(SynthConfig(accounts=200, months=12, seed=3), out)
    return out


@pytest.fixture
def ws(tmp_path: Path, company: Path) -> Iterator[Workspace]:
    Workspace.init(tmp_path / "ws").close()
    quiet = Settings(metrics=MetricSettings(min_survey_responses=0))
    ws = Workspace(tmp_path / "ws", settings=quiet)
    ws.load([company])
    yield ws
    ws.close()


def _uncached(ws: Workspace) -> Workspace:
    off = ws.settings.model_copy(
        update={"cache": ws.settings.cache.model_copy(update={"mode": "off"})}
    )
    return Workspace(ws.path, settings=off)


def _check(ws: Workspace, **kwargs: Any) -> None:
    slugs = [m.slug for m in ws.catalog()]
    cached = ws.compute(slugs, **RANGE, **kwargs)
    fresh_ws = _uncached(ws)
    try:
        fresh = fresh_ws.compute(slugs, **RANGE, **kwargs)
    finally:
        fresh_ws.close()
    different = [s for s in slugs if not _same(cached[s].rows, fresh[s].rows)]
    assert different == []


def _write(path: Path, header: str, *rows: str) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_cached_results_equal_fresh_ones_after_loads_that_touch_old_periods(
    ws: Workspace, tmp_path: Path
) -> None:
    """Fill the cache, then change the past: a ticket and a subscription in an old month,
    an account's segment, a new day of usage. After each load the cached catalog (overall
    and by segment) must equal one computed from scratch."""
    slugs = [m.slug for m in ws.catalog()]
    ws.compute(slugs, **RANGE, by=["segment"])
    _check(ws)
    accounts = ws.store.table("accounts")
    account = ws.store.run(accounts.aggregate(first=accounts.account_id.min()))["first"][0].as_py()
    changes = [
        _write(
            tmp_path / "tickets.csv",
            "ticket_id,account_id,created_at,resolved_at,contacts,escalated",
            f"TX1,{account},2026-01-15T10:00:00Z,2026-01-16T10:00:00Z,1,true",
        ),
        _write(
            tmp_path / "subscriptions.csv",
            "subscription_id,account_id,mrr,valid_from,valid_to",
            f"SX1,{account},999,2026-02-10,2026-05-01",
        ),
        _write(
            tmp_path / "accounts.csv",
            "account_id,name,segment,created_at",
            f"{account},Renamed,Enterprise,2020-01-01",
        ),
        _write(
            tmp_path / "usage_events.csv",
            "account_id,user_id,ts,event,duration_s",
            f"{account},U1,2026-10-31T12:00:00Z,session,600",
        ),
    ]
    for change in changes:
        ws.load([change])
        _check(ws)
    _check(ws, by=["segment"])


def test_a_new_day_of_usage_recomputes_only_the_last_period_of_usage_sources(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slugs = [m.slug for m in ws.catalog()]
    ws.compute(slugs, **RANGE)
    computed: dict[str, list[dt.date]] = {}
    real = engine._aggregate

    def spy(frame: Any, source: str, items: Any) -> Any:
        computed[source] = [p.start for p in frame.periods]
        return real(frame, source, items)

    monkeypatch.setattr(engine, "_aggregate", spy)
    ws.compute(slugs, **RANGE)
    assert computed == {}, "a second request without a load recomputes nothing"

    accounts = ws.store.table("accounts")
    account = ws.store.run(accounts.aggregate(first=accounts.account_id.min()))["first"][0].as_py()
    ws.load(
        [
            _write(
                tmp_path / "usage_events.csv",
                "account_id,user_id,ts,event,duration_s",
                f"{account},U1,2026-10-30T12:00:00Z,session,600",
            )
        ]
    )
    ws.compute(slugs, **RANGE)
    # usage_events feed daily usage, adoption and time to value; nothing else read them.
    assert computed == {
        "usage": [dt.date(2026, 10, 1)],
        "adoption": [dt.date(2026, 10, 1)],
        "time_to_value": [dt.date(2026, 10, 1)],
    }
