"""The scorecard route over the hand-worked company (tests/company.py) and the built-in
shared scorecard: NPS has target 30 with a tolerance of 10 (amber within 10 below)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

Client = Callable[[str], TestClient]


def _line(card: dict[str, object], slug: str) -> dict[str, object]:
    return next(
        line
        for section in card["sections"]  # type: ignore[attr-defined]
        for line in section["lines"]
        if line["slug"] == slug
    )


def test_the_company_scorecard(as_role: Client) -> None:
    """September 2026: NPS 25 (2 promoters, 1 detractor of 4); August 0 → change +25.
    25 is below the target 30 by 5, within the tolerance of 10: amber."""
    card = as_role("leader").get("/api/scorecards/shared", params={"period": "2026-09"}).json()
    assert card["period"]["start"] == "2026-09-01"
    nps = _line(card, "nps")
    assert (nps["value"], nps["previous"], nps["change"]) == (25.0, 0.0, 25.0)
    assert (nps["target"], nps["status"]) == (30.0, "amber")
    assert nps["responses"] == 4 and nps["low_confidence"] is True


def test_a_csm_scope_and_a_comparison(as_role: Client) -> None:
    """Cara (E1): A1 10 and A2 3 → NPS 0, red (30 below the target). By CSM, Dan (E2)
    (9 and 7 → 50) comes first, then Cara (0)."""
    c = as_role("leader")
    mine = c.get("/api/scorecards/shared", params={"period": "2026-09", "scope": "csm:E1"}).json()
    assert mine["scope"]["kind"] == "csm" and "Cara Stone" in mine["scope"]["label"]
    assert _line(mine, "nps")["value"] == 0.0 and _line(mine, "nps")["status"] == "red"
    compared = c.get(
        "/api/scorecards/shared", params={"period": "2026-09", "compare": "csm", "views": "false"}
    ).json()
    league = next(lg for lg in compared["comparison"]["leagues"] if lg["slug"] == "nps")
    named = [(e["key"], e["value"]) for e in league["entries"] if e["key"] in ("E1", "E2")]
    assert named == [("E2", 50.0), ("E1", 0.0)]
    assert league["reference"] == 25.0


def test_a_member_gets_the_company_or_their_own_book(as_role: Client) -> None:
    c = as_role("cara")
    mine = c.get("/api/scorecards/shared", params={"period": "2026-09", "scope": "mine"}).json()
    assert mine["scope"]["value"] == "E1" and _line(mine, "nps")["value"] == 0.0
    company = c.get("/api/scorecards/shared", params={"period": "2026-09"})
    assert company.status_code == 200
    other = c.get("/api/scorecards/shared", params={"scope": "csm:E2"})
    assert other.status_code == 403 and other.json()["error"]["parameter"] == "scope"
    league = c.get("/api/scorecards/shared", params={"compare": "csm"})
    assert league.status_code == 403 and league.json()["error"]["parameter"] == "compare"


def test_bad_scorecard_requests(as_role: Client) -> None:
    c = as_role("leader")
    missing = c.get("/api/scorecards/sharde")
    assert (
        missing.status_code == 404 and "did you mean 'shared'" in missing.json()["error"]["message"]
    )
    assert c.get("/api/scorecards/..%2Fetc").status_code in (404, 422)
    bad_scope = c.get("/api/scorecards/shared", params={"scope": "csm:E9"})
    assert bad_scope.status_code == 422 and bad_scope.json()["error"]["parameter"] == "scope"
    assert c.get("/api/scorecards/shared", params={"compare": "team"}).status_code == 422
    assert [s["name"] for s in c.get("/api/scorecards").json()] == ["shared"]
