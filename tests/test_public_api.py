"""The public API: the names ``tandem`` exports, pinned, each importable and typed."""

from __future__ import annotations

import inspect
import typing

import tandem

PUBLIC = [
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


def test_the_public_names_are_pinned() -> None:
    assert sorted(tandem.__all__) == PUBLIC


def test_every_public_name_resolves() -> None:
    for name in PUBLIC:
        assert getattr(tandem, name) is not None, name


def _names() -> dict[str, object]:
    """What the facade's annotations name behind ``TYPE_CHECKING``."""
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from tandem.engine.cache import ResultCache
    from tandem.engine.explain import Explanation
    from tandem.load import LoadReport
    from tandem.semantic.catalog import Catalog
    from tandem.semantic.types import Metric
    from tandem.service import workspace
    from tandem.service.readers import Readers
    from tandem.service.session import ReadSession
    from tandem.store import Store

    return vars(workspace) | {
        "pd": pd,
        "pl": pl,
        "pa": pa,
        "ResultCache": ResultCache,
        "Explanation": Explanation,
        "LoadReport": LoadReport,
        "Catalog": Catalog,
        "Metric": Metric,
        "Readers": Readers,
        "ReadSession": ReadSession,
        "Store": Store,
    }


def test_the_facade_signatures_say_no_any() -> None:
    """Every public method of the facade annotates every parameter and its return, and
    none of them is ``Any``."""
    names = _names()
    for name, method in inspect.getmembers(tandem.Workspace, inspect.isfunction):
        if name.startswith("_"):
            continue
        hints = typing.get_type_hints(method, globalns=names)
        params = [p for p in inspect.signature(method).parameters if p != "self"]
        assert set(params) <= set(hints), f"{name}: unannotated {set(params) - set(hints)}"
        assert "return" in hints, f"{name}: no return annotation"
        for param, hint in hints.items():
            assert hint is not typing.Any, f"Workspace.{name}({param}) is Any"
