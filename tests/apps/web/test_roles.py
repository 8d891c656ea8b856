"""Each role against each API route: what it may read or change, and what it is refused.

A member (cara: CSM E1, books A1 and A2; rita: sales rep R1, books A1, A2, A3, A5) sees
the company's numbers and their own book; another person's account is a 404, as if it
did not exist. Leaders read everything; only admins change settings and users. Without
a session or token every route answers 401.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

ROLES = ("admin", "leader", "cara", "rita")
ALL = dict.fromkeys(ROLES, 200)
STAFF_ONLY = {"admin": 200, "leader": 200, "cara": 403, "rita": 403}
ADMIN_ONLY = {"admin": 200, "leader": 403, "cara": 403, "rita": 403}

#: (method, path, json body, expected status per role)
CASES: list[tuple[str, str, object, dict[str, int]]] = [
    ("GET", "/api/me", None, ALL),
    ("GET", "/api/status", None, ALL),
    ("GET", "/api/catalog", None, ALL),
    ("GET", "/api/metrics/nps", None, ALL),
    ("GET", "/api/metrics/nps?by=csm", None, STAFF_ONLY),
    ("GET", "/api/metrics/nps?where=csm=E2", None, STAFF_ONLY),
    ("GET", "/api/metrics/nps/explain?period=2026-09", None, ALL),
    ("GET", "/api/accounts", None, ALL),
    ("GET", "/api/accounts/A1", None, ALL),
    ("GET", "/api/accounts/A3", None, {"admin": 200, "leader": 200, "cara": 404, "rita": 200}),
    ("GET", "/api/accounts/A4", None, {"admin": 200, "leader": 200, "cara": 404, "rita": 404}),
    ("GET", "/api/settings", None, ALL),
    ("PATCH", "/api/settings", {"metrics": {"churn_grace_days": 0}}, ADMIN_ONLY),
    ("GET", "/api/users", None, ADMIN_ONLY),
    (
        "POST",
        "/api/users",
        {"username": "newbie", "password": "long enough pw", "role": "leader"},
        {"admin": 201, "leader": 403, "cara": 403, "rita": 403},
    ),
    ("DELETE", "/api/users/newbie", None, {"admin": 204, "leader": 403, "cara": 403, "rita": 403}),
    ("GET", "/api/scorecards", None, ALL),
    ("GET", "/api/scorecards/shared?period=2026-09&views=false", None, ALL),
    ("GET", "/api/scorecards/shared?period=2026-09&views=false&compare=csm", None, STAFF_ONLY),
    ("GET", "/api/scorecards/shared?period=2026-09&views=false&scope=csm:E2", None, STAFF_ONLY),
    ("GET", "/api/accounts/A1/health", None, ALL),
    (
        "GET",
        "/api/accounts/A4/health",
        None,
        {"admin": 200, "leader": 200, "cara": 404, "rita": 404},
    ),
    ("GET", "/api/alerts", None, ALL),
    # No rule has run on this company: alert 1 does not exist, for anyone.
    ("GET", "/api/alerts/1", None, dict.fromkeys(ROLES, 404)),
    ("POST", "/api/alerts/1/ack", {}, dict.fromkeys(ROLES, 404)),
    ("POST", "/api/alerts/1/resolve", {}, dict.fromkeys(ROLES, 404)),
]


def _path_template(path: str) -> str:
    return path.split("?")[0]


def test_every_api_route_is_in_the_matrix(app: FastAPI) -> None:
    covered = {(m, _path_template(p)) for m, p, _, _ in CASES}
    declared = set()
    for route in app.routes:
        path = getattr(route, "path", "")
        if not path.startswith("/api/") or path.startswith("/api/docs"):
            continue
        for method in getattr(route, "methods", set()) - {"HEAD"}:
            declared.add((method, path))
    templated = {
        (m, p.replace("nps", "{slug}").replace("A1", "{account_id}").replace("A3", "{account_id}"))
        for m, p in covered
    }
    templated = {
        (m, p.replace("A4", "{account_id}").replace("newbie", "{username}")) for m, p in templated
    }
    assert declared <= templated, f"routes without a role test: {sorted(declared - templated)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_each_route(role: str, as_role: Callable[[str], TestClient]) -> None:
    c = as_role(role)
    got = {}
    for method, path, body, expected in CASES:
        response = c.request(method, path, json=body)
        got[(method, path)] = response.status_code
        assert response.status_code == expected[role], (method, path, response.text)
    assert len(got) == len(CASES)


def test_anonymous_gets_401_everywhere(client: TestClient) -> None:
    for method, path, body, _ in CASES:
        response = client.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "not_authenticated"


def test_a_member_sees_only_their_book(as_role: Callable[[str], TestClient]) -> None:
    """cara (CSM E1) owns A1 and A2; the list, its total MRR and the facets say so."""
    listing = as_role("cara").get("/api/accounts", params={"facets": "true"}).json()
    assert sorted(r["account_id"] for r in listing["rows"]) == ["A1", "A2"]
    # MRR on 2026-10-15: A1 150 (the 2026-03-01 row), A2 0 (ended 2026-09-01).
    assert listing["total_mrr"] == 150.0
    assert [p["id"] for p in listing["facets"]["csm"]] == ["E1"]
    # A filter naming another CSM cannot widen the book.
    other = as_role("cara").get("/api/accounts", params={"csm": "E2"}).json()
    assert other["total"] == 0


def test_a_member_explain_lists_only_their_accounts(as_role: Callable[[str], TestClient]) -> None:
    """September NPS responses: A1 10, A2 3 (cara's), A3 9, A4 7 (Dan's). cara sees hers."""
    e = as_role("cara").get("/api/metrics/nps/explain", params={"period": "2026-09"}).json()
    assert e["where"] == {"csm_id": "E1"}
    accounts = sorted(r["account_id"] for s in e["sources"] for r in s["rows"])
    assert accounts == ["A1", "A2"]
    # Her book's NPS: one promoter, one detractor of two: 100 × (1 − 1) / 2 = 0.
    assert e["result"]["value"] == 0.0


def test_a_sales_member_book_is_kept_by_sales_rep(as_role: Callable[[str], TestClient]) -> None:
    """rita (R1, sales) is the rep of A1, A2, A3 and A5: September NPS over A1, A2, A3 is
    100 × (2 promoters − 1 detractor) / 3 = 33.3."""
    me = as_role("rita").get("/api/me").json()
    assert me["book_dimension"] == "sales_rep_id"
    series = as_role("rita").get("/api/metrics/nps", params={"from": "2026-09", "to": "2026-09"})
    assert series.json()["rows"][0]["value"] == pytest.approx(100 / 3)
