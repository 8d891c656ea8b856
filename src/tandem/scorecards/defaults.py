"""The default shared scorecard that ``tandem init`` writes into a workspace.

The file is shipped as package data (``shared.yml`` beside this module), with
comments that teach the format, so that what a new workspace holds is what the
built-in default is.
"""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

#: Folder of a workspace holding its scorecard files.
FOLDER = "scorecards"
#: The scorecard shown when no name is given.
DEFAULT_NAME = "shared"


def default_text() -> str:
    """The YAML of the default shared scorecard, comments included."""
    return resources.files("tandem.scorecards").joinpath("shared.yml").read_text("utf-8")


def write_default(folder: str | Path) -> Path | None:
    """Write ``<folder>/scorecards/shared.yml`` unless it exists; return it when written.

    The file is written to a temporary name and renamed, so it is never left half
    written; an existing file (the user's edits) is never replaced.
    """
    target = Path(folder) / FOLDER / f"{DEFAULT_NAME}.yml"
    if target.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".shared.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(default_text())
        os.link(tmp, target)  # fails if someone wrote the file meanwhile: theirs is kept
    except FileExistsError:
        return None
    finally:
        os.unlink(tmp)
    return target
