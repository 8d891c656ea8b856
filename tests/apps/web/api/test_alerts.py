"""Alerts through the API: a member sees and acts on their own; leaders on every one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tandem.state.users import Role, Users
from tests.apps.web.conftest import make_app
from tests.company import make_workspace


@pytest.fixture
def raised(tmp_path: Path) -> Iterator[tuple[dict[str, TestClient], int]]:
    """A1's detractor response (6 on 2026-08-05) raises the 'detractor' rule (a response
    of 0-6 in the last 7 days) as of 2026-08-10, routed to A1's CSM, E1 (cara)."""
    from tandem.alerts import list_alerts, run, write_default_rules
    from tandem.service.workspace import Workspace

    path = make_workspace(tmp_path)
    write_default_rules(path)
    with Workspace(path) as ws:
        run(ws, as_of=dt.date(2026, 8, 10), deliver=False)
        found = [a for a in list_alerts(ws) if a.rule_id == "detractor" and a.account_id == "A1"]
    users = Users(path)
    clients = {}
    app = make_app(path)
    for name, role, member in (
        ("boss", Role.LEADER, None),
        ("cara", Role.MEMBER, "E1"),
        ("dan", Role.MEMBER, "E2"),
    ):
        users.add(name, "a long password", role, member_id=member)
        c = TestClient(app, raise_server_exceptions=False)
        c.headers["Authorization"] = f"Bearer {users.create_token(name)}"
        clients[name] = c
    yield clients, found[0].alert_id
    for c in clients.values():
        c.close()


def test_who_sees_the_alert(raised: tuple[dict[str, TestClient], int]) -> None:
    clients, alert_id = raised
    mine = clients["cara"].get("/api/alerts").json()
    assert alert_id in [a["alert_id"] for a in mine]
    assert all(a["owner_id"] == "E1" or a["escalated_to"] == "E1" for a in mine)
    assert alert_id not in [a["alert_id"] for a in clients["dan"].get("/api/alerts").json()]
    assert clients["dan"].get(f"/api/alerts/{alert_id}").status_code == 404
    history = clients["boss"].get(f"/api/alerts/{alert_id}").json()
    assert history["alert"]["account_id"] == "A1"
    assert history["events"][0]["action"] == "raised"


def test_acknowledge_then_resolve(raised: tuple[dict[str, TestClient], int]) -> None:
    clients, alert_id = raised
    assert clients["dan"].post(f"/api/alerts/{alert_id}/ack", json={}).status_code == 404
    acked = clients["cara"].post(f"/api/alerts/{alert_id}/ack", json={"note": "called them"})
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == "cara"
    done = clients["boss"].post(f"/api/alerts/{alert_id}/resolve", json={"note": "discount agreed"})
    assert done.json()["status"] == "resolved" and done.json()["resolved_by"] == "boss"
    again = clients["cara"].post(f"/api/alerts/{alert_id}/ack", json={})
    assert again.status_code == 409 and "already resolved" in again.json()["error"]["message"]
    events = clients["boss"].get(f"/api/alerts/{alert_id}").json()["events"]
    assert [e["action"] for e in events] == ["raised", "acknowledged", "resolved"]
    assert (
        clients["boss"].get("/api/alerts", params={"status": "resolved"}).json()[0]["alert_id"]
        == alert_id
    )


def test_unknown_alerts_and_bad_filters(raised: tuple[dict[str, TestClient], int]) -> None:
    clients, _ = raised
    assert clients["boss"].get("/api/alerts/999999").status_code == 404
    assert clients["boss"].post("/api/alerts/999999/resolve", json={}).status_code == 404
    assert clients["boss"].get("/api/alerts", params={"status": "closed"}).status_code == 422
