"""Loading vendor files through a full mapping file (a preset is one).

Each file is recognised (``recognise``), read as it is (``rawfiles``), and
every table its source feeds ("part") is computed in one SELECT over the raw
file: the columns compiled by ``transforms`` with their problems evaluated
beside them, lookups joined, rows filtered by ``where``. That relation is then
typed and checked exactly like a canonical file (``staging``, ``validate``),
so a vendor file gets the same messages, plus its mapping's own (an unmapped
value, an unknown account name...) on the row and the field the file names.
Parts run in load order: accounts before what looks accounts up, billing
inputs before the subscription history built from them (``billing``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.errors import InputError, Issue, UsageError
from tandem.load import billing, rawfiles
from tandem.load.lookups import Lookups, UnknownLookupColumn, known_accounts, stored_extras
from tandem.load.mapping import Assignment, header_key
from tandem.load.readers import RawColumn, RawFile, ReadProblem
from tandem.load.recognise import recognise
from tandem.load.report import FileRead
from tandem.load.sources import Format, Source, check_readable
from tandem.load.sql import ident
from tandem.load.staging import Scratch, TypedFile, type_file
from tandem.load.tables import ORDER
from tandem.load.tables import spec as table_spec
from tandem.load.transforms import MissingField, Problem, compile_column
from tandem.load.validate import Check, find_issues

if TYPE_CHECKING:
    from tandem.load.mapfile import MappingFile, Part
    from tandem.load.mapfile import Source as MappedSource
    from tandem.settings import Settings
    from tandem.store import Store

#: What the report says a file "was read as" for the rows built from billing data.
BUILT = "built from billing data"
FORMATS = {"csv": Format.CSV, "json": Format.JSONL, "xlsx": Format.XLSX}


@dataclass(frozen=True)
class VendorFile:
    path: Path
    shown: str
    kind: str
    source: MappedSource
    raw: rawfiles.RawVendorFile


@dataclass
class Outcome:
    typed: list[TypedFile] = field(default_factory=list)
    files: list[FileRead] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def stage_mapped(
    store: Store,
    scratch: Scratch,
    mapping: MappingFile,
    paths: list[str | Path],
    settings: Settings,
    step: Callable[[str], None],
) -> Outcome:
    """Read, map, type and check every file; raise InputError with all issues of all files."""
    run = _Run(store, scratch, mapping, settings)
    temp = Path(tempfile.mkdtemp(prefix="tandem-load-"))
    try:
        files = run.open_files(_expand(paths), temp, step)
        run.map_parts(files, step)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    if run.issues:
        raise InputError(run.issues, run.more)
    return run.outcome


def _expand(paths: list[str | Path]) -> list[tuple[Path, str, bool]]:
    """(path, shown, given explicitly) of every file, folders expanded by name."""
    if not paths:
        raise UsageError("nothing to load: give at least one file or folder")
    out: list[tuple[Path, str, bool]] = []
    seen: set[Path] = set()
    for given in paths:
        path, shown = Path(given), str(given)
        check_readable(path, shown)
        entries = (
            [
                (p, str(Path(shown) / p.name), False)
                for p in sorted(path.iterdir())
                if p.is_file() and not p.name.startswith(".")
            ]
            if path.is_dir()
            else [(path, shown, True)]
        )
        for entry in entries:
            if entry[0].resolve() not in seen:
                seen.add(entry[0].resolve())
                out.append(entry)
    return out


@dataclass
class _Run:
    store: Store
    scratch: Scratch
    mapping: MappingFile
    settings: Settings
    issues: list[Issue] = field(default_factory=list)
    more: int = 0
    outcome: Outcome = field(default_factory=Outcome)
    typed: list[TypedFile] = field(default_factory=list)
    known: str | None = None

    def open_files(
        self, entries: list[tuple[Path, str, bool]], temp: Path, step: Callable[[str], None]
    ) -> list[VendorFile]:
        files = []
        for path, shown, explicit in entries:
            step(f"reading {shown}")
            found = recognise(self.scratch.con, self.mapping, path, shown)
            if isinstance(found, Issue):
                if explicit:
                    self.issues.append(found)
                else:
                    self.outcome.skipped.append(f"{shown} ({found.reason.split(';')[0]})")
                continue
            kind = rawfiles.kind_of(path)
            assert kind is not None
            try:
                raw = rawfiles.read(
                    self.scratch.con,
                    path,
                    kind,
                    found,
                    _json_paths(found),
                    self.scratch.name("raw"),
                    temp,
                )
            except ReadProblem as problem:
                self.issues.append(problem.issue(shown))
                continue
            self.scratch.tables.append(raw.relation.strip('"'))
            files.append(VendorFile(path, shown, kind, found, raw))
        if not files and not self.issues:
            raise UsageError(
                f"nothing to load: no file {self.mapping.name or self.mapping.shown} reads"
                + (f"; skipped: {', '.join(self.outcome.skipped)}" if self.outcome.skipped else "")
            )
        return files

    def map_parts(self, files: list[VendorFile], step: Callable[[str], None]) -> None:
        parts: list[tuple[VendorFile, Part]] = []
        for f in files:
            applying = [p for p in f.source.parts if all(_resolve(f, r) for r in p.requires)]
            if not applying:
                needed = " or ".join(", ".join(p.requires) for p in f.source.parts)
                self.issues.append(
                    Issue(f.shown, f"has none of the columns {f.source.name} needs: {needed}")
                )
            parts += [(f, p) for p in applying]
        parts.sort(key=lambda fp: ORDER.index(fp[1].table))
        lookups = Lookups(self.store, self.scratch, self.typed)
        built = False
        for f, part in parts:
            if not built and ORDER.index(part.table) > ORDER.index("billing_lines"):
                built = True
                self.build_history(step)
            step(f"mapping {f.shown} to {part.table}")
            self.map_part(f, part, lookups)
        if not built:
            self.build_history(step)

    def map_part(self, f: VendorFile, part: Part, lookups: Lookups) -> None:
        columns: list[tuple[str, str]] = []
        problems: list[tuple[str, Problem]] = []
        joins: list[str] = []
        labels: dict[str, str] = {}
        try:
            for i, column in enumerate((*part.columns, *part.extras)):
                try:
                    compiled = compile_column(
                        column,
                        lambda n: _resolve(f, n),
                        lookups.relation,
                        f.source.timezone,
                        f"lk{i}",
                    )
                except MissingField:
                    if not column.optional:
                        raise
                    columns.append((column.name, "NULL"))
                    continue
                columns.append((column.name, compiled.sql))
                problems += [
                    (column.name, replace(p, field=_label(f, p.field))) for p in compiled.problems
                ]
                if column.fields and not column.constant:
                    labels[column.name] = _label(f, column.fields[0])
                joins += compiled.joins
            where = _where(f, part)
        except MissingField as missing:
            line = next(
                (c.line for c in (*part.columns, *part.extras) if missing.field in c.references()),
                part.line,
            )
            self.issues.append(
                Issue(
                    f.shown,
                    f"has no field {missing.field!r}, which {f.source.name} needs for {part.table} "
                    f"({self.mapping.shown} line {line})",
                )
            )
            return
        except UnknownLookupColumn as unknown:
            self.issues.append(
                Issue(
                    f.shown,
                    f"cannot look ids up by {unknown.args[0]!r}: no stored or loaded row "
                    "has that column",
                )
            )
            return
        columns += _kept(f, part, {name for name, _ in columns})
        selects = [f"{sql} AS {ident(name)}" for name, sql in columns]
        carry: list[str] = []
        for k, (_, p) in enumerate(problems):
            selects.append(
                f"CASE WHEN {p.where} THEN CAST({p.shown} AS VARCHAR) END AS __issue_{k}"
            )
            carry.append(f"__issue_{k}")
            if p.other is not None:
                selects.append(
                    f"CASE WHEN {p.where} THEN CAST({p.other} AS VARCHAR) END AS __other_{k}"
                )
                carry.append(f"__other_{k}")
        selects.append(f"{f.raw.row} AS {ident(rawfiles.ROW)}")
        relation = self.scratch.name("mapped")
        self.scratch.tables.append(relation)
        self.scratch.con.execute(
            f"CREATE TEMP TABLE {ident(relation)} AS SELECT {', '.join(selects)} "
            f"FROM {f.raw.relation} r {' '.join(joins)} WHERE {f.raw.keep_rows} AND ({where})"
        )
        names = [n for n, _ in columns]
        self.add_typed(
            Source(f.path, f.shown, part.table, FORMATS[f.kind]),
            relation,
            names,
            tuple(carry),
            problems,
            f.source.name,
            labels,
        )

    def add_typed(
        self,
        source: Source,
        relation: str,
        names: list[str],
        carry: tuple[str, ...],
        problems: list[tuple[str, Problem]],
        recognised: str,
        labels: dict[str, str] | None = None,
    ) -> TypedFile | None:
        spec = table_spec(source.table)
        described = dict(
            (str(r[0]), str(r[1]))
            for r in self.scratch.con.execute(f"DESCRIBE {ident(relation)}").fetchall()
        )
        raw = RawFile(
            ident(relation),
            tuple(RawColumn(n, ident(n), described[n]) for n in names),
            "{t}." + ident(rawfiles.ROW),
            row_source=ident(rawfiles.ROW),
        )
        canonical = {n: n for n in names if n in spec.column_names}
        extras = {n: n for n in names if n not in spec.column_names}
        stored = stored_extras(self.store, self.scratch, source.table)
        typed = type_file(self.scratch, source, raw, Assignment(canonical, extras), stored, carry)
        position = {c.name: i for i, c in enumerate(typed.columns)}
        checks: list[Check] = []
        hidden: dict[str, str] = {}
        for k, (target, p) in enumerate(problems):
            issue = f"{{t}}.__issue_{k}"
            checks.append(
                Check(
                    position.get(target, 0),
                    p.field,
                    f"{issue} IS NOT NULL",
                    p.reason,
                    issue,
                    f"{{t}}.__other_{k}" if p.other is not None else None,
                    quote_other=False,
                )
            )
            hidden[target] = " AND ".join(filter(None, [hidden.get(target), f"{issue} IS NULL"]))
        typed = replace(
            typed,
            checks=tuple(checks),
            suppress=tuple(hidden.items()),
            labels=tuple((labels or {}).items()),
        )
        self.typed.append(typed)
        if self.known is None and spec.references_account:
            self.known = known_accounts(self.store, self.scratch, self.typed)
        found = find_issues(
            self.scratch.con,
            typed,
            self.settings.metrics,
            self.known,
            self.settings.load.max_issues_per_file,
        )
        self.issues += found.issues
        self.more += found.more
        self.outcome.files.append(FileRead(source.name, source.table, typed.rows, recognised))
        if source.table not in billing.BILLING_TABLES:
            self.outcome.typed.append(typed)
        return typed

    def build_history(self, step: Callable[[str], None]) -> None:
        """Subscriptions and trials from the billing inputs of this load (if any)."""
        subs = [t for t in self.typed if t.source.table == "billing_subscriptions"]
        lines = [t for t in self.typed if t.source.table == "billing_lines"]
        if not subs and not lines:
            return
        if not subs:
            self.issues.append(
                Issue(
                    lines[0].source.name,
                    "gives invoice lines, but the subscription history also needs the "
                    "subscriptions (load them in the same load)",
                )
            )
            return
        if self.issues:
            return
        step("building the subscription history")
        union_subs = self._union(subs)
        union_lines = self._union(lines) if lines else None
        names = " + ".join(dict.fromkeys(Path(t.source.name).name for t in subs + lines))
        shown = f"billing history ({names})"
        history = self.scratch.name("history")
        self.scratch.tables.append(history)
        self.scratch.con.execute(
            f"CREATE TEMP TABLE {ident(history)} AS "
            + billing.history_sql(union_subs, union_lines, self.settings.load.discounts)
        )
        columns = list(table_spec("subscriptions").column_names)
        self.add_typed(
            Source(subs[0].source.path, shown, "subscriptions", Format.JSONL),
            history,
            columns,
            (),
            [],
            BUILT,
        )
        trials = self.scratch.name("trials")
        self.scratch.tables.append(trials)
        self.scratch.con.execute(
            f"CREATE TEMP TABLE {ident(trials)} AS " + billing.trials_sql(union_subs, history)
        )
        if self.scratch.con.execute(f"SELECT count(*) FROM {ident(trials)}").fetchone() != (0,):
            self.add_typed(
                Source(subs[0].source.path, shown, "trials", Format.JSONL),
                trials,
                list(table_spec("trials").column_names),
                (),
                [],
                BUILT,
            )

    def _union(self, files: list[TypedFile]) -> str:
        """One relation of a billing input's files; a key in several files: the last file's row."""
        spec = table_spec(files[0].source.table)
        names = ", ".join(ident(c) for c in spec.column_names)
        parts = " UNION ALL ".join(
            f"SELECT {names}, {ident(rawfiles.ROW)}, {i} AS __file FROM {ident(f.relation)}"
            for i, f in enumerate(files)
        )
        keys = ", ".join(ident(k) for k in spec.key)
        relation = self.scratch.name("billing")
        self.scratch.tables.append(relation)
        self.scratch.con.execute(
            f"CREATE TEMP TABLE {ident(relation)} AS SELECT * EXCLUDE (__file) FROM ({parts}) "
            f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY __file DESC) = 1"
        )
        return relation


def _json_paths(source: MappedSource) -> list[str]:
    """The JSON fields a source's parts use, as paths (aliases expanded)."""
    names: list[str] = []
    for part in source.parts:
        for column in (*part.columns, *part.extras):
            names += column.references()
        names += list(part.requires) + list(part.keep)
        if part.where:
            from tandem.load.expressions import references

            names += references(part.where)
    paths: list[str] = []
    for name in dict.fromkeys(names):
        paths += source.fields.get(name, (name,))
    return list(dict.fromkeys(paths))


