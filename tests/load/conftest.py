"""Fixtures for load tests: a fresh workspace, and one with accounts A-1 and A-2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.service.workspace import Workspace
from tests.load.files import write


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


@pytest.fixture
def ws_with_accounts(ws: Workspace, tmp_path: Path) -> Workspace:
    """A workspace holding accounts A-1 and A-2, for tables that refer to accounts."""
    ws.load(
        [
            write(
                tmp_path / "seed" / "accounts.csv",
                """
                account_id,name,created_at
                A-1,Acme,2024-01-01
                A-2,Beta,2024-01-01
                """,
            )
        ]
    )
    return ws


@pytest.fixture
def survey_ws(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace where survey metrics of a handful of responses raise no warning."""
    folder = tmp_path / "survey-ws"
    Workspace.init(folder).close()
    (folder / "tandem.toml").write_text("[metrics]\nmin_survey_responses = 0\n")
    workspace = Workspace(folder)
    yield workspace
    workspace.close()
