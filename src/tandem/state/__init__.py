"""Application state: the SQLite file a workspace's own writes go to.

Analytics tables live in the store; what the application writes often (alerts,
their outbox, users and tokens) lives in ``<workspace>/.tandem/state.sqlite``:
stdlib ``sqlite3``, WAL mode, a busy timeout, the file created readable by its
owner only (0600).

Each component registers its own numbered migrations under its own name
(``register("alerts", Migration(1, "...", "CREATE TABLE ..."))``) when its
module is imported; ``connect`` applies every registered migration not yet in
``schema_version``, each in its own transaction, in version order per
component. A migration is never edited once released: a change is a new one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tandem.errors import ConfigError, WorkspaceError
from tandem.private import private

STATE_FILE = Path(".tandem") / "state.sqlite"
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Migration:
    """One step of a component's schema: applied once, in version order."""

    version: int
    description: str
    sql: str


_MIGRATIONS: dict[str, dict[int, Migration]] = {}


def register(component: str, *migrations: Migration) -> None:
    """Declare ``component``'s migrations (idempotent for the same declarations)."""
    known = _MIGRATIONS.setdefault(component, {})
    for m in migrations:
        if m.version < 1:
            raise ConfigError(f"{component} migration {m.version}: versions start at 1")
        old = known.get(m.version)
        if old is not None and old != m:
            raise ConfigError(f"{component} migration {m.version} is declared twice, differently")
        known[m.version] = m


def registered() -> dict[str, list[Migration]]:
    """Every registered migration per component, in version order."""
    return {c: [ms[v] for v in sorted(ms)] for c, ms in _MIGRATIONS.items()}


def state_path(workspace: Path) -> Path:
    return workspace / STATE_FILE


def connect(workspace: Path) -> sqlite3.Connection:
    """Open (creating it 0600 if needed) the workspace's state and apply pending migrations.

    The connection is in autocommit mode: group writes with ``transaction``.
    """
    if not workspace.is_dir():
        raise WorkspaceError(f"{workspace}: no such workspace folder")
    path = state_path(workspace)
    with private():  # the folder 0700; the file (and SQLite's -wal, -shm) 0600
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        con = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    con.row_factory = sqlite3.Row
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    with private():
        con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA foreign_keys = ON")
    migrate(con)
    return con


@contextlib.contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception: all or nothing."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def migrate(con: sqlite3.Connection) -> list[tuple[str, int]]:
    """Apply every registered migration not yet applied; return (component, version) applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,"
        " applied_at TEXT NOT NULL, PRIMARY KEY (component, version))"
    )
    applied: list[tuple[str, int]] = []
    for component, steps in registered().items():
        for m in steps:
            with transaction(con):
                done = con.execute(
                    "SELECT 1 FROM schema_version WHERE component = ? AND version = ?",
                    (component, m.version),
                ).fetchone()
                if done:
                    continue
                for statement in _statements(m.sql):
                    con.execute(statement)
                con.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ'))",
                    (component, m.version, m.description),
                )
            applied.append((component, m.version))
    return applied


def versions(con: sqlite3.Connection) -> dict[str, int]:
    """The highest applied version of each component."""
    rows = con.execute(
        "SELECT component, MAX(version) AS v FROM schema_version GROUP BY component"
    ).fetchall()
    return {r["component"]: r["v"] for r in rows}


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would commit midway)."""
    out, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out


def system_now() -> dt.datetime:
    """The wall clock (UTC) for application state: when an alert was raised, sent, escalated.

    Everything else takes ``now`` as an argument, so tests inject their own clock.
    """
    return dt.datetime.now(dt.UTC)
