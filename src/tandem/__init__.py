"""Tandem: one shared, explainable scorecard for the teams that win and keep customers.

The facade is :class:`tandem.Workspace`; the command line is ``tandem``. The names in
``__all__`` are the public API (pinned by tests/test_public_api.py); each is imported
on first use, so ``import tandem`` and ``tandem --help`` stay quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tandem.version import __version__

if TYPE_CHECKING:
    from tandem.errors import (
        ConfigError,
        InputError,
        TandemError,
        UsageError,
        WorkspaceError,
    )
    from tandem.semantic.calendar import Grain, Period
    from tandem.semantic.dimensions import Filter, Op
    from tandem.semantic.types import Direction, Metric, Team, Unit
    from tandem.service import (
        Explanation,
        LoadReport,
        MetricInfo,
        MetricQuery,
        MetricResult,
        MissingData,
        ReadSession,
        SmallSample,
        Summary,
        Workspace,
        WorkspaceStatus,
    )

#: Where each public name lives.
_HOMES = {
    "Workspace": "tandem.service",
    "MetricQuery": "tandem.service",
    "MetricResult": "tandem.service",
    "Explanation": "tandem.service",
    "MetricInfo": "tandem.service",
    "WorkspaceStatus": "tandem.service",
    "ReadSession": "tandem.service",
    "LoadReport": "tandem.service",
    "Summary": "tandem.service",
    "SmallSample": "tandem.service",
    "MissingData": "tandem.service",
    "Filter": "tandem.semantic.dimensions",
    "Op": "tandem.semantic.dimensions",
    "Grain": "tandem.semantic.calendar",
    "Period": "tandem.semantic.calendar",
    "Metric": "tandem.semantic.types",
    "Unit": "tandem.semantic.types",
    "Direction": "tandem.semantic.types",
    "Team": "tandem.semantic.types",
    "TandemError": "tandem.errors",
    "UsageError": "tandem.errors",
    "ConfigError": "tandem.errors",
    "InputError": "tandem.errors",
    "WorkspaceError": "tandem.errors",
}

__all__ = [
    "ConfigError",
    "Direction",
    "Explanation",
    "Filter",
    "Grain",
    "InputError",
    "LoadReport",
    "Metric",
    "MetricInfo",
    "MetricQuery",
    "MetricResult",
    "MissingData",
    "Op",
    "Period",
    "ReadSession",
    "SmallSample",
    "Summary",
    "TandemError",
    "Team",
    "Unit",
    "UsageError",
    "Workspace",
    "WorkspaceError",
    "WorkspaceStatus",
    "__version__",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tandem' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
