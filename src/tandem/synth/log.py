"""Collecting arrays month by month and joining them once."""

from __future__ import annotations

import numpy as np

from tandem.synth.config import Array


class Log:
    """Named columns appended to in pieces; ``done()`` concatenates each column."""

    def __init__(self) -> None:
        self._parts: dict[str, list[Array]] = {}

    def add(self, **columns: Array) -> None:
        for name, values in columns.items():
            self._parts.setdefault(name, []).append(np.asarray(values))

    @property
    def rows(self) -> int:
        """Rows added so far (the length of the first column)."""
        first = next(iter(self._parts.values()), [])
        return sum(len(part) for part in first)

    def done(self) -> dict[str, Array]:
        return {name: np.concatenate(parts) for name, parts in self._parts.items()}
