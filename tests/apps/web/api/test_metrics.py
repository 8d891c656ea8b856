"""The metric series and explain routes, against the hand-worked company (tests/company.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

Client = Callable[[str], TestClient]


def test_series_by_month(as_role: Client) -> None:
    """August: A1 6, A3 10 → 0; September: 10, 3, 9, 7 → 100 × (2 − 1) / 4 = 25."""
    body = (
        as_role("leader")
        .get("/api/metrics/nps", params={"from": "2026-08", "to": "2026-09"})
        .json()
    )
    assert [(r["period"], r["value"]) for r in body["rows"]] == [
        ("2026-08-01", 0.0),
        ("2026-09-01", 25.0),
    ]
    september = body["rows"][1]
    assert (september["promoters"], september["passives"], september["detractors"]) == (2, 1, 1)
    assert body["metric"]["sample"] == "nps_responses"
    assert body["knobs"] == {"min_survey_responses": 30}
    # Four responses are below the 30 the setting asks for: said, not hidden.
    assert body["notes"] and "fewer than 30 responses" in body["notes"][0]


def test_series_by_segment_and_filtered(as_role: Client) -> None:
    """September by segment: SMB (10, 3) → 0; Enterprise (9, 7) → 50."""
    c = as_role("leader")
    body = c.get(
        "/api/metrics/nps", params={"from": "2026-09", "to": "2026-09", "by": "segment"}
    ).json()
    assert body["dimensions"] == ["segment"]
    assert {r["segment"]: r["value"] for r in body["rows"]} == {"SMB": 0.0, "Enterprise": 50.0}
    only = c.get(
        "/api/metrics/nps",
        params={"from": "2026-09", "to": "2026-09", "where": "segment=Enterprise"},
    ).json()
    assert only["where"] == {"segment": "Enterprise"}
    assert only["rows"][0]["value"] == 50.0


def test_series_by_csm_carries_names(as_role: Client) -> None:
    """September by CSM: E1 (A1 10, A2 3) → 0; E2 (A3 9, A4 7) → 50; the accounts without
    a CSM (A5) are a group of their own, with no responses and so no value."""
    body = (
        as_role("leader")
        .get("/api/metrics/nps", params={"from": "2026-09", "to": "2026-09", "by": "csm"})
        .json()
    )
    assert "csm_name" in body["dimensions"]
    assert {(r["csm_id"], r["csm_name"]): r["value"] for r in body["rows"]} == {
        ("E1", "Cara Stone"): 0.0,
        ("E2", "Dan Ortiz"): 50.0,
        (None, None): None,
    }


def test_quarter_grain(as_role: Client) -> None:
    """2026 Q3 holds all six NPS responses: promoters 10, 9, 10; detractors 3, 6; passive 7:
    100 × (3 − 2) / 6 = 16.7."""
    body = (
        as_role("leader")
        .get("/api/metrics/nps", params={"grain": "quarter", "from": "2026-07", "to": "2026-09"})
        .json()
    )
    assert body["grain"] == "quarter"
    assert [r["value"] for r in body["rows"]] == [pytest.approx(100 / 6)]


def test_mrr_and_its_movements(as_role: Client) -> None:
    """September 2026: A2 (50) churns on 2026-09-01; MRR at the end is 150 + 1000 + 300."""
    body = (
        as_role("leader")
        .get("/api/metrics/mrr", params={"from": "2026-09", "to": "2026-09"})
        .json()
    )
    row = body["rows"][0]
    assert row["value"] == 1450.0
    assert row["churned_mrr"] == 50.0


def test_explain_lists_the_rows_behind_the_number(as_role: Client) -> None:
    body = (
        as_role("leader")
        .get("/api/metrics/nps/explain", params={"period": "2026-09-17", "limit": 2})
        .json()
    )
    assert body["period"] == {"start": "2026-09-01", "end": "2026-09-30"}
    assert body["result"]["value"] == 25.0
    (source,) = body["sources"]
    assert source["total_rows"] == 4 and len(source["rows"]) == 2
    assert {"account_id", "promoters", "detractors"} <= set(source["columns"])


def test_explain_with_a_filter(as_role: Client) -> None:
    body = (
        as_role("leader")
        .get("/api/metrics/nps/explain", params={"period": "2026-09", "where": "segment=SMB"})
        .json()
    )
    rows = body["sources"][0]["rows"]
    assert sorted(r["account_id"] for r in rows) == ["A1", "A2"]
    assert body["result"]["value"] == 0.0


def test_catalog_lists_every_metric_and_dimension(as_role: Client) -> None:
    body = as_role("cara").get("/api/catalog").json()
    slugs = [m["slug"] for m in body["metrics"]]
    assert {"nps", "csat", "mrr", "net_revenue_retention", "days_to_onboard"} <= set(slugs)
    assert len(slugs) == len(set(slugs))
    assert {"segment", "csm", "plan", "cohort"} <= set(body["dimensions"])
    assert body["grains"] == ["week", "month", "quarter", "year"]
