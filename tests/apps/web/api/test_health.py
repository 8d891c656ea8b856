"""An account's health over time through the API; the account list carries the scores."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient

Client = Callable[[str], TestClient]


def test_history_with_contributions(as_role: Client) -> None:
    body = as_role("leader").get("/api/accounts/A1/health").json()
    assert body["account_id"] == "A1" and body["history"]
    last = body["history"][-1]
    assert last["as_of"] <= "2026-10-15"
    points = [c["points"] for c in last["components"] if c["points"] is not None]
    # The contributions add up to the score (tandem.health's definition).
    assert abs(sum(points) - last["health_score"]) < 1e-6
    assert set(body["weights"]) == {c["name"] for c in last["components"]}


def test_a_member_cannot_see_another_book(as_role: Client) -> None:
    assert as_role("cara").get("/api/accounts/A3/health").status_code == 404
    assert as_role("cara").get("/api/accounts/A1/health").status_code == 200


def test_the_list_gets_health_scores(as_role: Client) -> None:
    """Scores are attached in the background after the book is built; the list shows them
    once ready (customers only: A2 churned and A5 never paid have none)."""
    c = as_role("leader")
    for _ in range(100):
        rows = c.get("/api/accounts", params={"sort": "health", "order": "asc"}).json()["rows"]
        if rows[0]["health_score"] is not None:
            break
        time.sleep(0.1)
    scored = {r["account_id"]: r["health_score"] for r in rows if r["health_score"] is not None}
    assert set(scored) == {"A1", "A3", "A4"}
    assert [r["health_score"] for r in rows][:3] == sorted(scored.values())
