"""The presets shipped with Tandem: ordinary mapping files for the exports users have.

Each is a YAML file in ``tandem/load/presets/`` (``tandem presets`` shows
where), read exactly like a user's own mapping, so a preset can be copied and
edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tandem.errors import UsageError, did_you_mean

FOLDER = Path(__file__).parent / "presets"


@dataclass(frozen=True)
class ExpectedFile:
    source: str
    expects: str
    tables: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    path: Path
    files: tuple[ExpectedFile, ...]


def names() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.yaml"))


def path_of(name: str) -> Path:
    """The mapping file of preset ``name``; UsageError naming the presets when unknown."""
    available = names()
    if name not in available:
        raise UsageError(
            f"--preset {name!r}: no such preset{did_you_mean(name, available)}; "
            f"presets: {', '.join(available)} ('tandem presets' lists them)"
        )
    return FOLDER / f"{name}.yaml"


def catalog() -> list[Preset]:
    """Every preset with the files it expects and the tables each becomes."""
    from tandem.load.mapping import read_mapping_file

    out = []
    for name in names():
        path = FOLDER / f"{name}.yaml"
        parsed = read_mapping_file(path)
        assert parsed is not None
        files = tuple(
            ExpectedFile(
                s.name,
                s.expects(),
                tuple(
                    dict.fromkeys(
                        "subscriptions" if p.table.startswith("billing_") else p.table
                        for p in s.parts
                    )
                ),
                s.description,
            )
            for s in parsed.sources
        )
        out.append(Preset(name, parsed.description, path, files))
    return out
