"""The service: the one way the CLI, the web layer, scorecards, health and alerts reach
the data. ``Workspace`` is the facade; the names below are its vocabulary."""

from __future__ import annotations

from tandem.engine.explain import Explanation, SourceRows
from tandem.engine.query import (
    KnobValue,
    MetricQuery,
    MetricResult,
    MissingData,
    ResultWarning,
    SmallSample,
)
from tandem.load import LoadReport
from tandem.service.imports import BUILT, Preset, presets
from tandem.service.info import MetricInfo, WorkspaceStatus
from tandem.service.session import ReadSession
from tandem.service.summary import Headline, Summary, summarize
from tandem.service.workspace import Workspace, parse_date

__all__ = [
    "BUILT",
    "Explanation",
    "Headline",
    "KnobValue",
    "LoadReport",
    "MetricInfo",
    "MetricQuery",
    "MetricResult",
    "MissingData",
    "Preset",
    "ReadSession",
    "ResultWarning",
    "SmallSample",
    "SourceRows",
    "Summary",
    "Workspace",
    "WorkspaceStatus",
    "parse_date",
    "presets",
    "summarize",
]
