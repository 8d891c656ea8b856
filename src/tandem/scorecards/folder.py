"""Finding a workspace's scorecards: ``<workspace>/scorecards/NAME.yml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.errors import UsageError, did_you_mean
from tandem.scorecards.defaults import DEFAULT_NAME, FOLDER, default_text
from tandem.scorecards.definition import ScorecardDefinition, load, parse

if TYPE_CHECKING:
    from tandem.semantic.types import Metric

SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class Found:
    name: str
    #: The file, or None for the built-in default (a workspace made before scorecards).
    path: Path | None
    definition: ScorecardDefinition


def available(workspace: Path) -> dict[str, Path]:
    """Scorecard name → file, for every YAML file in the workspace's scorecards folder."""
    folder = workspace / FOLDER
    if not folder.is_dir():
        return {}
    return {
        p.stem: p
        for p in sorted(folder.iterdir())
        if p.suffix in SUFFIXES and p.is_file() and not p.name.startswith(".")
    }


def listed(workspace: Path) -> dict[str, Path | None]:
    """The workspace's scorecards, with the built-in shared one when it has no file."""
    files: dict[str, Path | None] = dict(available(workspace))
    files.setdefault(DEFAULT_NAME, None)
    return files


def find(workspace: Path, name: str | None, catalog: Mapping[str, Metric]) -> Found:
    """The scorecard called ``name`` (default: shared), or the file ``name`` points at.

    When the workspace has no ``shared`` file (made before scorecards existed), the
    built-in default is used.
    """
    name = name or DEFAULT_NAME
    as_path = Path(name)
    if as_path.suffix in SUFFIXES and as_path.is_file():
        return Found(as_path.stem, as_path, load(as_path, catalog))
    files = available(workspace)
    if name in files:
        return Found(name, files[name], load(files[name], catalog))
    if name == DEFAULT_NAME:
        text = default_text()
        return Found(name, None, parse(text, "(built-in shared scorecard)", catalog))
    choices = sorted({*files, DEFAULT_NAME})
    raise UsageError(
        f"no scorecard {name!r} in {workspace / FOLDER}{did_you_mean(name, choices)}; "
        f"available: {', '.join(choices)}"
    )
