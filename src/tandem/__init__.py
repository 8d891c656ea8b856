"""Tandem: one shared, explainable scorecard for the teams that win and keep customers.

The facade is :class:`tandem.Workspace`; the command line is ``tandem``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Workspace", "__version__"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from tandem.service.workspace import Workspace


def __getattr__(name: str) -> Any:
    # Imported on first use, so `tandem --help` and the loaders stay quick to start.
    if name == "Workspace":
        from tandem.service.workspace import Workspace

        return Workspace
    raise AttributeError(f"module 'tandem' has no attribute {name!r}")
