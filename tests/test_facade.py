"""The package's public face: ``tandem.Workspace`` and its version."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import tandem


def test_workspace_is_the_facade(tmp_path: Path) -> None:
    from tandem.service.workspace import Workspace

    assert tandem.Workspace is Workspace
    ws = tandem.Workspace.init(tmp_path / "ws")
    assert (tmp_path / "ws" / "tandem.toml").exists()
    assert set(ws.row_counts().values()) == {0}
    ws.close()


def test_version_matches_the_project() -> None:
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    assert tandem.__version__ == project["version"]


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Worksp'"):
        tandem.Worksp  # noqa: B018
