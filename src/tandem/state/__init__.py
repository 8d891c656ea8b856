"""Application state: what the app itself writes often, kept apart from the analytics store.

Users, API tokens, alerts, their outbox and health history live in SQLite at
``<workspace>/.tandem/state.sqlite`` (standard library ``sqlite3``), whatever
backend holds the analytics tables. The file is created with mode 0600, runs in
WAL mode (readers never wait for the writer) with a busy timeout (writers queue
instead of failing).

Each component registers its own numbered migrations at import
(``register("users", [sql1, sql2])``); :func:`connect` applies those not yet
applied, each in its own transaction, and records them in ``schema_version``
(one row per component: its highest applied step).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from tandem.errors import WorkspaceError

STATE_FILE = Path(".tandem") / "state.sqlite"
BUSY_TIMEOUT_MS = 10_000

_MIGRATIONS: dict[str, tuple[str, ...]] = {}
_LOCK = threading.Lock()


def register(component: str, steps: list[str]) -> None:
    """Declare ``component``'s migrations, in order; step n is applied once, as version n."""
    with _LOCK:
        known = _MIGRATIONS.get(component, ())
        if tuple(steps[: len(known)]) != known:
            raise RuntimeError(f"state migrations of {component!r} changed after being applied")
        _MIGRATIONS[component] = tuple(steps)


def path_of(workspace: Path) -> Path:
    return workspace / STATE_FILE


def connect(workspace: Path) -> sqlite3.Connection:
    """A connection to the workspace's state, with every registered migration applied."""
    path = path_of(workspace)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # Created 0600 before SQLite opens it: users and tokens live here.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot open the application state ({exc.strerror})") from exc
    con.row_factory = sqlite3.Row
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA foreign_keys = ON")
    _migrate(con)
    return con


def _migrate(con: sqlite3.Connection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )
    with _LOCK:
        wanted = dict(_MIGRATIONS)
    applied = {
        r["component"]: r["version"]
        for r in con.execute("SELECT component, version FROM schema_version")
    }
    for component, steps in wanted.items():
        if applied.get(component, 0) >= len(steps):
            continue
        con.execute("BEGIN IMMEDIATE")
        try:
            # Read again inside the write lock: another process may have migrated meanwhile.
            row = con.execute(
                "SELECT version FROM schema_version WHERE component = ?", [component]
            ).fetchone()
            done = row["version"] if row else 0
            for step in steps[done:]:
                for statement in _statements(step):
                    con.execute(statement)
            con.execute(
                "INSERT INTO schema_version (component, version) VALUES (?, ?) "
                "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                [component, len(steps)],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
