"""``tandem load``: files in, validated rows upserted, or nothing at all.

The path of the data: ``sources`` decides which file goes to which table,
``readers`` opens each in DuckDB, ``mapping`` matches its headers to columns,
``staging`` types it into a TEMP table in one pass (``coerce`` holds the SQL of
each type), ``validate`` collects every issue with SQL, and only when no file
of the load has an issue does ``Store.apply`` upsert all tables in one
transaction. Nothing is read row by row in Python (except XLSX cells, which
openpyxl hands over one by one).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.errors import InputError, Issue
from tandem.load import sources
from tandem.load.mapping import Mapping, assign, read_mapping
from tandem.load.readers import ReadProblem, explain, open_file
from tandem.load.report import FileRead, LoadReport, Step, progress_bar
from tandem.load.sql import ident
from tandem.load.staging import Scratch, TypedFile, stage, type_file
from tandem.load.validate import find_issues
from tandem.schema import TABLE_NAMES
from tandem.schema import table as table_spec

if TYPE_CHECKING:
    from tandem.settings import Settings
    from tandem.store import Store

__all__ = ["LoadReport", "LoadRequest", "load_files"]


@dataclass(frozen=True)
class LoadRequest:
    """What to load: files or folders, an optional target table and header mapping."""

    paths: tuple[str | Path, ...]
    table: str | None = None
    mapping: str | Path | None = None


def load_files(
    store: Store, request: LoadRequest, settings: Settings, *, progress: bool = False
) -> LoadReport:
    """Load every file of ``request``; raise InputError (nothing changed) on any issue."""
    started = time.perf_counter()
    plan = sources.plan(list(request.paths), request.table)
    mapping = read_mapping(request.mapping)
    con = store.staging()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    scratch = Scratch(con)
    try:
        with progress_bar(progress, len(plan.sources) + 1) as step:
            typed = _stage_files(store, scratch, plan, mapping, settings, step)
            step("saving")
            by_table = {t: [f for f in typed if f.source.table == t] for t in TABLE_NAMES}
            staged = [stage(scratch, files) for files in by_table.values() if files]
            counts = store.apply(staged)
    finally:
        scratch.drop()
    files = tuple(FileRead(f.source.name, f.source.table, f.rows) for f in typed)
    return LoadReport(tuple(counts), files, plan.skipped, time.perf_counter() - started)


def _stage_files(
    store: Store,
    scratch: Scratch,
    plan: sources.Plan,
    mapping: Mapping,
    settings: Settings,
    step: Step,
) -> list[TypedFile]:
    """Type and check every file; raise InputError with the issues of all files.

    Account references are checked against the stored accounts and those of
    this load's accounts files, which come first in load order. When an
    accounts file cannot be used at all, the check is skipped: the load is
    refused anyway, and every reference to its accounts would be noise.
    """
    typed: list[TypedFile] = []
    issues: list[Issue] = []
    more = 0
    accounts_usable = True
    known: str | None = None
    for source in plan.sources:
        step(f"reading {source.name}")
        try:
            typed_file = _type(store, scratch, source, mapping)
        except _Unusable as unusable:
            issues += unusable.issues
            accounts_usable &= source.table != "accounts"
            continue
        typed.append(typed_file)
        if known is None and accounts_usable and table_spec(source.table).references_account:
            known = _known_accounts(store, scratch, typed)
        found = find_issues(
            scratch.con, typed_file, settings.metrics, known, settings.load.max_issues_per_file
        )
        issues += found.issues
        more += found.more
    if issues:
        raise InputError(issues, more)
    return typed


class _Unusable(Exception):
    """A file that cannot be typed at all: unreadable, or missing required columns."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues)
        self.issues = issues


def _type(store: Store, scratch: Scratch, source: sources.Source, mapping: Mapping) -> TypedFile:
    import duckdb

    try:
        raw = open_file(scratch.con, source, scratch.name("xlsx"))
    except ReadProblem as problem:
        raise _Unusable([problem.issue(source.name)]) from None
    try:
        assignment = assign(source.table, [c.header for c in raw.columns], mapping)
        if assignment.problems:
            raise _Unusable([Issue(source.name, p) for p in assignment.problems])
        stored = _stored_extras(store, scratch, source.table)
        return type_file(scratch, source, raw, assignment, stored)
    except duckdb.Error as exc:
        raise _Unusable([explain(exc).issue(source.name)]) from None
    finally:
        if raw.registered is not None:
            scratch.con.unregister(raw.registered)


def _known_accounts(store: Store, scratch: Scratch, typed: Sequence[TypedFile]) -> str:
    """A view of the account ids stored or arriving in this load's accounts files."""
    existing = scratch.name("existing_accounts")
    store.stage_existing("accounts", ("account_id",), existing)
    scratch.views.append(existing)
    parts = [f"SELECT account_id FROM {ident(existing)}"] + [
        f"SELECT account_id FROM {ident(f.relation)}" for f in typed if f.source.table == "accounts"
    ]
    known = scratch.name("known_accounts")
    scratch.con.execute(f"CREATE TEMP VIEW {ident(known)} AS {' UNION ALL '.join(parts)}")
    scratch.views.append(known)
    return known


def _stored_extras(store: Store, scratch: Scratch, table: str) -> dict[str, str]:
    """DuckDB types of the extra columns already stored in ``table``."""
    canonical = set(table_spec(table).column_names)
    extras = tuple(c for c in store.table(table).columns if c not in canonical)
    if not extras:
        return {}
    view = scratch.name("stored")
    store.stage_existing(table, extras, view)
    scratch.views.append(view)
    described = scratch.con.execute(f"DESCRIBE {ident(view)}").fetchall()
    return {str(r[0]): str(r[1]) for r in described}
