"""Helpers for load tests: write hand-made files, read tables back."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from tandem.errors import InputError
from tandem.service.workspace import Workspace


def write(path: Path, text: str) -> Path:
    """Write dedented ``text`` (leading blank line dropped) to ``path``; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def rows(ws: Workspace, table: str, columns: str = "*") -> list[tuple[Any, ...]]:
    """Every row of ``table``, sorted, as tuples."""
    raw = ws.store.raw  # type: ignore[attr-defined]
    return raw.execute(f'SELECT {columns} FROM "{table}" ORDER BY ALL').fetchall()  # type: ignore[no-any-return]


def snapshot(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's columns and rows: equal snapshots mean equal stores."""
    raw = ws.store.raw  # type: ignore[attr-defined]
    names = [
        r[0]
        for r in raw.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
        ).fetchall()
    ]
    out: dict[str, list[tuple[Any, ...]]] = {}
    for name in sorted(names):
        columns = raw.execute(f'DESCRIBE "{name}"').fetchall()
        out[name] = [tuple(c[:2]) for c in columns] + rows(ws, name)
    return out


def refused(ws: Workspace, paths: list[Path], **kwargs: Any) -> list[str]:
    """The issue lines of a load that must be refused (and must change nothing)."""
    before = snapshot(ws)
    with pytest.raises(InputError) as caught:
        ws.load(list(paths), **kwargs)
    assert snapshot(ws) == before
    return str(caught.value).splitlines()
