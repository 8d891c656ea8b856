"""The workspace's application state: created owner-only, WAL, migrations applied once."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem import state
from tandem.errors import ConfigError, WorkspaceError
from tandem.state import Migration, connect, register, transaction


@pytest.fixture
def scratch() -> Iterator[str]:
    """A component name of this test's own, removed from the registry afterwards."""
    name = "test_component"
    yield name
    state._MIGRATIONS.pop(name, None)


def test_created_owner_only_in_wal_mode(tmp_path: Path) -> None:
    con = connect(tmp_path)
    path = tmp_path / ".tandem" / "state.sqlite"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    con.close()


def test_migrations_apply_once_in_order(tmp_path: Path, scratch: str) -> None:
    register(
        scratch,
        Migration(2, "add a column", "ALTER TABLE notes ADD COLUMN author TEXT;"),
        Migration(1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"),
    )
    con = connect(tmp_path)
    assert state.versions(con)[scratch] == 2
    con.execute("INSERT INTO notes (body, author) VALUES ('x', 'me')")
    con.close()
    again = connect(tmp_path)  # nothing left to apply, the row is still there
    assert state.migrate(again) == []
    assert [tuple(r) for r in again.execute("SELECT body, author FROM notes")] == [("x", "me")]
    again.close()


def test_a_failing_migration_changes_nothing(tmp_path: Path, scratch: str) -> None:
    register(
        scratch,
        Migration(1, "half", "CREATE TABLE a (x INTEGER);\nCREATE TABLE a (x INTEGER);"),
    )
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        connect(tmp_path)
    con = sqlite3.connect(tmp_path / ".tandem" / "state.sqlite")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "a" not in tables
    assert con.execute(
        "SELECT COUNT(*) FROM schema_version WHERE component = ?", (scratch,)
    ).fetchone() == (0,)
    con.close()


def test_a_migration_declared_twice_differently_is_refused(scratch: str) -> None:
    register(scratch, Migration(1, "one", "SELECT 1;"))
    register(scratch, Migration(1, "one", "SELECT 1;"))  # the same again: fine
    with pytest.raises(ConfigError, match="declared twice"):
        register(scratch, Migration(1, "other", "SELECT 2;"))


def test_transaction_is_all_or_nothing(tmp_path: Path) -> None:
    con = connect(tmp_path)
    con.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError), transaction(con):
        con.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert con.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    con.close()


def test_a_missing_workspace_is_a_workspace_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no such workspace folder"):
        connect(tmp_path / "nope")


def test_the_state_and_its_folder_are_the_owners_only(tmp_path: Path) -> None:
    """Users, tokens and the alert outbox live here: never readable by others."""
    import os

    old = os.umask(0o022)
    try:
        con = connect(tmp_path)
        con.execute("CREATE TABLE IF NOT EXISTS probe (x)")
        con.execute("INSERT INTO probe VALUES (1)")
        folder = tmp_path / ".tandem"
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.iterdir()]}
        con.close()
    finally:
        os.umask(old)
    assert modes.pop(".tandem") == 0o700
    assert modes and set(modes.values()) == {0o600}, modes
