"""Users and tokens: argon2 hashes, tokens kept as SHA-256 only, sessions ended by removal."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tandem import state
from tandem.errors import UsageError
from tandem.state.users import Role, Users


@pytest.fixture
def users(tmp_path: Path) -> Users:
    return Users(tmp_path)


def _raw(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(state.state_path(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_passwords_are_argon2id_hashes(users: Users) -> None:
    users.add("ana", "a long password", Role.LEADER)
    (digest,) = _raw(users.workspace, "SELECT password_hash FROM users")[0]
    assert str(digest).startswith("$argon2id$")
    assert "a long password" not in str(digest)
    assert users.verify("ana", "a long password") is not None
    assert users.verify("ana", "a long passwore") is None
    assert users.verify("nobody", "a long password") is None


def test_tokens_are_stored_as_sha256_only(users: Users) -> None:
    users.add("bot", "a long password", Role.LEADER)
    token = users.create_token("bot", "nightly export")
    assert token.startswith("tdm_") and len(token) > 40
    rows = _raw(users.workspace, "SELECT token_hash, prefix, label FROM api_tokens")
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), token[:10], "nightly export")]
    user = users.by_token(token)
    assert user is not None and user.username == "bot"
    assert users.by_token(token[:-1] + "x") is None
    assert users.tokens("bot")[0].last_used_at is not None


def test_revoking_and_removing(users: Users) -> None:
    users.add("bot", "a long password", Role.LEADER)
    one, two = users.create_token("bot"), users.create_token("bot")
    users.revoke_token(users.tokens()[0].token_id)
    assert users.by_token(one) is None and users.by_token(two) is not None
    users.remove("bot")
    assert users.by_token(two) is None  # tokens go with their user
    with pytest.raises(UsageError, match="no user 'bot'"):
        users.remove("bot")


def test_rules_for_users(users: Users) -> None:
    with pytest.raises(UsageError, match="at least 10 characters"):
        users.add("ana", "short", Role.ADMIN)
    with pytest.raises(UsageError, match="member_id: a member is linked"):
        users.add("ana", "a long password", Role.MEMBER)
    with pytest.raises(UsageError, match="only the member role"):
        users.add("ana", "a long password", Role.ADMIN, member_id="E1")
    with pytest.raises(UsageError, match="username 'a b'"):
        users.add("a b", "a long password", Role.ADMIN)
    users.add("ana", "a long password", Role.ADMIN)
    with pytest.raises(UsageError, match="already exists"):
        users.add("ana", "a long password", Role.ADMIN)


def test_replacing_a_user_ends_their_sessions(users: Users) -> None:
    first = users.add("demo", "first password", Role.ADMIN, demo=True)
    second = users.add("demo", "second password", Role.ADMIN, demo=True, replace=True)
    assert second.session_version == first.session_version + 1
    assert users.verify("demo", "first password") is None
    users.end_sessions("demo")
    assert users.get("demo").session_version == second.session_version + 1  # type: ignore[union-attr]
