"""Making a workspace: its folder, ``tandem.toml`` and the tables.

``init`` writes nothing unless it succeeds: whatever it created is removed
when a step fails (a refused URL, a database that cannot be reached). A URL
with a password is never written to ``tandem.toml``; the file names an
environment variable instead (``url = "env:TANDEM_BACKEND_URL"``). On an
existing workspace, options that differ from its settings are refused unless
``force`` rewrites them. Files are created readable by their owner only.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from tandem.errors import ConfigError
from tandem.private import mask_url, private, url_password, write_private
from tandem.settings import (
    PASSWORD_ADVICE,
    SETTINGS_FILE,
    Settings,
    check_url,
    load_settings,
    render_toml,
)


def flag_url(backend_url: str, flag: str = "--backend-url") -> str:
    """The ``--backend-url`` value checked: a form some backend reads, and no password."""
    backend_url = backend_url.strip()
    if not backend_url or backend_url.startswith("env:"):
        return backend_url
    try:
        check_url(backend_url)
    except ValueError as exc:
        raise ConfigError(f"{flag}: {exc}") from None
    if url_password(backend_url) is not None:
        raise ConfigError(f"{flag} {mask_url(backend_url)!r}: {PASSWORD_ADVICE}")
    return backend_url


def create(folder: Path, *, backend_url: str = "", force: bool = False) -> None:
    """Create the folder, write ``tandem.toml`` (unless it exists) and the tables."""
    backend_url = flag_url(backend_url)
    target = folder / SETTINGS_FILE
    with private(), _undone_on_failure(folder):
        folder.mkdir(parents=True, exist_ok=True)
        if target.exists():
            _reconcile(folder, backend_url, force=force)
        else:
            defaults = Settings()
            if backend_url:
                defaults = defaults.model_copy(
                    update={"backend": defaults.backend.model_copy(update={"url": backend_url})}
                )
            write_private(target, render_toml(defaults))
        _tables(folder)


def _reconcile(folder: Path, backend_url: str, *, force: bool) -> None:
    """An existing workspace: refuse options that differ from it, or rewrite them (force)."""
    target = folder / SETTINGS_FILE
    current = load_settings(folder)
    if not backend_url or backend_url == current.backend.url:
        return
    if not force:
        raise ConfigError(
            f"{target}: the workspace exists with backend.url "
            f"{current.backend.redacted_url() or '(embedded DuckDB)'!r}, not "
            f"{mask_url(backend_url)!r} as --backend-url asks; nothing changed "
            "(--force rewrites backend.url in tandem.toml)"
        )
    import tomlkit

    doc = tomlkit.parse(target.read_text(encoding="utf-8"))
    section = doc.setdefault("backend", tomlkit.table())
    section["url"] = backend_url
    write_private(target, tomlkit.dumps(doc))


def _tables(folder: Path) -> None:
    from tandem.store import in_memory, writing

    settings = load_settings(folder)
    if in_memory(settings):
        return
    with writing(settings, folder, what="init"):
        pass  # the writer creates every missing table


@contextlib.contextmanager
def _undone_on_failure(folder: Path) -> Iterator[None]:
    """Remove what the block created in ``folder`` (and the folder itself) if it fails."""
    missing = folder
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent
    existed = folder.exists()
    before = set(folder.iterdir()) if existed and folder.is_dir() else set()
    settings_before = _bytes(folder / SETTINGS_FILE)
    try:
        yield
    except BaseException:
        if not existed:
            shutil.rmtree(missing, ignore_errors=True)
        else:
            for path in set(folder.iterdir()) - before:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            if settings_before is not None and _bytes(folder / SETTINGS_FILE) != settings_before:
                write_private(folder / SETTINGS_FILE, settings_before.decode("utf-8"))
        raise


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
