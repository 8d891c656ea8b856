"""What the service says about reading vendors' exports: the shipped presets."""

from __future__ import annotations

from tandem.load.mapped import BUILT
from tandem.load.presets import Preset, catalog


def presets() -> list[Preset]:
    """Every shipped preset, the files it expects and the tables each becomes."""
    return catalog()


__all__ = ["BUILT", "Preset", "presets"]
