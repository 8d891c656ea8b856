"""Typed descriptions the service gives out: the catalog as users see it, a workspace's state.

Every command and page shows these objects; ``to_json`` gives the one JSON form
of each, so the CLI's ``--format json`` and the web API say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tandem.engine.query import KnobValue

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def jsonable(value: KnobValue) -> JsonValue:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {k: v for k, v in value.items()}
    return value


@dataclass(frozen=True)
class MetricInfo:
    """One metric of the catalog, with the knob values and fingerprint in force."""

    slug: str
    name: str
    unit: str
    direction: str
    teams: tuple[str, ...]
    definition: str
    formula: str
    components: tuple[str, ...]
    uses: tuple[str, ...]
    knobs: dict[str, KnobValue]
    company_wide: bool
    seeds: tuple[str, ...]
    fingerprint: str
    dimensions: tuple[str, ...] = ()

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "slug": self.slug,
            "name": self.name,
            "unit": self.unit,
            "direction": self.direction,
            "teams": list(self.teams),
            "definition": self.definition,
            "formula": self.formula,
            "components": list(self.components),
            "uses": list(self.uses),
            "knobs": {k: jsonable(v) for k, v in self.knobs.items()},
            "company_wide": self.company_wide,
            "seeds": list(self.seeds),
            "fingerprint": self.fingerprint,
            "dimensions": list(self.dimensions),
        }


@dataclass(frozen=True)
class WorkspaceStatus:
    """What a workspace holds: rows per table, where, and how fresh."""

    path: str
    backend: str
    rows: dict[str, int]
    last_loaded_at: dt.datetime | None
    first_day: dt.date | None
    last_day: dt.date | None

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "path": self.path,
            "backend": self.backend,
            "rows": dict(self.rows),
            "last_loaded_at": self.last_loaded_at.isoformat() if self.last_loaded_at else None,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
        }
