"""The facade: one object that opens a workspace and delegates to the layers.

``Workspace("demo").metric("nps", grain="month", by=["segment"])`` is the whole
Python API; the CLI and the web layer are thin shells over it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tandem.errors import WorkspaceError
from tandem.settings import SETTINGS_FILE, Settings, load_settings, render_toml

if TYPE_CHECKING:
    from tandem.store import Store


class Workspace:
    """A folder holding ``tandem.toml`` and, by default, its embedded database."""

    def __init__(self, path: str | Path = ".", *, settings: Settings | None = None) -> None:
        self.path = Path(path)
        if settings is None:
            if not (self.path / SETTINGS_FILE).exists():
                raise WorkspaceError(
                    f"{self.path}: not a Tandem workspace (no {SETTINGS_FILE}); "
                    f"run 'tandem init --workspace {self.path}' first"
                )
            settings = load_settings(self.path)
        self.settings = settings
        self._store: Store | None = None

    @classmethod
    def init(cls, path: str | Path = ".", *, backend_url: str = "") -> Workspace:
        """Create the workspace folder, write ``tandem.toml`` and create the tables."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / SETTINGS_FILE
        if not target.exists():
            defaults = Settings()
            if backend_url:
                defaults = defaults.model_copy(
                    update={"backend": defaults.backend.model_copy(update={"url": backend_url})}
                )
            target.write_text(render_toml(defaults), encoding="utf-8")
        ws = cls(folder)
        ws.store.ensure_tables()
        return ws

    @property
    def store(self) -> Store:
        if self._store is None:
            from tandem.store import open_store

            self._store = open_store(self.settings, self.path)
            self._store.ensure_tables()
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def row_counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        return self.store.row_counts()