def _resolve(f: VendorFile, name: str) -> str | None:
    """The SQL of a field of ``f`` by alias, exact name or header_key; None when absent."""
    found = []
    for target in f.source.fields.get(name, (name,)):
        sql = f.raw.fields.get(target)
        if sql is None and f.kind != "json":
            key = header_key(target)
            sql = next((s for h, s in f.raw.fields.items() if header_key(h) == key), None)
        if sql is not None:
            found.append(sql)
    if not found:
        return None
    return found[0] if len(found) == 1 else f"coalesce({', '.join(found)})"


def _label(f: VendorFile, name: str) -> str:
    """A field as the file names it: an alias's first present field, a header as written."""
    for target in f.source.fields.get(name, (name,)):
        if target in f.raw.fields:
            return target
        if f.kind != "json":
            key = header_key(target)
            found = next((h for h in f.raw.fields if header_key(h) == key), None)
            if found is not None:
                return found
    return name


def _where(f: VendorFile, part: Part) -> str:
    """The part's row filter; a field the file lacks is empty in it."""
    if part.where is None:
        return "true"
    from tandem.load.expressions import compile_sql

    def absent_is_empty(name: str) -> str:
        return _resolve(f, name) or "CAST(NULL AS VARCHAR)"

    return f"coalesce({compile_sql(part.where, absent_is_empty).sql}, false)"


def _kept(f: VendorFile, part: Part, taken: set[str]) -> list[tuple[str, str]]:
    """Extra columns copied as they are: ``keep`` lists them, ``keep: all`` means the rest."""
    if part.keep_all:
        used = {header_key(r) for c in (*part.columns, *part.extras) for r in c.references()}
        wanted = [h for h in f.raw.fields if header_key(h) not in used]
    else:
        wanted = list(part.keep)
    out = []
    spec = table_spec(part.table)
    for header in wanted:
        name = header_key(header)
        sql = _resolve(f, header)
        if sql is None or not name or name in taken or name in spec.column_names:
            continue
        taken.add(name)
        out.append((name, sql))
    return out
