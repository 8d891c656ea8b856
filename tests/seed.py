"""Helpers for metric tests: insert hand-made rows, read values back."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pyarrow as pa

from tandem.schema import ColumnType, Table, table
from tandem.service.workspace import Workspace
from tandem.store import Store

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
    """Append ``rows`` (dicts of canonical columns; ISO strings for dates) to a table.

    A key that is not a canonical column must be a column the test added to the
    table (``ALTER TABLE``); its values are inserted as given.
    """
    spec = table(name)
    with ws.writer("test rows") as store:
        _insert(store, name, spec, rows)
        store.note_changes([name])


def _insert(store: Store, name: str, spec: Table, rows: list[dict[str, Any]]) -> None:
    raw = store.raw  # type: ignore[attr-defined]
    present = {r[0] for r in raw.execute(f'DESCRIBE "{name}"').fetchall()}
    extra = sorted({k for r in rows for k in r} - set(spec.column_names))
    unknown = set(extra) - present
    assert not unknown, f"{name}: unknown columns {unknown}"
    columns = {
        c.name: pa.array([_value(r.get(c.name), c.type) for r in rows], ARROW[c.type])
        for c in spec.columns
    }
    columns.update({c: pa.array([r.get(c) for r in rows]) for c in extra})
    data = pa.table(columns)
    names = ", ".join(f'"{c}"' for c in columns)
    raw.register("incoming", data)
    raw.execute(f'INSERT INTO "{name}" ({names}) SELECT {names} FROM incoming')
    raw.unregister("incoming")


def changed(ws: Workspace, *names: str) -> None:
    """Log a change to ``names`` as a load would, so cached results of earlier
    computations in the same workspace go stale (see tandem.engine.cache)."""
    with ws.writer("test change") as store:
        store.note_changes(list(names))


_ids = itertools.count(1)


def sub(
    account: str, mrr: float, start: str, end: str | None = None, **more: Any
) -> dict[str, Any]:
    """A subscription row: ``account`` pays ``mrr`` from ``start`` until ``end`` (exclusive)."""
    return {
        "subscription_id": f"s{next(_ids)}",
        "account_id": account,
        "mrr": float(mrr),
        "valid_from": start,
        "valid_to": end,
        **more,
    }


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


def series(ws: Workspace, *slugs: str, **kwargs: Any) -> dict[str, list[Any]]:
    """Several metrics computed in one pass: slug → values in period order (None = no value)."""
    results = ws.compute(slugs, **kwargs)
    return {
        slug: [None if v != v else v for v in r.rows["value"].tolist()]
        for slug, r in results.items()
    }


def rows(ws: Workspace, *slugs: str, period: str, **kwargs: Any) -> dict[str, dict[str, Any]]:
    """Several metrics in one pass: slug → the single result row for the period holding
    ``period`` (value and components; None for no value)."""
    results = ws.compute(slugs, start=period, end=period, **kwargs)
    out = {}
    for slug, r in results.items():
        assert len(r.rows) == 1, r.rows
        rec = r.rows.iloc[0].to_dict()
        out[slug] = {k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()}
    return out
