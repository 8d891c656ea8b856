"""Making a workspace (tandem.service.setup): all or nothing, no password on disk."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tandem.errors import ConfigError
from tandem.service.workspace import Workspace


def test_init_refuses_a_password_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        Workspace.init(tmp_path / "a" / "ws", backend_url="postgresql://u:hunter2@h/db")
    assert "hunter2" not in str(caught.value)
    assert 'url = "env:TANDEM_BACKEND_URL"' in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_init_that_fails_late_removes_what_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "notes.txt").write_text("mine")
    monkeypatch.setenv("PG_URL", "postgresql://u:pw@127.0.0.1:1/db")
    with pytest.raises(Exception, match="cannot connect to PostgreSQL"):
        Workspace.init(tmp_path / "ws", backend_url="env:PG_URL")
    assert [p.name for p in (tmp_path / "ws").iterdir()] == ["notes.txt"]


def test_init_names_the_url_variable_and_never_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELSEWHERE", f"duckdb://{tmp_path / 'shared.duckdb'}")
    Workspace.init(tmp_path / "ws", backend_url="env:ELSEWHERE").close()
    text = (tmp_path / "ws" / "tandem.toml").read_text()
    assert 'url = "env:ELSEWHERE"' in text
    assert "shared.duckdb" not in text
    assert (tmp_path / "shared.duckdb").is_symlink()


def test_init_on_an_existing_workspace_refuses_other_options_unless_forced(
    tmp_path: Path,
) -> None:
    Workspace.init(tmp_path / "ws").close()
    settings = tmp_path / "ws" / "tandem.toml"
    before = settings.read_bytes()
    with pytest.raises(ConfigError, match=r"exists with backend\.url .*--force"):
        Workspace.init(tmp_path / "ws", backend_url="duckdb://other.duckdb")
    assert settings.read_bytes() == before
    Workspace.init(tmp_path / "ws").close()  # the same options: nothing to say
    Workspace.init(tmp_path / "ws", backend_url="duckdb://other.duckdb", force=True).close()
    after = settings.read_text()
    assert 'url = "duckdb://other.duckdb"' in after
    # Only that line changed: the comments and every other setting are kept.
    assert [line for line in after.splitlines() if "other.duckdb" not in line] == [
        line for line in before.decode().splitlines() if line != 'url = ""'
    ]


def test_init_creates_its_files_for_the_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        Workspace.init(tmp_path / "ws").close()
    finally:
        os.umask(old)
    mode = {
        p.name: stat.S_IMODE(p.stat().st_mode)
        for p in [tmp_path / "ws", *(tmp_path / "ws").iterdir()]
        if not p.is_symlink()
    }
    assert mode == {
        "ws": 0o700,
        "tandem.toml": 0o600,
        "tandem.duckdb.d": 0o700,
        "tandem.duckdb.lock": 0o600,
    }
