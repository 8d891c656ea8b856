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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.errors import InputError, Issue, UsageError, did_you_mean
from tandem.load import presets, sources
from tandem.load.lookups import known_accounts, stored_extras
from tandem.load.mapfile import MappingFile
from tandem.load.mapped import stage_mapped
from tandem.load.mapping import Mapping, assign, read_any
from tandem.load.readers import ReadProblem, explain, open_file
from tandem.load.report import FileRead, LoadReport, Step, progress_bar
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
    """What to load: files or folders, an optional target table, mapping file or preset.

    A mapping in the simple form renames headers of files named after tables;
    a full mapping (a preset is one) recognises vendor files by their shape.
    """

    paths: tuple[str | Path, ...]
    table: str | None = None
    mapping: str | Path | None = None
    preset: str | None = None
    #: Report what the load would change, and change nothing.
    dry_run: bool = False
    #: Tables the files are the whole truth for: stored rows absent from them are deleted.
    replace: tuple[str, ...] = ()


def load_files(
    store: Store, request: LoadRequest, settings: Settings, *, progress: bool = False
) -> LoadReport:
    """Load every file of ``request``; raise InputError (nothing changed) on any issue."""
    started = time.perf_counter()
    _check_replace(request.replace)
    mapping = _mapping(request)
    if isinstance(mapping, MappingFile):
        if request.table is not None:
            raise UsageError(
                f"--table: {mapping.shown} recognises each file's table itself; "
                "drop --table (or use a mapping in the simple form)"
            )
        steps = len(request.paths) + 1
    else:
        plan = sources.plan(list(request.paths), request.table)
        steps = len(plan.sources) + 1
    con = store.staging()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    scratch = Scratch(con)
    try:
        with progress_bar(progress, steps) as step:
            if isinstance(mapping, MappingFile):
                outcome = stage_mapped(store, scratch, mapping, list(request.paths), settings, step)
                typed, reads, skipped = outcome.typed, tuple(outcome.files), tuple(outcome.skipped)
            else:
                typed = _stage_files(store, scratch, plan, mapping, settings, step)
                reads = tuple(FileRead(f.source.name, f.source.table, f.rows) for f in typed)
                skipped = plan.skipped
            step("saving")
            by_table = {t: [f for f in typed if f.source.table == t] for t in TABLE_NAMES}
            missing = [t for t in request.replace if not by_table[t]]
            if missing:
                raise UsageError(
                    f"--replace {missing[0]}: no file of this load gives {missing[0]}; "
                    "replacing it would delete every row (load its file with it)"
                )
            staged = [
                replace(stage(scratch, files), replace=files[0].source.table in request.replace)
                for files in by_table.values()
                if files
            ]
            counts = store.apply(staged, dry_run=request.dry_run)
    finally:
        scratch.drop()
    return LoadReport(
        tuple(counts),
        reads,
        skipped,
        time.perf_counter() - started,
        dry_run=request.dry_run,
        replaced=request.replace,
    )


def _check_replace(tables: tuple[str, ...]) -> None:
    for name in tables:
        if name not in TABLE_NAMES:
            raise UsageError(
                f"--replace {name!r}: no such table{did_you_mean(name, TABLE_NAMES)}; "
                f"tables: {', '.join(TABLE_NAMES)}"
            )


def _mapping(request: LoadRequest) -> Mapping | MappingFile:
    if request.preset is not None:
        if request.mapping is not None:
            raise UsageError("--preset and --mapping: give one (a preset is a mapping file)")
        return read_any(presets.path_of(request.preset))
    return read_any(request.mapping)


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
            known = known_accounts(store, scratch, typed)
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
        stored = stored_extras(store, scratch, source.table)
        return type_file(scratch, source, raw, assignment, stored)
    except duckdb.Error as exc:
        raise _Unusable([explain(exc).issue(source.name)]) from None
    finally:
        if raw.registered is not None:
            scratch.con.unregister(raw.registered)
