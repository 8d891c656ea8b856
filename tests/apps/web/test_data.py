"""The server's way into the workspace: pooled per request, closed when idle, answers per load."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tandem.apps.web.config import WebConfig
from tandem.apps.web.data import IDLE_CLOSE_SECONDS, Data
from tandem.settings import WebSettings
from tests.company import TODAY, make_workspace


@pytest.fixture
def data(tmp_path: Path) -> Data:
    path = make_workspace(tmp_path)
    made = Data(WebConfig(workspace=path, secret="x" * 40, today=lambda: TODAY))
    yield made  # type: ignore[misc]
    made.close()


def test_a_workspace_is_reused_then_closed_when_idle(data: Data) -> None:
    with data.workspace() as first:
        pass
    with data.workspace() as second:
        pass
    assert second is first
    assert data.close_idle(now=time.monotonic()) == 0  # released just now
    assert data.close_idle(now=time.monotonic() + IDLE_CLOSE_SECONDS + 0.1) == 1
    with data.workspace() as third:
        assert third is not first


def test_concurrent_requests_get_their_own_workspace(data: Data) -> None:
    with data.workspace() as one, data.workspace() as two:
        assert one is not two


def test_a_changed_settings_file_drops_pooled_workspaces(data: Data) -> None:
    with data.workspace() as first:
        pass
    path = data.config.workspace / "tandem.toml"
    path.write_text(path.read_text() + "\n")
    later = path.stat().st_mtime + 5
    import os

    os.utime(path, (later, later))
    with data.workspace() as second:
        assert second is not first


def test_answers_are_kept_per_load(data: Data, tmp_path: Path) -> None:
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with data.workspace() as ws:
        assert data.answer(ws, ("k",), compute) == 1
        assert data.answer(ws, ("k",), compute) == 1
        assert data.answer(ws, ("other",), compute) == 2
        first = data.stamp(ws).loaded_at
        assert first is not None
    data.close_idle(now=time.monotonic() + 10)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "survey_responses.csv").write_text(
        "response_id,account_id,survey,score,responded_at\nV99,A3,nps,10,2026-11-02\n"
    )
    with data.workspace() as ws:
        ws.load([extra])
    data.close_idle(now=time.monotonic() + 10)
    with data.workspace() as ws:
        assert data.stamp(ws).loaded_at > first
        assert data.answer(ws, ("k",), compute) == 3  # computed afresh after the load


def test_identical_requests_compute_once(data: Data) -> None:
    calls = []
    gate = threading.Event()

    def slow() -> str:
        calls.append(1)
        gate.wait(5)
        return "done"

    results: list[str] = []

    def ask() -> None:
        with data.workspace() as ws:
            results.append(data.answer(ws, ("slow",), slow))

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    gate.set()
    for t in threads:
        t.join()
    assert results == ["done"] * 5 and len(calls) == 1


def test_without_the_response_cache_every_request_computes(tmp_path: Path) -> None:
    path = make_workspace(tmp_path)
    data = Data(WebConfig(workspace=path, secret="x" * 40, web=WebSettings(response_cache=False)))
    try:
        calls = []
        with data.workspace() as ws:
            data.answer(ws, ("k",), lambda: calls.append(1))
            data.answer(ws, ("k",), lambda: calls.append(1))
        assert len(calls) == 2
    finally:
        data.close()
