"""Typed staging tables: each file typed in one pass, then one relation per table.

``type_file`` turns a raw file into a TEMP table holding the schema's columns
(typed, absent optional ones as NULL), the text of every value that failed to
parse (for messages), the extra columns and, for XLSX, the sheet row. ``stage`` then hands
``Store.apply`` one relation per table with the canonical and extra columns
only. When several files of one load feed the same table, a key present in
more than one of them takes the row of the file loaded last (files load in
the order given, a folder's files by name).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tandem.load import coerce
from tandem.load.readers import RawColumn, RawFile
from tandem.load.sql import ident
from tandem.load.tables import spec as table_spec
from tandem.store import Staged

if TYPE_CHECKING:
    import duckdb

    from tandem.load.mapping import Assignment
    from tandem.load.sources import Source
    from tandem.load.validate import Check

ROW = "__row"


@dataclass
class Scratch:
    """Names of the temporary objects of one load, dropped together at the end."""

    con: duckdb.DuckDBPyConnection
    prefix: str = field(default_factory=lambda: f"__tandem_load_{uuid.uuid4().hex[:8]}")
    tables: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    made: int = 0

    def name(self, kind: str) -> str:
        self.made += 1
        return f"{self.prefix}_{kind}_{self.made}"

    def drop(self) -> None:
        for view in reversed(self.views):
            self.con.execute(f"DROP VIEW IF EXISTS {ident(view)}")
        for name in self.tables:
            self.con.execute(f"DROP TABLE IF EXISTS {ident(name)}")
        self.views.clear()
        self.tables.clear()


@dataclass(frozen=True)
class TypedFile:
    """One file typed into a TEMP table, with what validation needs to know about it."""

    source: Source
    relation: str
    row: str
    columns: tuple[coerce.Typed, ...]
    extras: tuple[str, ...]
    rows: int
    #: Checks a mapping adds (its transforms' problems), and per column the SQL
    #: that must hold for the column's own checks to apply (not hidden by one).
    checks: tuple[Check, ...] = ()
    suppress: tuple[tuple[str, str], ...] = ()
    #: How messages name a column: the file's own field when a mapping renamed it.
    labels: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> coerce.Typed:
        return next(c for c in self.columns if c.name == name)


def type_file(
    scratch: Scratch,
    source: Source,
    raw: RawFile,
    assignment: Assignment,
    stored_types: dict[str, str],
    carry: tuple[str, ...] = (),
) -> TypedFile:
    """Read and type the whole file into one TEMP table (DuckDB errors propagate).

    ``carry`` names columns of the raw relation passed through unchanged (a
    mapping's problem columns).
    """
    spec = table_spec(source.table)
    by_header = {c.header: c for c in raw.columns}
    columns = [
        coerce.canonical(c, _pick(by_header, assignment.canonical.get(c.name)))
        for c in spec.columns
    ]
    columns += [
        coerce.extra(name, by_header[header], stored_types.get(name))
        for name, header in assignment.extras.items()
    ]
    levels = [
        [f"{sql} AS {ident(alias)}" for c in columns for alias, sql in getattr(c, level)]
        for level in ("read", "parse", "keep")
    ]
    row = raw.row
    if raw.row_source is not None:
        levels[0].append(f"{raw.row_source} AS {ident(ROW)}")
        levels[1].append(ident(ROW))
        levels[2].append(ident(ROW))
        row = "{t}." + ident(ROW)
    for name in carry:
        levels[0].append(ident(name))
        levels[1].append(ident(name))
        levels[2].append(ident(name))
    query = f"SELECT {', '.join(levels[0])} FROM {raw.relation}"
    for level in levels[1:]:
        query = f"SELECT {', '.join(level)} FROM ({query})"
    relation = scratch.name("typed")
    scratch.tables.append(relation)
    scratch.con.execute(f"CREATE TEMP TABLE {ident(relation)} AS {query}")
    counted = scratch.con.execute(f"SELECT count(*) FROM {ident(relation)}").fetchone()
    return TypedFile(
        source,
        relation,
        row,
        tuple(columns),
        tuple(assignment.extras),
        int(counted[0]) if counted else 0,
    )


def _pick(by_header: dict[str, RawColumn], header: str | None) -> RawColumn | None:
    return None if header is None else by_header[header]


def stage(scratch: Scratch, files: list[TypedFile]) -> Staged:
    """One relation for ``Store.apply`` from the typed files of one table."""
    spec = table_spec(files[0].source.table)
    extras = list(dict.fromkeys(e for f in files for e in f.extras))
    names = [*spec.column_names, *extras]
    if len(files) == 1:
        relation = scratch.name("staged")
        scratch.views.append(relation)
        cols = ", ".join(ident(n) for n in names)
        sql = f"CREATE TEMP VIEW {ident(relation)} AS SELECT {cols} FROM {ident(files[0].relation)}"
    else:
        relation = scratch.name("staged")
        scratch.tables.append(relation)
        parts = " UNION ALL BY NAME ".join(
            f"SELECT {', '.join(ident(n) for n in (*spec.column_names, *f.extras))}, "
            f"{i} AS __file FROM {ident(f.relation)}"
            for i, f in enumerate(files)
        )
        key = ", ".join(ident(k) for k in spec.key)
        cols = ", ".join(ident(n) for n in names)
        sql = (
            f"CREATE TEMP TABLE {ident(relation)} AS SELECT {cols} FROM ({parts}) "
            f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY __file DESC) = 1"
        )
    scratch.con.execute(sql)
    described = scratch.con.execute(f"DESCRIBE {ident(relation)}").fetchall()
    types = {str(r[0]): str(r[1]) for r in described}
    return Staged(spec.name, relation, tuple((e, types[e]) for e in extras))
