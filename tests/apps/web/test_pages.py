"""The page shells: who may open which, their JSON twins, headers and Plotly from the package."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path

import plotly
from fastapi.testclient import TestClient

from tandem.apps.web.server import CSP

PAGES = {
    "/definitions": "/api/catalog",
    "/metrics/nps": "/api/metrics/nps",
    "/accounts": "/api/accounts",
    "/accounts/A1": "/api/accounts/A1",
    "/settings": "/api/settings",
}


def test_every_page_names_its_json_twin(logged_in: Callable[[str], TestClient]) -> None:
    c = logged_in("leader")
    for page, api in PAGES.items():
        response = c.get(page)
        assert response.status_code == 200, page
        assert f'data-api="{api}"' in response.text, page
        assert c.get(api).status_code == 200, api


def test_pages_load_only_scripts_of_this_server(logged_in: Callable[[str], TestClient]) -> None:
    text = logged_in("leader").get("/metrics/nps").text
    sources = re.findall(r'<script[^>]*src="([^"]+)"', text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert "<script>" not in text  # no inline script: the CSP forbids them
    assert any(s.startswith("/assets/plotly-") for s in sources)


def test_security_headers(logged_in: Callable[[str], TestClient]) -> None:
    response = logged_in("leader").get("/accounts")
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    api = logged_in("leader").get("/api/catalog")
    assert api.headers["cache-control"] == "no-store"
    missing = logged_in("leader").get("/api/no-such-route")
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"
    assert missing.headers["x-frame-options"] == "DENY"
    # A header the route set itself is kept, not doubled.
    script = logged_in("leader").get(f"/assets/plotly-{plotly.__version__}.min.js")
    assert script.headers.get_list("cache-control") == ["public, max-age=31536000, immutable"]
    assert script.headers["x-content-type-options"] == "nosniff"


def test_plotly_comes_from_the_installed_package_with_a_long_cache(client: TestClient) -> None:
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    url = f"/assets/plotly-{plotly.__version__}.min.js"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.content == path.read_bytes()
    assert "immutable" in plain.headers["cache-control"]
    packed = client.get(
        url,
        headers={"Accept-Encoding": "gzip"},
    )
    assert packed.headers["content-encoding"] == "gzip"
    raw = packed.content if packed.content[:2] != b"\x1f\x8b" else gzip.decompress(packed.content)
    assert raw == path.read_bytes()


def test_admin_pages_are_for_admins(logged_in: Callable[[str], TestClient]) -> None:
    assert logged_in("admin").get("/admin/users").status_code == 200
    refused = logged_in("leader").get("/admin/users", headers={"Accept": "text/html"})
    assert refused.status_code == 403
    assert "needs the admin role" in refused.text


def test_the_navigation_follows_the_role(logged_in: Callable[[str], TestClient]) -> None:
    admin = logged_in("admin").get("/definitions").text
    member = logged_in("cara").get("/definitions").text
    assert 'href="/admin/users"' in admin
    assert 'href="/admin/users"' not in member


def test_login_page_and_static_files(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    for path in ("/static/app.css", "/static/js/app.js", "/static/js/metric.js", "/favicon.ico"):
        assert client.get(path).status_code == 200, path
