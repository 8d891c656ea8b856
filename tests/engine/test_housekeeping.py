"""Computing leaves nothing behind: a long-running server computes many times."""

from __future__ import annotations

from collections.abc import Callable

from tandem.engine.compute import _local_duckdb
from tandem.semantic import catalog
from tandem.service.workspace import Workspace

ROWS = {
    "subscriptions": [
        {"subscription_id": "s1", "account_id": "A", "mrr": 100, "valid_from": "2024-01-01"},
    ],
    "survey_responses": [
        {
            "response_id": "r1",
            "account_id": "A",
            "survey": "nps",
            "score": 9,
            "responded_at": "2024-02-03T10:00:00",
        },
    ],
}


def test_no_temporary_tables_are_left(seeded: Callable[..., Workspace]) -> None:
    ws = seeded(ROWS)
    slugs = [m.slug for m in catalog.default_catalog()]
    ws.compute(slugs, start="2024-01-01", end="2024-03-31")
    ws.compute(slugs, start="2024-01-01", end="2024-03-31", by=["segment"])
    local = _local_duckdb()
    assert local.execute("SELECT table_name FROM duckdb_tables()").fetchall() == []
    assert local.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall() == []
    temp = ws.store.raw.execute(  # type: ignore[attr-defined]
        "SELECT table_name FROM duckdb_tables() WHERE temporary"
    ).fetchall()
    assert temp == []
