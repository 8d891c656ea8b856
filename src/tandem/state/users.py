"""Dashboard users and their API tokens, in the workspace's application state.

Passwords are kept as argon2id hashes (argon2-cffi's defaults, rehashed when
those change). API tokens are 256-bit random strings shown once; only their
SHA-256 is stored (a token is not a password: it has full entropy, so a fast
hash cannot be brute-forced, and checking it costs microseconds per request).

Roles: ``admin`` (users and settings), ``leader`` (reads everything) and
``member`` (linked to a team member id: the company scorecard and their own
book of accounts). ``demo`` users are made by ``tandem serve --demo`` with
passwords printed on the terminal; they cannot log in outside demo mode.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tandem import state
from tandem.errors import UsageError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

state.register(
    "users",
    state.Migration(
        1,
        "dashboard users and their API tokens",
        """
        CREATE TABLE users (
            user_id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'member')),
            member_id TEXT,
            demo INTEGER NOT NULL DEFAULT 0,
            session_version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE api_tokens (
            token_id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT
        );
        """,
    ),
)

TOKEN_PREFIX = "tdm_"
MIN_PASSWORD = 10
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


class Role(enum.StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    MEMBER = "member"


@dataclass(frozen=True)
class User:
    user_id: int
    username: str
    role: Role
    member_id: str | None
    demo: bool
    session_version: int
    created_at: str

    @property
    def sees_everything(self) -> bool:
        return self.role is not Role.MEMBER


@dataclass(frozen=True)
class Token:
    token_id: int
    username: str
    label: str
    prefix: str
    created_at: str
    last_used_at: str | None


def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _user(row: sqlite3.Row) -> User:
    return User(
        user_id=row["user_id"],
        username=row["username"],
        role=Role(row["role"]),
        member_id=row["member_id"],
        demo=bool(row["demo"]),
        session_version=row["session_version"],
        created_at=row["created_at"],
    )


_COLUMNS = "user_id, username, role, member_id, demo, session_version, created_at"


class Users:
    """The users of one workspace; each thread keeps its own SQLite connection.

    A connection per thread (not per call) keeps checking a session or a token
    to a fraction of a millisecond; in WAL mode each statement still sees the
    latest committed state, so a removed user is refused on the next request.
    """

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self._local = threading.local()

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = state.connect(self.workspace)
            self._local.con = con
        return con

    # -- accounts ------------------------------------------------------------

    def add(
        self,
        username: str,
        password: str,
        role: Role,
        *,
        member_id: str | None = None,
        demo: bool = False,
        replace: bool = False,
    ) -> User:
        """Create a user (or, with ``replace``, reset an existing one's password and role)."""
        if not _USERNAME.fullmatch(username):
            raise UsageError(
                f"username {username!r}: use 1-64 letters, digits and . _ @ -, "
                "starting with a letter or digit"
            )
        if len(password) < MIN_PASSWORD:
            raise UsageError(f"password: at least {MIN_PASSWORD} characters")
        if role is Role.MEMBER and not member_id:
            raise UsageError("member_id: a member is linked to a team member id (e.g. E00033)")
        if role is not Role.MEMBER and member_id:
            raise UsageError("member_id: only the member role is linked to a team member")
        digest = _hasher().hash(password)
        con = self._con()
        try:
            if replace:
                con.execute(
                    "INSERT INTO users (username, password_hash, role, member_id, demo, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET"
                    " password_hash = excluded.password_hash, role = excluded.role,"
                    " member_id = excluded.member_id, demo = excluded.demo,"
                    " session_version = users.session_version + 1",
                    [username, digest, role.value, member_id, int(demo), _now()],
                )
            else:
                con.execute(
                    "INSERT INTO users (username, password_hash, role, member_id, demo, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [username, digest, role.value, member_id, int(demo), _now()],
                )
        except sqlite3.IntegrityError:
            raise UsageError(f"user {username!r} already exists") from None
        found = self.get(username)
        assert found is not None
        return found

    def get(self, username: str) -> User | None:
        con = self._con()
        row = con.execute(f"SELECT {_COLUMNS} FROM users WHERE username = ?", [username]).fetchone()
        return _user(row) if row else None

    def by_id(self, user_id: int) -> User | None:
        con = self._con()
        row = con.execute(f"SELECT {_COLUMNS} FROM users WHERE user_id = ?", [user_id]).fetchone()
        return _user(row) if row else None

    def all(self) -> list[User]:
        con = self._con()
        rows = con.execute(f"SELECT {_COLUMNS} FROM users ORDER BY username").fetchall()
        return [_user(r) for r in rows]

    def remove(self, username: str) -> None:
        """Delete a user and their tokens; their open sessions stop working at once."""
        con = self._con()
        gone = con.execute("DELETE FROM users WHERE username = ?", [username]).rowcount
        if not gone:
            raise UsageError(f"no user {username!r}")

    def end_sessions(self, username: str) -> None:
        """Log the user out everywhere: every session cookie issued so far stops working."""
        con = self._con()
        con.execute(
            "UPDATE users SET session_version = session_version + 1 WHERE username = ?",
            [username],
        )

    def verify(self, username: str, password: str) -> User | None:
        """The user if ``password`` is theirs, else None (same work either way)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        con = self._con()
        row = con.execute(
            f"SELECT {_COLUMNS}, password_hash FROM users WHERE username = ?", [username]
        ).fetchone()
        hasher = _hasher()
        # An unknown user still costs one hash, so timing does not reveal who exists.
        stored = row["password_hash"] if row else _DUMMY.get(hasher)
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if hasher.check_needs_rehash(stored):
            con.execute(
                "UPDATE users SET password_hash = ? WHERE user_id = ?",
                [hasher.hash(password), row["user_id"]],
            )
        return _user(row)

    # -- tokens --------------------------------------------------------------

    def create_token(self, username: str, label: str = "script") -> str:
        """A new API token for ``username``; the only time its text is available."""
        user = self.get(username)
        if user is None:
            raise UsageError(f"no user {username!r}")
        text = TOKEN_PREFIX + secrets.token_urlsafe(32)
        con = self._con()
        con.execute(
            "INSERT INTO api_tokens (user_id, label, token_hash, prefix, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [user.user_id, label, _digest(text), text[:10], _now()],
        )
        return text

    def tokens(self, username: str | None = None) -> list[Token]:
        con = self._con()
        rows = con.execute(
            "SELECT t.token_id, u.username, t.label, t.prefix, t.created_at, t.last_used_at"
            " FROM api_tokens t JOIN users u USING (user_id)"
            " WHERE ? IS NULL OR u.username = ? ORDER BY t.token_id",
            [username, username],
        ).fetchall()
        return [Token(*r) for r in rows]

    def revoke_token(self, token_id: int) -> None:
        con = self._con()
        gone = con.execute("DELETE FROM api_tokens WHERE token_id = ?", [token_id]).rowcount
        if not gone:
            raise UsageError(f"no token {token_id}")

    def by_token(self, text: str) -> User | None:
        """The user a bearer token belongs to, or None; records when it was last used."""
        if not text.startswith(TOKEN_PREFIX):
            return None
        con = self._con()
        row = con.execute(
            f"SELECT t.token_id, t.last_used_at AS token_used, "
            f"{', '.join('u.' + c.strip() for c in _COLUMNS.split(','))}"
            " FROM api_tokens t JOIN users u USING (user_id) WHERE t.token_hash = ?",
            [_digest(text)],
        ).fetchone()
        if row is None:
            return None
        # At most one write a minute per token, not one per request.
        now = dt.datetime.now(dt.UTC)
        stale = (now - dt.timedelta(minutes=1)).isoformat(timespec="seconds")
        if row["token_used"] is None or row["token_used"] < stale:
            con.execute(
                "UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?",
                [now.isoformat(timespec="seconds"), row["token_id"]],
            )
        return _user(row)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class _Dummy:
    """A hash of a random password, made once, that unknown usernames are checked against."""

    _value: str | None = None

    def get(self, hasher: PasswordHasher) -> str:
        if self._value is None:
            self._value = hasher.hash(secrets.token_urlsafe(16))
        return self._value


_DUMMY = _Dummy()
