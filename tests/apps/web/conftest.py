"""A server over the hand-worked company (tests/company.py), with one user per role.

``client`` is anonymous; ``as_role("leader")`` sends that user's API token;
``logged_in("admin")`` holds a real session cookie obtained through the login form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.apps.web.config import WebConfig
from tandem.apps.web.server import create_app
from tandem.state.users import Role, Users
from tests.company import TODAY, make_workspace

SECRET = "test-secret-" + "x7Kq9" * 8
PASSWORD = "correct horse battery"
#: username → (role, team member)
USERS = {
    "admin": (Role.ADMIN, None),
    "leader": (Role.LEADER, None),
    "cara": (Role.MEMBER, "E1"),  # CSM of A1, A2
    "rita": (Role.MEMBER, "R1"),  # sales rep of A1, A2, A3, A5
}


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace, loaded once, with a user per role (tokens in ``tokens.txt`` lines)."""
    root = tmp_path_factory.mktemp("company")
    path = make_workspace(root)
    users = Users(path)
    lines = []
    for name, (role, member) in USERS.items():
        users.add(name, PASSWORD, role, member_id=member)
        lines.append(f"{name} {users.create_token(name, 'tests')}")
    (root / "tokens.txt").write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tokens(company: Path) -> dict[str, str]:
    text = (company.parent / "tokens.txt").read_text(encoding="utf-8")
    return dict(line.split(" ", 1) for line in text.splitlines())


def make_app(
    workspace: Path, *, demo: bool = False, today: dt.date = TODAY, **web: object
) -> FastAPI:
    from tandem.settings import WebSettings

    return create_app(
        WebConfig(
            workspace=workspace,
            secret=SECRET,
            demo=demo,
            web=WebSettings(**web),  # type: ignore[arg-type]
            today=lambda: today,
        )
    )


@pytest.fixture(scope="module")
def app(company: Path) -> FastAPI:
    return make_app(company)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def as_role(app: FastAPI, tokens: dict[str, str]) -> Iterator[Callable[[str], TestClient]]:
    made: list[TestClient] = []

    def make(username: str) -> TestClient:
        c = TestClient(app, raise_server_exceptions=False)
        c.headers["Authorization"] = f"Bearer {tokens[username]}"
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def login(c: TestClient, username: str, password: str = PASSWORD, next_path: str = "/") -> object:
    form = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    return c.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": token.group(1),
            "next": next_path,
        },
        follow_redirects=False,
    )


def csrf_of(c: TestClient) -> str:
    page = c.get("/definitions")
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', page.text)
    assert found, page.text
    return found.group(1)


@pytest.fixture
def logged_in(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    made: list[TestClient] = []

    def make(username: str) -> TestClient:
        c = TestClient(app, raise_server_exceptions=False)
        made.append(c)
        response = login(c, username)
        assert response.status_code == 303, response.text  # type: ignore[attr-defined]
        return c

    yield make
    for c in made:
        c.close()
