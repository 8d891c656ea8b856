"""How the headers of an export become the columns of a canonical table.

Headers are matched in a forgiving form (``header_key``): trimmed, case-folded,
and with runs of spaces or punctuation as one underscore, so ``' Account_ID '``
and ``Account ID`` both land in ``account_id``. A mapping file renames the
headers of an export whose names differ; it is YAML, either a flat map applied
to every file or a map per table, and both kinds may be mixed (a table's own
entries win)::

    Company: name                 # every file
    accounts:
      Customer Ref: account_id    # accounts files only

Headers that match no canonical column are kept as extra columns under their
``header_key`` (so ``Health Tier`` is stored as ``health_tier``).

A file with a top-level ``sources:`` key is a full mapping (transforms,
lookups, several tables per file, vendor file recognition), parsed by
``tandem.load.mapfile``; ``read_any`` tells the two apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.errors import UsageError, did_you_mean
from tandem.schema import RESERVED_NAMES, RESERVED_PREFIXES, TABLE_NAMES, TABLES, table

if TYPE_CHECKING:
    from tandem.load.mapfile import MappingFile


def header_key(name: str) -> str:
    """The form in which headers are compared with column names and stored as extras."""
    return re.sub(r"\W+", "_", name.strip().casefold()).strip("_")


@dataclass(frozen=True)
class Mapping:
    """Renames from source headers (as ``header_key``) to canonical columns."""

    everywhere: dict[str, str] = field(default_factory=dict)
    per_table: dict[str, dict[str, str]] = field(default_factory=dict)

    def for_table(self, name: str) -> dict[str, str]:
        columns = set(table(name).column_names)
        renames = {k: v for k, v in self.everywhere.items() if v in columns}
        return renames | self.per_table.get(name, {})


@dataclass(frozen=True)
class Assignment:
    """Where each column of a table comes from in one file, and what does not fit."""

    canonical: dict[str, str]
    extras: dict[str, str]
    problems: tuple[str, ...] = ()


def read_mapping(path: str | Path | None) -> Mapping:
    """Parse a mapping file; any mistake in it is a UsageError naming the file."""
    if path is None:
        return Mapping()
    import yaml

    shown = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such mapping file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{shown}: cannot read the mapping: {exc}") from None
    if data is None:
        return Mapping()
    if not isinstance(data, dict):
        raise UsageError(
            f"{shown}: expected a map 'source column: canonical column', "
            "or 'table: {source column: canonical column}'"
        )
    everywhere: dict[str, str] = {}
    per_table: dict[str, dict[str, str]] = {}
    any_column = {c for t in TABLES for c in t.column_names}
    for key, value in data.items():
        if isinstance(value, dict):
            name = str(key)
            if name not in TABLE_NAMES:
                raise UsageError(
                    f"{shown}: unknown table {name!r}{did_you_mean(name, TABLE_NAMES)}"
                )
            columns = table(name).column_names
            per_table[name] = {
                header_key(str(k)): _target(shown, str(k), v, columns, f"of {name}")
                for k, v in value.items()
            }
        else:
            target = _target(shown, str(key), value, tuple(sorted(any_column)), "of any table")
            everywhere[header_key(str(key))] = target
    return Mapping(everywhere, per_table)


def _target(shown: str, source: str, target: object, columns: tuple[str, ...], where: str) -> str:
    if not isinstance(target, str) or target not in columns:
        hint = did_you_mean(str(target), columns) if isinstance(target, str) else ""
        raise UsageError(
            f"{shown}: {source!r} maps to {target!r}, which is not a column {where}{hint}"
        )
    return target


def assign(table_name: str, headers: list[str], mapping: Mapping) -> Assignment:
    """Match a file's headers to the table's columns; the rest become extra columns."""
    spec = table(table_name)
    renames = mapping.for_table(table_name)
    canonical: dict[str, str] = {}
    extras: dict[str, str] = {}
    problems: list[str] = []
    for position, header in enumerate(headers, start=1):
        key = header_key(header)
        target = renames.get(key, key)
        if target in spec.column_names:
            chosen = canonical
        else:
            target, chosen = key or f"column_{position}", extras
            if target in RESERVED_NAMES or target.startswith(RESERVED_PREFIXES):
                problems.append(
                    f"column {header!r}: {target!r} is a name the database reserves "
                    f"({', '.join(RESERVED_NAMES)}, or starting with "
                    f"{' or '.join(RESERVED_PREFIXES)}); rename it in the file or with --mapping"
                )
                continue
        if target in chosen:
            problems.append(f"columns {chosen[target]!r} and {header!r} both give {target}")
        else:
            chosen[target] = header
    for column in spec.required_columns:
        if column not in canonical:
            problems.append(
                f"missing required column {column!r} (required: {', '.join(spec.required_columns)})"
            )
    return Assignment(canonical, extras, tuple(problems))


def read_mapping_file(path: str | Path) -> MappingFile | None:
    """The full form of a mapping file, or None when it is the simple form (renames)."""
    from tandem.load import mapfile, yamlfile

    root = yamlfile.read(Path(path), str(path))
    if not mapfile.is_full_form(root):
        return None
    assert root is not None
    return mapfile.parse(root, Path(path), str(path))


def read_any(path: str | Path | None) -> Mapping | MappingFile:
    """A mapping file in either form (no file: no renames)."""
    if path is None:
        return Mapping()
    full = read_mapping_file(path)
    return full if full is not None else read_mapping(path)
