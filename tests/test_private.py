"""Owner-only files and masked secrets (tandem.private)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tandem.private import mask_secrets, mask_url, private, url_password, write_private


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_files_and_folders_made_in_private_are_the_owners_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with private():
            (tmp_path / "d").mkdir()
            (tmp_path / "d" / "f").write_text("x")
        (tmp_path / "after").write_text("x")
    finally:
        os.umask(old)
    assert mode(tmp_path / "d") == 0o700
    assert mode(tmp_path / "d" / "f") == 0o600
    assert mode(tmp_path / "after") == 0o644  # the umask is restored


def test_write_private_replaces_a_readable_file_with_an_owner_only_one(tmp_path: Path) -> None:
    target = tmp_path / "tandem.toml"
    target.write_text("old")
    target.chmod(0o644)
    write_private(target, "new")
    assert target.read_text() == "new"
    assert mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["tandem.toml"]


@pytest.mark.parametrize(
    ("url", "password", "masked"),
    [
        ("postgresql://u:s3cret@db:5432/x", "s3cret", "postgresql://u:***@db:5432/x"),
        ("postgresql://u@db/x?sslmode=require&password=p%40ss",
         "p@ss", "postgresql://u@db/x?sslmode=require&password=***"),
        ("postgresql://db/x?PWD=abc", "abc", "postgresql://db/x?PWD=***"),
        ("postgresql://u@db/x?sslmode=require", None, "postgresql://u@db/x?sslmode=require"),
        ("env:TANDEM_BACKEND_URL", None, "env:TANDEM_BACKEND_URL"),
    ],
)  # fmt: skip
def test_passwords_in_urls(url: str, password: str | None, masked: str) -> None:
    assert url_password(url) == password
    assert mask_url(url) == masked


def test_secrets_inside_a_message_are_masked() -> None:
    text = "cannot reach postgresql://u:hunter2@h/db (password=hunter3 was refused)"
    assert mask_secrets(text) == "cannot reach postgresql://u:***@h/db (password=*** was refused)"


def test_private_blocks_in_threads_never_wait_for_each_other(tmp_path: Path) -> None:
    import threading

    old = os.umask(0o022)
    inside = threading.Event()
    release = threading.Event()

    def long_block() -> None:
        with private():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=long_block)
    thread.start()
    try:
        assert inside.wait(10)
        with private():  # would deadlock if blocks were serialised
            (tmp_path / "f").write_text("x")
        release.set()
        thread.join(10)
        assert not thread.is_alive()
        assert mode(tmp_path / "f") == 0o600
        assert os.umask(0o022) == 0o022  # restored once the last block ended
    finally:
        release.set()
        os.umask(old)
