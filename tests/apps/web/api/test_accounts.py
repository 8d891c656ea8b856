"""The account list and one account, against the hand-worked company (tests/company.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

Client = Callable[[str], TestClient]


def _ids(body: dict[str, object]) -> list[str]:
    return [r["account_id"] for r in body["rows"]]  # type: ignore[attr-defined, index]


def test_default_is_by_mrr_descending(as_role: Client) -> None:
    body = as_role("leader").get("/api/accounts").json()
    # MRR on 2026-10-15: A3 1000, A4 300, A1 150, then A2 and A5 at 0 (by id).
    assert _ids(body) == ["A3", "A4", "A1", "A2", "A5"]
    assert body["as_of"] == "2026-10-15"
    assert (body["total"], body["total_mrr"]) == (5, 1450.0)
    assert [r["status"] for r in body["rows"]] == [
        "customer",
        "customer",
        "customer",
        "churned",
        "prospect",
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sort": "name", "order": "asc"}, ["A1", "A2", "A4", "A5", "A3"]),
        ({"sort": "mrr", "order": "asc"}, ["A2", "A5", "A1", "A4", "A3"]),
        ({"segment": "Enterprise"}, ["A3", "A4"]),
        ({"status": "churned"}, ["A2"]),
        ({"csm": "E1"}, ["A1", "A2"]),
        ({"sales_rep": "R1", "sort": "name", "order": "asc"}, ["A1", "A2", "A5", "A3"]),
        ({"plan": "Enterprise"}, ["A3", "A4"]),
        ({"min_mrr": 200, "max_mrr": 500}, ["A4"]),
        ({"q": "alp"}, ["A1"]),
        ({"q": "a5"}, ["A5"]),
        ({"q": "100%"}, ["A4"]),  # a literal percent sign, not a wildcard
        ({"q": "n_p"}, ["A5"]),  # a literal underscore: 'Epsilon_Prospect' only
        ({"q": "%"}, ["A4"]),  # only 'Delta 100% Ltd' holds one
        ({"q": "' OR 1=1 --"}, []),
    ],
)
def test_filters_sort_and_search(
    as_role: Client, params: dict[str, object], expected: list[str]
) -> None:
    response = as_role("leader").get("/api/accounts", params=params)
    assert response.status_code == 200, response.text
    assert _ids(response.json()) == expected


def test_pages(as_role: Client) -> None:
    c = as_role("leader")
    first = c.get("/api/accounts", params={"per_page": 2}).json()
    third = c.get("/api/accounts", params={"per_page": 2, "page": 3}).json()
    beyond = c.get("/api/accounts", params={"per_page": 2, "page": 9}).json()
    assert (_ids(first), first["pages"]) == (["A3", "A4"], 3)
    assert _ids(third) == ["A5"]
    assert _ids(beyond) == [] and beyond["total"] == 5


def test_facets(as_role: Client) -> None:
    facets = as_role("leader").get("/api/accounts", params={"facets": "true"}).json()["facets"]
    assert facets["segment"] == ["Enterprise", "SMB"]
    assert facets["plan"] == ["Enterprise", "Growth", "Starter"]
    assert facets["csm"] == [{"id": "E1", "name": "Cara Stone"}, {"id": "E2", "name": "Dan Ortiz"}]


def test_one_account_tells_its_story(as_role: Client) -> None:
    body = as_role("leader").get("/api/accounts/A1").json()
    assert body["account"]["name"] == "Alpha Corp"
    assert body["account"]["mrr"] == 150.0
    kinds = [(e["day"], e["kind"]) for e in body["events"]]
    # Newest first: the September survey and ticket, the March expansion (100 → 150),
    # going live (2025-01-21), the first paid day and the onboarding start (2025-01-01).
    assert ("2026-03-01", "expansion") in kinds
    assert ("2025-01-01", "new") in kinds
    assert ("2025-01-21", "onboarding") in kinds
    assert kinds == sorted(kinds, key=lambda k: k[0], reverse=True)
    expansion = next(e for e in body["events"] if e["kind"] == "expansion")
    assert expansion["detail"] == "MRR 100 → 150 on Growth"
    nps = [s for s in body["surveys"] if s["survey"] == "nps"]
    assert [(s["score"], s["category"]) for s in nps] == [(10, "promoter"), (6, "detractor")]
    assert body["onboardings"][0]["days"] == 20 and body["onboardings"][0]["late"] is False


def test_usage_per_week(as_role: Client) -> None:
    """A1: sessions on 2026-09-29 (week of 09-28), 10-05 and 10-06 (week of 10-05); the
    export on 10-06 is an event but not a session. Minutes 600 + 1200 = 30 in October's week."""
    usage = as_role("leader").get("/api/accounts/A1").json()["usage"]
    assert len(usage) == 52
    weeks = {u["week"]: u for u in usage}
    assert weeks["2026-10-05"] == {
        "week": "2026-10-05",
        "sessions": 2,
        "minutes": 30.0,
        "users": 2,
        "events": 3,
    }
    assert weeks["2026-09-28"]["sessions"] == 1
    assert usage[-1]["week"] == "2026-10-12"  # the week holding today, 2026-10-15


def test_churn_shows_on_the_timeline(as_role: Client) -> None:
    events = as_role("leader").get("/api/accounts/A2").json()["events"]
    churn = next(e for e in events if e["kind"] == "churn")
    assert (churn["day"], churn["detail"], churn["tone"]) == ("2026-09-01", "MRR 50 → 0", "bad")
    assert any(e["kind"] == "escalation" for e in events)
