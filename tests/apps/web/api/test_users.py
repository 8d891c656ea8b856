"""Admins list, add and remove users through the API."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tandem.state.users import Users


def test_list_add_remove(as_role: Callable[[str], TestClient], company: object) -> None:
    c = as_role("admin")
    names = [u["username"] for u in c.get("/api/users").json()]
    assert {"admin", "leader", "cara", "rita"} <= set(names)
    assert all(u["tokens"] >= 1 for u in c.get("/api/users").json() if u["username"] in names[:4])
    made = c.post(
        "/api/users",
        json={
            "username": "dan",
            "password": "a long password",
            "role": "member",
            "member_id": "E2",
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["member_id"] == "E2"
    assert Users(company).verify("dan", "a long password") is not None  # type: ignore[arg-type]
    assert c.delete("/api/users/dan").status_code == 204
    assert c.delete("/api/users/dan").status_code == 404


def test_bad_users_are_refused(as_role: Callable[[str], TestClient]) -> None:
    c = as_role("admin")
    cases = [
        ({"username": "x", "password": "short", "role": "leader"}, 422, "password"),
        (
            {"username": "bad name!", "password": "a long password", "role": "leader"},
            422,
            "username",
        ),
        ({"username": "m", "password": "a long password", "role": "member"}, 422, "member_id"),
        (
            {"username": "m", "password": "a long password", "role": "member", "member_id": "E9"},
            422,
            "member_id",
        ),
        ({"username": "m", "password": "a long password", "role": "boss"}, 422, "role"),
        ({"username": "leader", "password": "a long password", "role": "leader"}, 409, "username"),
    ]
    for body, status, parameter in cases:
        response = c.post("/api/users", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"]["parameter"] == parameter, body


def test_an_admin_cannot_remove_themselves(as_role: Callable[[str], TestClient]) -> None:
    assert as_role("admin").delete("/api/users/admin").status_code == 409
