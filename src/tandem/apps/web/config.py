"""How the server is configured: the workspace, demo mode and the session secret.

The session secret signs login cookies. It comes from the environment variable
``TANDEM_WEB_SECRET`` or from the file named by ``[web] secret_file`` (mode
0600, made by ``tandem serve --new-secret``); it is never written to
``tandem.toml``, never printed and never logged. Outside demo mode the server
refuses to start without one, or with a short or well-known one. In demo mode
(``tandem serve --demo``) a random secret lives in memory for the run.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tandem.errors import ConfigError
from tandem.private import private, write_private
from tandem.settings import WebSettings, load_settings

SECRET_ENV = "TANDEM_WEB_SECRET"
MIN_SECRET = 32
#: Placeholders people paste from examples; refused whatever their length.
KNOWN_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "default",
        "tandem",
        "demo",
        "development",
        "insecure",
        "please-change-me-to-a-long-random-string",
    }
)


@dataclass(frozen=True)
class WebConfig:
    workspace: Path
    secret: str = field(repr=False)
    demo: bool = False
    web: WebSettings = field(default_factory=WebSettings)
    #: The injected clock (UTC date); None = the workspace's.
    today: Callable[[], dt.date] | None = None


def load_config(
    workspace: Path,
    *,
    demo: bool = False,
    environ: Mapping[str, str] | None = None,
    today: Callable[[], dt.date] | None = None,
) -> WebConfig:
    """The server's configuration, refusing to run outside demo mode without a real secret."""
    env = os.environ if environ is None else environ
    web = load_settings(workspace).web
    secret = _secret(workspace, web, env)
    if secret is None:
        if not demo:
            raise ConfigError(
                f"no session secret: set {SECRET_ENV}, or run 'tandem serve --new-secret' "
                f"to write one to {web.secret_file} (mode 0600); 'tandem serve --demo' uses "
                "a throwaway one"
            )
        secret = secrets.token_urlsafe(48)
    return WebConfig(workspace=workspace, secret=secret, demo=demo, web=web, today=today)


def _secret(workspace: Path, web: WebSettings, env: Mapping[str, str]) -> str | None:
    text = env.get(SECRET_ENV)
    where = f"environment variable {SECRET_ENV}"
    if text is None:
        path = workspace / web.secret_file
        if not path.exists():
            return None
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(
                f"{path}: the session secret is readable by others (mode {mode:04o}); "
                f"run 'chmod 600 {path}'"
            )
        text = path.read_text(encoding="utf-8")
        where = str(path)
    text = text.strip()
    if text.lower() in KNOWN_SECRETS or len(set(text)) < 8:
        raise ConfigError(f"{where}: the session secret is a default value; use a random one")
    if len(text) < MIN_SECRET:
        raise ConfigError(
            f"{where}: the session secret is too short ({len(text)} characters, at least "
            f"{MIN_SECRET})"
        )
    return text


def new_secret_file(workspace: Path) -> Path:
    """Write a fresh random session secret to the secret file (0600); returns its path."""
    web = load_settings(workspace).web
    path = workspace / web.secret_file
    with private():
        path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, secrets.token_urlsafe(48) + "\n")
    return path
