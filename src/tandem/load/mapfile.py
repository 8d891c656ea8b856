"""Mapping files: how a vendor's export becomes Tandem's tables, declared once per source.

A mapping file is YAML. The simple form (a map of renames) is read by
``tandem.load.mapping``; a file with a top-level ``sources:`` key is the full
form parsed here (``docs/imports.md`` documents it; the shipped presets in
``tandem/load/presets/`` are examples)::

    name: salesforce
    sources:
      opportunities:                      # one entry per kind of file
        match: {columns: [ID, STAGENAME]} # how a file is recognised
        encoding: auto                    # or utf-8, latin-1, windows-1252, utf-16
        tables:
          deals:                          # a source may feed several tables
            columns:
              deal_id: ID
              outcome: {from: STAGENAME, map: {Closed Won: won, Closed Lost: lost, "*": open}}
              amount: {from: AMOUNT, parse: number}

Every mistake names the file, the line and the key. Nothing here touches a
database: ``tandem.load.transforms`` turns a parsed column into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tandem.errors import did_you_mean
from tandem.load import expressions
from tandem.load.billing import BILLING_TABLES
from tandem.load.tables import ALL_TABLES, spec
from tandem.load.yamlfile import Located, Node

PARSES = ("text", "number", "integer", "boolean", "date", "timestamp", "epoch_s", "epoch_ms")
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "latin-1", "windows-1252", "utf-16")
FORMATS = ("csv", "json", "xlsx")
LOOKUP_TABLES = {"accounts": "account_id", "team_members": "member_id"}
ANY = "*"


@dataclass(frozen=True)
class Lookup:
    """Find the id of a row of ``table`` whose ``by`` column equals the value.

    ``by`` is ``name``, ``domain`` (an e-mail address or web site compared by
    its domain with the column ``against``) or any column of the table (an
    external id).
    """

    table: str
    by: str
    against: str

    @property
    def id_column(self) -> str:
        return LOOKUP_TABLES[self.table]


@dataclass(frozen=True)
class Column:
    """One target column and how its value is made from the file."""

    name: str
    line: int
    fields: tuple[str, ...] = ()
    expr: str | None = None
    value: Any = None
    constant: bool = False
    default: str | None = None
    mapping: tuple[tuple[str, Any], ...] | None = None
    otherwise: Any = None
    has_otherwise: bool = False
    parse: str | None = None
    formats: tuple[str, ...] = ()
    timezone: str | None = None
    decimal: str = "."
    true_words: tuple[str, ...] = ()
    false_words: tuple[str, ...] = ()
    lookup: Lookup | None = None
    optional: bool = False

    def references(self) -> list[str]:
        if self.expr is not None:
            return expressions.references(self.expr)
        return list(self.fields)


@dataclass(frozen=True)
class Part:
    """What one source gives one table: columns, extra columns, which rows."""

    table: str
    line: int
    columns: tuple[Column, ...]
    extras: tuple[Column, ...] = ()
    keep: tuple[str, ...] = ()
    keep_all: bool = False
    where: str | None = None
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """One kind of file a mapping reads."""

    name: str
    line: int
    parts: tuple[Part, ...]
    description: str = ""
    format: str | None = None
    match_columns: tuple[str, ...] = ()
    match_object: str | None = None
    encoding: str = "auto"
    header_row: int = 1
    skip_rows: int = 0
    unnest: str | None = None
    timezone: str = "UTC"
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sums: frozenset[str] = frozenset()

    def expects(self) -> str:
        """What a file of this source looks like, for messages and ``tandem presets``."""
        if self.match_object is not None:
            return f'JSON with "object": "{self.match_object}"'
        kind = (self.format or "csv").upper()
        if self.match_columns:
            return f"{kind} with columns {', '.join(self.match_columns)}"
        return kind


@dataclass(frozen=True)
class MappingFile:
    """A parsed mapping file in the full form."""

    shown: str
    path: Path
    sources: tuple[Source, ...]
    name: str | None = None
    description: str = ""

    def source(self, name: str) -> Source:
        return next(s for s in self.sources if s.name == name)


def is_full_form(root: Node | None) -> bool:
    return root is not None and root.is_map and "sources" in root.value


def parse(root: Node, path: Path, shown: str) -> MappingFile:
    """The full form of a mapping file; raises UsageError naming file, line and key."""
    at = Located(shown)
    _keys(at, root, ("name", "description", "sources"))
    sources_node = root.value["sources"]
    if not sources_node.is_map or not sources_node.value:
        raise at.error(sources_node, "sources", "expected a map of source name to its description")
    sources = tuple(_source(at, name, node) for name, node in sources_node.items())
    if len(sources) > 1:
        for s in sources:
            if not s.match_columns and s.match_object is None:
                raise at.error(
                    root.value["sources"].value[s.name],
                    s.name,
                    "several sources: each needs 'match' (columns or object) to recognise "
                    "its files",
                )
    name = root.value.get("name")
    description = root.value.get("description")
    return MappingFile(
        shown,
        path,
        sources,
        str(name.value) if name is not None else None,
        str(description.value).strip() if description is not None else "",
    )


def _keys(
    at: Located, node: Node, allowed: tuple[str, ...], required: tuple[str, ...] = ()
) -> None:
    if not node.is_map:
        raise at.error(node, None, f"expected a map with keys {', '.join(allowed)}")
    for key, value in node.items():
        if key not in allowed:
            raise at.error(
                value,
                key,
                f"unknown key{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}",
            )
    for key in required:
        if key not in node.value:
            raise at.error(node, None, f"missing key {key!r}")


def _text(at: Located, node: Node, key: str) -> str:
    if node.is_map or node.is_list or node.value is None:
        raise at.error(node, key, "expected a text value")
    return str(node.value)


def _texts(at: Located, node: Node, key: str) -> tuple[str, ...]:
    if node.is_list:
        return tuple(_text(at, n, key) for n in node.value)
    return (_text(at, node, key),)


def _int(at: Located, node: Node, key: str, low: int) -> int:
    if isinstance(node.value, bool) or not isinstance(node.value, int) or node.value < low:
        raise at.error(node, key, f"expected a whole number ≥ {low}")
    return int(node.value)


def _source(at: Located, name: str, node: Node) -> Source:
    _keys(
        at,
        node,
        (
            "description",
            "format",
            "match",
            "encoding",
            "header_row",
            "skip_rows",
            "unnest",
            "timezone",
            "fields",
            "tables",
        ),
        ("tables",),
    )
    v = node.value
    fmt = _text(at, v["format"], "format").lower() if "format" in v else None
    if fmt is not None and fmt not in FORMATS:
        raise at.error(v["format"], "format", f"{fmt!r}: choose {', '.join(FORMATS)}")
    match_columns: tuple[str, ...] = ()
    match_object = None
    if "match" in v:
        _keys(at, v["match"], ("columns", "object"))
        m = v["match"].value
        if "columns" in m:
            match_columns = _texts(at, m["columns"], "columns")
        if "object" in m:
            match_object = _text(at, m["object"], "object")
    encoding = _text(at, v["encoding"], "encoding").lower() if "encoding" in v else "auto"
    encoding = {
        "utf8": "utf-8",
        "latin1": "latin-1",
        "iso-8859-1": "latin-1",
        "cp1252": "windows-1252",
    }.get(encoding, encoding)
    if encoding not in ENCODINGS:
        raise at.error(v["encoding"], "encoding", f"{encoding!r}: choose {', '.join(ENCODINGS)}")
    timezone = _timezone(at, v["timezone"], "timezone") if "timezone" in v else "UTC"
    fields: dict[str, tuple[str, ...]] = {}
    sums: set[str] = set()
    if "fields" in v:
        if not v["fields"].is_map:
            raise at.error(v["fields"], "fields", "expected a map of name to field")
        for alias, f in v["fields"].items():
            if f.is_map:
                _keys(at, f, ("sum",), ("sum",))
                fields[alias] = (_text(at, f.value["sum"], "sum"),)
                sums.add(alias)
            else:
                fields[alias] = _texts(at, f, alias)
    tables = v["tables"]
    if not tables.is_map or not tables.value:
        raise at.error(tables, "tables", "expected a map of table name to its columns")
    parts = tuple(_part(at, table, n) for table, n in tables.items())
    return Source(
        name=name,
        line=node.key_line,
        parts=parts,
        description=str(v["description"].value).strip() if "description" in v else "",
        format=fmt,
        match_columns=match_columns,
        match_object=match_object,
        encoding=encoding,
        header_row=_int(at, v["header_row"], "header_row", 1) if "header_row" in v else 1,
        skip_rows=_int(at, v["skip_rows"], "skip_rows", 0) if "skip_rows" in v else 0,
        unnest=_text(at, v["unnest"], "unnest") if "unnest" in v else None,
        timezone=timezone,
        fields=fields,
        sums=frozenset(sums),
    )


def _timezone(at: Located, node: Node, key: str) -> str:
    import zoneinfo

    zone = _text(at, node, key)
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise at.error(node, key, f"{zone!r} is not a time zone (e.g. UTC, Europe/Paris)") from None
    return zone


def _part(at: Located, key: str, node: Node) -> Part:
    """One table of a source; ``survey_responses (nps)`` names a second part of a table."""
    labelled = re.fullmatch(r"(\w+)\s*\((.+)\)", key.strip())
    table = labelled.group(1) if labelled else key.strip()
    if table not in ALL_TABLES:
        raise at.error(
            node,
            table,
            f"unknown table{did_you_mean(table, ALL_TABLES)}; tables: {', '.join(ALL_TABLES)}",
        )
    _keys(at, node, ("columns", "extras", "keep", "where", "requires"), ("columns",))
    v = node.value
    target = spec(table)
    if not v["columns"].is_map:
        raise at.error(v["columns"], "columns", "expected a map of column to its source")
    columns = []
    for name, col in v["columns"].items():
        if name not in target.column_names:
            raise at.error(
                col,
                name,
                f"not a column of {table}{did_you_mean(name, target.column_names)}; "
                f"columns: {', '.join(target.column_names)} (put other columns under 'extras')",
            )
        columns.append(_column(at, name, col))
    given = {c.name for c in columns}
    missing = [c for c in target.required_columns if c not in given]
    if missing:
        raise at.error(v["columns"], "columns", f"{table} needs {', '.join(missing)}")
    extras = []
    if "extras" in v:
        if not v["extras"].is_map:
            raise at.error(v["extras"], "extras", "expected a map of column to its source")
        for name, col in v["extras"].items():
            if name in target.column_names:
                raise at.error(col, name, f"{name} is a column of {table}: give it under 'columns'")
            extras.append(_column(at, name, col))
    keep: tuple[str, ...] = ()
    keep_all = False
    if "keep" in v:
        if v["keep"].value == "all":
            keep_all = True
        else:
            keep = _texts(at, v["keep"], "keep")
    where = None
    if "where" in v:
        where = _text(at, v["where"], "where")
        _expression(at, v["where"], "where", where)
    requires = _texts(at, v["requires"], "requires") if "requires" in v else ()
    return Part(
        table, node.key_line, tuple(columns), tuple(extras), keep, keep_all, where, requires
    )


COLUMN_KEYS = (
    "from",
    "value",
    "expr",
    "default",
    "map",
    "parse",
    "format",
    "timezone",
    "decimal",
    "true",
    "false",
    "lookup",
    "optional",
)


def _column(at: Located, name: str, node: Node) -> Column:
    if not node.is_map:
        fields = _texts(at, node, name)
        return Column(name, node.key_line, fields=fields)
    _keys(at, node, COLUMN_KEYS)
    v = node.value
    given = [k for k in ("from", "value", "expr") if k in v]
    if len(given) != 1:
        raise at.error(node, name, "give exactly one of 'from' (a field), 'value' or 'expr'")
    kw: dict[str, Any] = {}
    if "from" in v:
        kw["fields"] = _texts(at, v["from"], "from")
    if "value" in v:
        if v["value"].is_map or v["value"].is_list:
            raise at.error(v["value"], "value", "expected a single value")
        kw["value"], kw["constant"] = v["value"].value, True
    if "expr" in v:
        kw["expr"] = _text(at, v["expr"], "expr")
        _expression(at, v["expr"], "expr", kw["expr"])
    if "default" in v:
        kw["default"] = _text(at, v["default"], "default")
    if "map" in v:
        kw.update(_value_map(at, v["map"]))
    if "parse" in v:
        kind = _text(at, v["parse"], "parse").lower()
        if kind not in PARSES:
            raise at.error(
                v["parse"],
                "parse",
                f"{kind!r} is not a parse type{did_you_mean(kind, PARSES)}; "
                f"choose {', '.join(PARSES)}",
            )
        kw["parse"] = kind
    if "format" in v:
        if kw.get("parse") not in ("date", "timestamp"):
            raise at.error(v["format"], "format", "a format goes with parse: date or timestamp")
        kw["formats"] = _texts(at, v["format"], "format")
        for f in kw["formats"]:
            if "%" not in f:
                raise at.error(
                    v["format"],
                    "format",
                    f"{f!r}: write formats with % codes, e.g. %d/%m/%Y (day first) or "
                    "%m/%d/%Y (month first)",
                )
    if "timezone" in v:
        kw["timezone"] = _timezone(at, v["timezone"], "timezone")
    if "decimal" in v:
        kw["decimal"] = _text(at, v["decimal"], "decimal")
        if kw["decimal"] not in (".", ","):
            raise at.error(v["decimal"], "decimal", "expected '.' or ','")
    for key in ("true", "false"):
        if key in v:
            if kw.get("parse") != "boolean":
                raise at.error(v[key], key, f"'{key}' spellings go with parse: boolean")
            kw[f"{key}_words"] = tuple(str(n.value).lower() for n in _list(v[key]))
    if "lookup" in v:
        kw["lookup"] = _lookup(at, v["lookup"])
    if "optional" in v:
        if not isinstance(v["optional"].value, bool):
            raise at.error(v["optional"], "optional", "expected true or false")
        kw["optional"] = v["optional"].value
    return Column(name, node.key_line, **kw)


def _list(node: Node) -> list[Node]:
    return list(node.value) if node.is_list else [node]


def _value_map(at: Located, node: Node) -> dict[str, Any]:
    if not node.is_map or not node.value:
        raise at.error(
            node, "map", 'expected a map of value to value, e.g. {Closed Won: won, "*": open}'
        )
    pairs: list[tuple[str, Any]] = []
    out: dict[str, Any] = {"has_otherwise": False}
    for key, value in node.items():
        if value.is_map or value.is_list:
            raise at.error(value, key, "a map gives a single value for each value")
        if key == ANY:
            out["otherwise"], out["has_otherwise"] = value.value, True
        else:
            pairs.append((key.strip(), value.value))
    out["mapping"] = tuple(pairs)
    return out


def _lookup(at: Located, node: Node) -> Lookup:
    if not node.is_map:
        return Lookup("accounts", _text(at, node, "lookup"), "domain")
    _keys(at, node, ("table", "by", "against"), ("by",))
    v = node.value
    table = _text(at, v["table"], "table") if "table" in v else "accounts"
    if table not in LOOKUP_TABLES:
        raise at.error(v["table"], "table", f"lookups find ids in {', '.join(LOOKUP_TABLES)}")
    by = _text(at, v["by"], "by")
    against = _text(at, v["against"], "against") if "against" in v else "domain"
    return Lookup(table, by, against)


def _expression(at: Located, node: Node, key: str, text: str) -> None:
    try:
        expressions.parse(text)
    except expressions.ExpressionError as error:
        raise at.error(node, key, str(error)) from None


def billing_tables() -> tuple[str, ...]:
    return tuple(BILLING_TABLES)
