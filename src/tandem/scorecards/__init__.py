"""Shared scorecards: targets, baselines, status and accountable teams over the catalog.

``scorecard(ws, "shared", ScorecardRequest(...))`` finds the definition in
``<workspace>/scorecards/``, validates it and builds a :class:`Scorecard` through
the facade; the renderers turn that one object into a table, CSV, JSON, HTML,
XLSX or PDF. ``write_default(folder)`` writes the default shared scorecard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.scorecards.defaults import DEFAULT_NAME, write_default

if TYPE_CHECKING:
    from tandem.scorecards.build import ScorecardRequest
    from tandem.scorecards.model import Scorecard
    from tandem.service.workspace import Workspace

__all__ = ["DEFAULT_NAME", "scorecard", "write_default"]


def scorecard(ws: Workspace, name: str | None, request: ScorecardRequest) -> Scorecard:
    """The scorecard ``name`` (default: shared) of the workspace, built for ``request``."""
    from tandem.scorecards.build import build
    from tandem.scorecards.folder import find

    catalog = {m.slug: m for m in ws.catalog()}
    found = find(ws.path, name, catalog)
    source = str(found.path) if found.path is not None else "built-in shared scorecard"
    return build(ws, found.definition, request, name=found.name, source=source)
