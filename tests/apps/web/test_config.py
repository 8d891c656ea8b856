"""The session secret: refused outside demo mode when missing, default, short or exposed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tandem.apps.web.config import SECRET_ENV, load_config, new_secret_file
from tandem.errors import ConfigError
from tandem.service.workspace import Workspace

GOOD = "k2P9xQ7rT4vW8yZ1bN5mL3jH6gF0dS2aE9cU7iO4pK1"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    Workspace.init(tmp_path).close()
    return tmp_path


def test_no_secret_is_refused_outside_demo_mode(workspace: Path) -> None:
    with pytest.raises(ConfigError, match="no session secret: set TANDEM_WEB_SECRET"):
        load_config(workspace, environ={})


def test_demo_mode_makes_a_throwaway_secret(workspace: Path) -> None:
    one = load_config(workspace, demo=True, environ={})
    two = load_config(workspace, demo=True, environ={})
    assert len(one.secret) >= 32 and one.secret != two.secret
    assert one.secret not in repr(one)


@pytest.mark.parametrize(
    "value", ["changeme", "secret", "a" * 64, "please-change-me-to-a-long-random-string"]
)
def test_default_secrets_are_refused(workspace: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="is a default value"):
        load_config(workspace, environ={SECRET_ENV: value})


def test_a_short_secret_is_refused_without_being_shown(workspace: Path) -> None:
    with pytest.raises(ConfigError, match=r"too short \(12 characters") as caught:
        load_config(workspace, environ={SECRET_ENV: "Xy7pQ2mK9wZr"})
    assert "Xy7pQ2mK9wZr" not in str(caught.value)


def test_the_environment_wins_over_the_file(workspace: Path) -> None:
    new_secret_file(workspace)
    assert load_config(workspace, environ={SECRET_ENV: GOOD}).secret == GOOD


def test_the_secret_file_is_0600_and_read(workspace: Path) -> None:
    path = new_secret_file(workspace)
    assert path == workspace / ".tandem" / "web-secret"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert load_config(workspace, environ={}).secret == path.read_text().strip()


def test_a_secret_file_others_can_read_is_refused(workspace: Path) -> None:
    path = new_secret_file(workspace)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match=r"readable by others \(mode 0644\)"):
        load_config(workspace, environ={})


def test_the_secret_is_not_written_to_tandem_toml(workspace: Path) -> None:
    new_secret_file(workspace)
    secret = load_config(workspace, environ={}).secret
    assert secret not in (workspace / "tandem.toml").read_text()
