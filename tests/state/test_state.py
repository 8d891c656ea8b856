"""The application state: a 0600 SQLite file in WAL mode, migrations applied once per component."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tandem import state


def test_file_mode_wal_and_versions(tmp_path: Path) -> None:
    state.register(
        "test_component", ["CREATE TABLE t (x INTEGER)", "ALTER TABLE t ADD COLUMN y TEXT"]
    )
    con = state.connect(tmp_path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA busy_timeout").fetchone()[0] == state.BUSY_TIMEOUT_MS
        version = con.execute(
            "SELECT version FROM schema_version WHERE component = 'test_component'"
        ).fetchone()[0]
        assert version == 2
        con.execute("INSERT INTO t (x, y) VALUES (1, 'a')")
    finally:
        con.close()
    path = state.path_of(tmp_path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    # Connecting again applies nothing twice (the ALTER would fail).
    state.connect(tmp_path).close()


def test_a_new_step_is_applied_on_the_next_connection(tmp_path: Path) -> None:
    state.register("growing", ["CREATE TABLE g (x INTEGER)"])
    state.connect(tmp_path).close()
    state.register("growing", ["CREATE TABLE g (x INTEGER)", "CREATE TABLE g2 (y INTEGER)"])
    con = state.connect(tmp_path)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()
    assert {"g", "g2"} <= names


def test_applied_steps_cannot_change(tmp_path: Path) -> None:
    state.register("fixed", ["CREATE TABLE f (x INTEGER)"])
    with pytest.raises(RuntimeError, match="changed after being applied"):
        state.register("fixed", ["CREATE TABLE f (x TEXT)"])


def test_a_failed_step_leaves_nothing_half_done(tmp_path: Path) -> None:
    state.register("broken", ["CREATE TABLE b (x INTEGER); CREATE TABLE b (x INTEGER)"])
    with pytest.raises(sqlite3.OperationalError):
        state.connect(tmp_path)
    con = sqlite3.connect(state.path_of(tmp_path))
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()
    assert "b" not in names
    state._MIGRATIONS.pop("broken")
