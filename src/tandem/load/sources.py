"""Which files a load reads, in which format, into which table.

A path given on the command line is either a file or a folder. A file loads
into the table its name starts with (``accounts.csv``, ``usage_events.2024-05.parquet``:
the name before the first dot), or into ``--table``. A folder loads every file
named after a table and reports the others as skipped, so a folder of exports
can hold a README or a stray spreadsheet. Files are sorted into
``schema.LOAD_ORDER`` so that the accounts a batch introduces are known before
the tables that refer to them are checked.

Files are named in messages the way the user can find them: a file as it was
given, a file inside a folder as the folder as given joined with its name.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

from tandem.errors import UsageError, did_you_mean
from tandem.schema import LOAD_ORDER, TABLE_NAMES


class Format(enum.Enum):
    CSV = "CSV"
    PARQUET = "Parquet"
    JSONL = "JSON Lines"
    XLSX = "XLSX"


#: Name endings and their format, longest first so ``.csv.gz`` wins over ``.gz``.
SUFFIXES: tuple[tuple[str, Format], ...] = (
    (".jsonl.gz", Format.JSONL),
    (".ndjson", Format.JSONL),
    (".parquet", Format.PARQUET),
    (".csv.gz", Format.CSV),
    (".jsonl", Format.JSONL),
    (".json", Format.JSONL),
    (".xlsx", Format.XLSX),
    (".csv", Format.CSV),
    (".tsv", Format.CSV),
)
SUPPORTED = ", ".join(s for s, _ in sorted(SUFFIXES, key=lambda s: s[1].value))


@dataclass(frozen=True)
class Source:
    """One file to read: where it is, how it is shown, its format and target table."""

    path: Path
    name: str
    table: str
    format: Format


@dataclass(frozen=True)
class Plan:
    sources: tuple[Source, ...]
    skipped: tuple[str, ...]


def file_format(name: str) -> Format | None:
    lowered = name.lower()
    for suffix, fmt in SUFFIXES:
        if lowered.endswith(suffix):
            return fmt
    return None


def table_of(name: str) -> str:
    """The table a file name points at: the part before the first dot."""
    return name.split(".", 1)[0]


def plan(paths: list[str | Path], table: str | None = None) -> Plan:
    """Resolve the user's paths into sources; raise UsageError for what cannot work."""
    if not paths:
        raise UsageError("nothing to load: give at least one file or folder")
    if table is not None and table not in TABLE_NAMES:
        raise UsageError(
            f"unknown table {table!r}{did_you_mean(table, TABLE_NAMES)}; "
            f"tables: {', '.join(TABLE_NAMES)}"
        )
    sources: list[Source] = []
    skipped: list[str] = []
    for given in paths:
        path = Path(given)
        shown = str(given)
        check_readable(path, shown)
        if path.is_dir():
            found, passed = _folder(path, shown, table)
            sources += found
            skipped += passed
        else:
            sources.append(_file(path, shown, table))
    unique = _distinct(sources)
    if not unique:
        detail = f"; skipped: {', '.join(skipped)}" if skipped else ""
        raise UsageError(
            f"nothing to load: no file named after a table ({', '.join(TABLE_NAMES)})"
            f" with a supported format ({SUPPORTED}){detail}"
        )
    unique.sort(key=lambda s: LOAD_ORDER.index(s.table))
    return Plan(tuple(unique), tuple(skipped))


def _distinct(sources: list[Source]) -> list[Source]:
    """Each file once, where it first appears (a file and its folder may both be given)."""
    seen: set[Path] = set()
    out: list[Source] = []
    for source in sources:
        key = source.path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(source)
    return out


def check_readable(path: Path, shown: str) -> None:
    if path.is_symlink() and not path.exists():
        raise UsageError(f"{shown}: {_broken_link(path)}")
    if not path.exists():
        parent = path.parent if str(path.parent) else Path(".")
        siblings = [p.name for p in parent.iterdir()] if parent.is_dir() else []
        hint = did_you_mean(path.name, siblings)
        raise UsageError(f"{shown}: no such file or folder{hint}")
    if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
        raise UsageError(f"{shown}: cannot be read (permission denied)")


def _file(path: Path, shown: str, table: str | None) -> Source:
    fmt = file_format(path.name)
    if fmt is None:
        raise UsageError(f"{shown}: unsupported file type; supported: {SUPPORTED}")
    target = table or table_of(path.name)
    if target not in TABLE_NAMES:
        raise UsageError(
            f"{shown}: no table named {target!r}{did_you_mean(target, TABLE_NAMES)}; "
            f"name the file after a table or pass --table (tables: {', '.join(TABLE_NAMES)})"
        )
    return Source(path, shown, target, fmt)


def _folder(folder: Path, shown: str, table: str | None) -> tuple[list[Source], list[str]]:
    sources: list[Source] = []
    skipped: list[str] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        name = str(Path(shown) / entry.name)
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() and not entry.exists():
            skipped.append(f"{name} ({_broken_link(entry)})")
            continue
        if not entry.is_file():
            if not entry.is_dir():
                skipped.append(f"{name} (not a regular file)")
            continue
        fmt = file_format(entry.name)
        target = table or table_of(entry.name)
        if fmt is None:
            skipped.append(f"{name} (not a supported file type)")
        elif target not in TABLE_NAMES:
            skipped.append(f"{name} (not named after a table)")
        elif not os.access(entry, os.R_OK):
            raise UsageError(f"{name}: cannot be read (permission denied)")
        else:
            sources.append(Source(entry, name, target, fmt))
    return sources, skipped


def _broken_link(path: Path) -> str:
    """Why a symbolic link leads nowhere: a loop, or a target that does not exist."""
    import errno

    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that loops (it leads back to itself)"
    return f"is a symbolic link to {os.readlink(path)}, which does not exist"
