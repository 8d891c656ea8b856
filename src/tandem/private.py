"""Files only their owner may read, and secrets masked wherever text is shown.

Everything Tandem writes that may hold something sensitive (``tandem.toml``,
the database generations, the web app's users, tokens and secret, the alert
outbox) is created mode 0600 in folders of mode 0700, through ``private()``:
the process's umask is narrowed for the block, so files made by libraries
(DuckDB, SQLite) are covered too. ``mask_url`` and ``mask_secrets`` replace
passwords and tokens by ``***`` in anything printed or logged.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

#: Mode bits no sensitive file or folder of a workspace gives to group or others.
PRIVATE_UMASK = 0o077
#: Query parameters of a URL whose value is a secret.
SECRET_PARAMETERS = frozenset(
    {"password", "pass", "passwd", "pwd", "sslpassword", "secret", "token", "access_token",
     "api_key", "apikey", "key"}
)  # fmt: skip
MASK = "***"

_umask_lock = threading.Lock()
_holders = 0
_saved_umask = 0


@contextlib.contextmanager
def private() -> Iterator[None]:
    """Files and folders created in the block are readable by their owner only.

    The umask belongs to the process: while any thread is inside a block it is
    narrowed (other threads' files are private too, never less); the last thread
    to leave restores it. No thread waits for another's block to end.
    """
    global _holders, _saved_umask
    with _umask_lock:
        if _holders == 0:
            _saved_umask = os.umask(PRIVATE_UMASK)
        _holders += 1
    try:
        yield
    finally:
        with _umask_lock:
            _holders -= 1
            if _holders == 0:
                os.umask(_saved_umask)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0600), atomically: a temporary file, then renamed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def url_password(url: str) -> str | None:
    """The password a URL carries, in its user part or as a query parameter; else None."""
    if "://" not in url:
        return None
    parts = urlsplit(url)
    try:
        if parts.password:
            return parts.password
    except ValueError:
        return None
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in SECRET_PARAMETERS and value:
            return value
    return None


def mask_url(url: str) -> str:
    """``url`` with its password and secret query parameters replaced by ``***``."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{host}"
    query = "&".join(
        f"{key}={MASK}" if key.lower() in SECRET_PARAMETERS else f"{key}={value}"
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_ASSIGNMENT = re.compile(
    r"\b(" + "|".join(sorted(SECRET_PARAMETERS, key=len, reverse=True)) + r")=([^\s&'\"]+)",
    re.IGNORECASE,
)


def mask_secrets(text: str) -> str:
    """``text`` with every URL masked (``mask_url``) and ``password=...`` pairs hidden."""
    text = _URL.sub(lambda m: mask_url(m.group(0)), text)
    return _ASSIGNMENT.sub(lambda m: f"{m.group(1)}={MASK}", text)
