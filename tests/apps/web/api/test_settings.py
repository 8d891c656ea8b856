"""Reading settings, and an admin changing metric knobs (written to tandem.toml, comments kept)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.apps.web.conftest import make_app
from tests.company import make_workspace


@pytest.fixture
def own(tmp_path: Path, tokens: dict[str, str]) -> Iterator[tuple[Path, TestClient]]:
    """A workspace of this test's own (settings change), with an admin token."""
    from tandem.state.users import Role, Users

    path = make_workspace(tmp_path)
    users = Users(path)
    users.add("boss", "long enough pw", Role.ADMIN)
    with TestClient(make_app(path), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {users.create_token('boss')}"
        yield path, c


def test_everyone_reads_the_settings_but_no_secret(as_role: Callable[[str], TestClient]) -> None:
    body = as_role("cara").get("/api/settings").json()
    sections = {s["name"]: {x["name"]: x for x in s["settings"]} for s in body["sections"]}
    assert sections["metrics"]["churn_grace_days"]["value"] == 0
    assert sections["metrics"]["churn_grace_days"]["editable"] is True
    assert sections["backend"]["url"]["editable"] is False
    assert "secret" not in str(sections["web"].get("secret", ""))
    assert sections["web"]["secret_file"]["value"] == ".tandem/web-secret"


def test_an_admin_changes_a_knob_and_numbers_follow(own: tuple[Path, TestClient]) -> None:
    """With min_survey_responses = 0 the NPS series carries no small-sample note."""
    path, c = own
    before = c.get("/api/metrics/nps", params={"from": "2026-09", "to": "2026-09"}).json()
    assert before["notes"]
    response = c.patch(
        "/api/settings", json={"metrics": {"min_survey_responses": 0, "churn_grace_days": 7}}
    )
    assert response.status_code == 200, response.text
    text = (path / "tandem.toml").read_text()
    assert "min_survey_responses = 0" in text and "churn_grace_days = 7" in text
    assert "# Environment variables TANDEM__SECTION__KEY override this file." in text
    after = c.get("/api/metrics/nps", params={"from": "2026-09", "to": "2026-09"}).json()
    assert after["notes"] == [] and after["knobs"] == {"min_survey_responses": 0}
    assert after["fingerprint"] != before["fingerprint"]


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        ({"metrics": {"churn_grace_days": -1}}, "metrics.churn_grace_days"),
        ({"metrics": {"churn_grace_dayz": 1}}, "metrics.churn_grace_dayz"),
        ({"metrics": {"csat_threshold": 9}}, "metrics"),
        ({"backend": {"url": "postgres://x"}}, "backend"),
        ({"web": {"secure_cookies": True}}, "web"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(
    own: tuple[Path, TestClient], change: dict[str, object], parameter: str
) -> None:
    path, c = own
    before = (path / "tandem.toml").read_text()
    response = c.patch("/api/settings", json=change)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["parameter"].startswith(parameter)
    assert (path / "tandem.toml").read_text() == before


def test_a_knob_set_by_the_environment_is_not_changed_here(
    own: tuple[Path, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, c = own
    monkeypatch.setenv("TANDEM__METRICS__CHURN_GRACE_DAYS", "3")
    response = c.patch("/api/settings", json={"metrics": {"churn_grace_days": 5}})
    assert response.status_code == 409
    assert "TANDEM__METRICS__CHURN_GRACE_DAYS" in response.json()["error"]["message"]
