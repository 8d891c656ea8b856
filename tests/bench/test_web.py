"""The web benchmark step, tiny: a real server, two clients, every figure present."""

from __future__ import annotations

from pathlib import Path

from tandem.bench.web import lines, measure
from tests.company import make_workspace


def test_web_step_measures_warm_cold_and_a_load(tmp_path: Path) -> None:
    path = make_workspace(tmp_path)
    day = tmp_path / "day"
    day.mkdir()
    (day / "survey_responses.csv").write_text(
        "response_id,account_id,survey,score,responded_at\nV77,A3,nps,10,2026-10-02\n"
    )
    figures = measure(path, day=day, clients=2, per_client=2, paint=False)
    for phase in ("warm", "cold"):
        for kind in ("metric", "accounts"):
            summary = figures[phase][kind]
            assert summary["requests"] == 4 and summary["errors"] == 0, summary
            assert 0 < summary["p50_ms"] <= summary["p95_ms"] <= summary["max_ms"]
    during = figures["during_load"]
    # The load lands while the clients run, and no client sees an error.
    assert during["load_exit"] == 0, during["load_error"]
    assert during["metric"]["errors"] == during["accounts"]["errors"] == 0
    text = "\n".join(lines(figures))
    assert "| metric |" in text and "During a load" in text


def test_a_cold_request_that_never_answered_is_named_not_shown_as_none() -> None:
    timed = {"requests": 3, "errors": 0, "p50_ms": 10.0, "p95_ms": 20.0, "per_second": 5.0}
    failed = {"requests": 0, "errors": 20, "first_errors": ["TimeoutError /api/x"] * 3}
    figures = {
        "clients": 20,
        "warm": {"scorecard": timed},
        "cold": {"scorecard": failed},
        "book_build_ms": 1.0,
    }
    text = "\n".join(lines(figures))
    assert "| scorecard | 10.0 ms | 20.0 ms | — | — | 5.0 |" in text
    assert "Cold scorecard: no answer among 20 requests (TimeoutError)" in text
    assert "None" not in text
