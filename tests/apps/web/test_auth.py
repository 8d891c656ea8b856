"""Logging in and out, session cookies, API tokens, CSRF and the login rate limit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.apps.web.auth import SESSION_COOKIE, LoginLimiter
from tandem.state.users import Role, Users
from tests.apps.web.conftest import PASSWORD, csrf_of, login, make_app


def test_login_sets_a_signed_httponly_samesite_cookie(client: TestClient) -> None:
    response = login(client, "leader", next_path="/accounts?segment=SMB")
    assert response.status_code == 303
    assert response.headers["location"] == "/accounts?segment=SMB"
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # [web] secure_cookies is off by default (plain HTTP)
    assert client.get("/api/me").json()["username"] == "leader"


def test_a_tampered_cookie_is_no_session(client: TestClient) -> None:
    login(client, "leader")
    value = client.cookies[SESSION_COOKIE]
    payload, _, signature = value.partition(".")
    forged = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, forged)
    assert client.get("/api/me").status_code == 401
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value)
    assert client.get("/api/me").status_code == 200


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient) -> None:
    wrong = login(client, "leader", "not the password")
    unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password." in wrong.text
    assert "Wrong username or password." in unknown.text
    assert SESSION_COOKIE not in client.cookies


def test_redirect_after_login_stays_on_this_site(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert login(client, "leader", next_path=target).headers["location"] == "/"
        client.cookies.clear()


def test_the_login_form_needs_its_token(client: TestClient) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"username": "leader", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_login_is_rate_limited_per_user_and_address(company: Path) -> None:
    """Three failures in the window (setting login_attempts = 3), then 429 even for the
    right password, with Retry-After; another user from the same address is not blocked."""
    app = make_app(company, login_attempts=3, login_window_minutes=10)
    with TestClient(app) as c:
        for _ in range(3):
            assert login(c, "leader", "bad password").status_code == 401
        blocked = login(c, "leader")
        assert blocked.status_code == 429
        assert 0 < int(blocked.headers["retry-after"]) <= 600
        assert "Too many failed attempts" in blocked.text
        assert login(c, "admin").status_code == 303


def test_the_limiter_forgets_after_the_window() -> None:
    now = [0.0]
    limiter = LoginLimiter(2, 60, clock=lambda: now[0])
    keys = {"ip|u": 2}
    limiter.fail(list(keys))
    now[0] = 30
    limiter.fail(list(keys))
    assert limiter.retry_after(keys) == 31  # the first failure leaves the window at t=60
    now[0] = 60.5
    assert limiter.retry_after(keys) is None


def test_csrf_is_required_for_changes_made_with_a_session(
    logged_in: Callable[[str], TestClient],
) -> None:
    c = logged_in("admin")
    change = {"metrics": {"churn_grace_days": 0}}
    refused = c.patch("/api/settings", json=change)
    assert refused.status_code == 403
    assert refused.json()["error"]["parameter"] == "X-CSRF-Token"
    wrong = c.patch("/api/settings", json=change, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    ok = c.patch("/api/settings", json=change, headers={"X-CSRF-Token": csrf_of(c)})
    assert ok.status_code == 200


def test_logout_needs_the_form_token_and_ends_every_session(app: FastAPI) -> None:
    with TestClient(app) as one, TestClient(app) as two:
        login(one, "leader")
        login(two, "leader")
        assert one.post("/logout", data={}, follow_redirects=False).status_code == 403
        page = one.get("/definitions").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        out = one.post("/logout", data={"csrf_token": token.group(1)}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert one.get("/api/me").status_code == 401
        assert two.get("/api/me").status_code == 401  # logged out everywhere


def test_tokens_work_without_csrf_and_are_stored_hashed(
    company: Path, tokens: dict[str, str], client: TestClient
) -> None:
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    assert (
        client.patch(
            "/api/settings", json={"metrics": {"churn_grace_days": 0}}, headers=headers
        ).status_code
        == 200
    )
    state = (company / ".tandem" / "state.sqlite").read_bytes()
    assert tokens["admin"].encode() not in state
    assert client.get("/api/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_a_removed_user_loses_sessions_and_tokens_at_once(company: Path, app: FastAPI) -> None:
    users = Users(company)
    users.add("temp", "temporary password", Role.LEADER)
    token = users.create_token("temp")
    with TestClient(app) as c:
        login(c, "temp", "temporary password")
        assert c.get("/api/me").status_code == 200
        users.remove("temp")
        assert c.get("/api/me").status_code == 401
        assert c.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_demo_users_log_in_only_in_demo_mode(company: Path) -> None:
    Users(company).add("demo-admin", "printed password", Role.ADMIN, demo=True)
    with TestClient(make_app(company)) as c:
        assert login(c, "demo-admin", "printed password").status_code == 401
    with TestClient(make_app(company, demo=True)) as c:
        assert login(c, "demo-admin", "printed password").status_code == 303
    Users(company).remove("demo-admin")


def test_pages_send_visitors_without_a_session_to_the_login(client: TestClient) -> None:
    response = client.get("/accounts?segment=SMB", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faccounts%3Fsegment%3DSMB"
