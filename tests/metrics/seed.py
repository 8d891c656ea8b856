"""Helpers for metric tests: insert hand-made rows, read values back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from tandem.schema import ColumnType, table
from tandem.workspace import Workspace

ARROW = {
    ColumnType.STRING: pa.string(),
    ColumnType.TIMESTAMP: pa.timestamp("us"),
    ColumnType.DATE: pa.date32(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.BOOLEAN: pa.bool_(),
}

Rows = dict[str, list[dict[str, Any]]]


def _value(v: Any, kind: ColumnType) -> Any:
    if v is None or not isinstance(v, str):
        return v
    if kind is ColumnType.TIMESTAMP:
        return dt.datetime.fromisoformat(v)
    if kind is ColumnType.DATE:
        return dt.date.fromisoformat(v)
    return v


def insert(ws: Workspace, name: str, rows: list[dict[str, Any]]) -> None:
    """Append ``rows`` (dicts of canonical columns; ISO strings for dates) to a table."""
    spec = table(name)
    unknown = {k for r in rows for k in r} - set(spec.column_names)
    assert not unknown, f"{name}: unknown columns {unknown}"
    data = pa.table({
        c.name: pa.array([_value(r.get(c.name), c.type) for r in rows], ARROW[c.type])
        for c in spec.columns
    })
    raw = ws.store.raw  # type: ignore[attr-defined]
    raw.register("incoming", data)
    raw.execute(f'INSERT INTO "{name}" SELECT * FROM incoming')
    raw.unregister("incoming")


def values(ws: Workspace, slug: str, **kwargs: Any) -> list[Any]:
    """The metric's values in period order (None for no value)."""
    rows = ws.metric(slug, **kwargs)
    return [None if v != v else v for v in rows["value"].tolist()]  # NaN → None


def row(ws: Workspace, slug: str, period: str, **kwargs: Any) -> dict[str, Any]:
    """The single result row of ``slug`` for the month holding ``period``."""
    rows = ws.metric(slug, start=period, end=period, **kwargs)
    assert len(rows) == 1, rows
    rec = rows.iloc[0].to_dict()
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()}
