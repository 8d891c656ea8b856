"""One error shape for every error, pinned: {"error": {status, code, message, parameter}}."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.apps.web.conftest import make_app

SHAPE = {"error": {"status", "code", "message", "parameter"}}


def _shape(body: dict[str, object]) -> dict[str, set[str]]:
    return {k: set(v) for k, v in body.items() if isinstance(v, dict)} | {
        k: set() for k, v in body.items() if not isinstance(v, dict)
    }


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "parameter"),
    [
        ("GET", "/api/metrics/nps?grain=fortnight", 422, "invalid_parameter", "grain"),
        ("GET", "/api/metrics/nps?from=2026-13", 422, "invalid_parameter", "from"),
        ("GET", "/api/metrics/nps?from=26-01", 422, "invalid_parameter", "from"),
        ("GET", "/api/metrics/nps?to=9999", 422, "invalid_parameter", "to"),
        ("GET", "/api/metrics/nps?from=2026-09&to=2026-01", 422, "invalid_parameter", "from"),
        ("GET", "/api/metrics/nps?from=1900&grain=week", 422, "invalid_parameter", "from"),
        ("GET", "/api/metrics/nps?by=segmnt", 422, "invalid_parameter", "by"),
        ("GET", "/api/metrics/nps?where=segment", 422, "invalid_parameter", "where"),
        ("GET", "/api/metrics/nps?where=regoin=EMEA", 422, "invalid_parameter", "where"),
        ("GET", "/api/metrics/npx", 404, "not_found", "slug"),
        ("GET", "/api/metrics/nps/explain", 422, "invalid_parameter", "period"),
        (
            "GET",
            "/api/metrics/nps/explain?period=2026-09&limit=0",
            422,
            "invalid_parameter",
            "limit",
        ),
        ("GET", "/api/accounts?sort=colour", 422, "invalid_parameter", "sort"),
        ("GET", "/api/accounts?per_page=5000", 422, "invalid_parameter", "per_page"),
        ("GET", "/api/accounts?segment=smb", 422, "invalid_parameter", "segment"),
        ("GET", "/api/accounts?csm=E9", 422, "invalid_parameter", "csm"),
        ("GET", "/api/accounts/NOPE", 404, "not_found", "account_id"),
        ("GET", "/api/nothing-here", 404, "not_found", None),
        ("DELETE", "/api/catalog", 405, "method_not_allowed", None),
        ("PATCH", "/api/settings", 403, "forbidden", None),
    ],
)
def test_errors_have_one_shape(
    as_role: Callable[[str], TestClient],
    method: str,
    path: str,
    status: int,
    code: str,
    parameter: str | None,
) -> None:
    response = as_role("leader").request(method, path, json={})
    assert response.status_code == status, response.text
    body = response.json()
    assert _shape(body) == SHAPE
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["parameter"] == parameter
    assert body["error"]["message"]
    if parameter and status == 422:
        assert body["error"]["message"].startswith(parameter)


def test_did_you_mean_in_messages(as_role: Callable[[str], TestClient]) -> None:
    c = as_role("leader")
    assert "did you mean 'nps'" in c.get("/api/metrics/npx").json()["error"]["message"]
    assert "did you mean 'SMB'" in c.get("/api/accounts?segment=smb").json()["error"]["message"]
    assert (
        "did you mean 'segment'" in c.get("/api/metrics/nps?by=segmnt").json()["error"]["message"]
    )


def test_401_and_429_share_the_shape(client: TestClient) -> None:
    body = client.get("/api/catalog").json()
    assert _shape(body) == SHAPE and body["error"]["status"] == 401
    bad = client.get("/api/catalog", headers={"Authorization": "Bearer tdm_nope"}).json()
    assert bad["error"]["parameter"] == "Authorization"


def test_a_bug_is_a_500_in_the_same_shape_without_details(company: Path) -> None:
    app = make_app(company)

    @app.get("/api/crash")
    def crash() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/api/crash")
    assert response.status_code == 500
    body = response.json()
    assert _shape(body) == SHAPE
    assert body["error"]["code"] == "server_error"
    assert "internals" not in response.text


def test_pages_show_errors_as_html(logged_in: Callable[[str], TestClient]) -> None:
    c = logged_in("leader")
    page = c.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "no page or API route /no-such-page" in page.text
