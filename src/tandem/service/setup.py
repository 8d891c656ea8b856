"""Making a workspace: its folder, ``tandem.toml`` and the tables."""

from __future__ import annotations

from pathlib import Path

from tandem.settings import SETTINGS_FILE, Settings, load_settings, render_toml


def create(folder: Path, *, backend_url: str = "") -> None:
    """Create the folder, write ``tandem.toml`` (unless it exists) and the tables."""
    from tandem.store import in_memory, writing

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / SETTINGS_FILE
    if not target.exists():
        defaults = Settings()
        if backend_url:
            defaults = defaults.model_copy(
                update={"backend": defaults.backend.model_copy(update={"url": backend_url})}
            )
        target.write_text(render_toml(defaults), encoding="utf-8")
    settings = load_settings(folder)
    if in_memory(settings):
        return
    with writing(settings, folder, what="init"):
        pass  # the writer creates every missing table
