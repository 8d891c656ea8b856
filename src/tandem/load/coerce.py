"""From what a file holds to the schema's types, as SQL: one ``Typed`` per column.

Text (CSV, JSON Lines, XLSX, and Parquet columns of an unexpected type) is
trimmed, an empty or blank value is NULL, and the rest is parsed with
``TRY_CAST``. A value that does not parse becomes NULL and its text is kept
beside it for the message; the text of values that parsed is dropped, so a
large file is stored once, typed. Parquet columns already of a fitting type
are converted directly, without a detour through text.

- TIMESTAMP: ISO-8601 with or without an offset, parsed as TIMESTAMPTZ in a UTC
  session and stored as the naive UTC instant (a bare date is midnight UTC).
  ``make_timestamp(epoch_us(...))`` does the conversion: the same instant as a
  cast to TIMESTAMP at a fraction of the cost of ICU's cast.
- DATE: the same parse, reduced to the UTC date.
- INTEGER: ``'4.0'`` is 4; ``'4.5'`` is refused (``TRY_CAST`` to BIGINT alone rounds it).
- FLOAT: any finite number; NaN and infinity are refused.
- BOOLEAN: true/false, yes/no, y/n, t/f, 1/0, in any case.
- Enumerations are matched after trimming, in any case, and stored lower-case
  (their text is kept, to quote a wrong value as the user wrote it).

Typing runs as three nested projections so that each expression is computed
once: ``read`` the raw value as text, ``parse`` it, ``keep`` what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.load.readers import RawColumn
from tandem.load.sql import ident, literal, literals
from tandem.schema import OFFSET_BOUND_HOURS, Column, ColumnType
from tandem.store.types import duckdb_types

TRUE_WORDS = ("true", "yes", "y", "t", "1")
FALSE_WORDS = ("false", "no", "n", "f", "0")
BLANKS = " \t\r\n"

#: A time followed by a UTC offset beyond ±14:00 (OFFSET_BOUND_HOURS).
IMPOSSIBLE_OFFSET = r"[T ][0-9:.]+[+-](1[5-9]|[2-9][0-9])(:?[0-9]{2})?$"
assert OFFSET_BOUND_HOURS == 14  # the pattern above spells the bound out

REASONS = {
    ColumnType.TIMESTAMP: "is not an ISO-8601 date or time",
    ColumnType.DATE: "is not an ISO-8601 date or time",
    ColumnType.FLOAT: "is not a number",
    ColumnType.INTEGER: "is not a whole number",
    ColumnType.BOOLEAN: "is not a boolean (true/false, yes/no, 1/0)",
}

_INTEGERS = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
)
_FLOATS = frozenset({"FLOAT", "DOUBLE"})
_NAIVE_TIMES = frozenset({"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"})
_ZONED = "TIMESTAMP WITH TIME ZONE"

Level = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Typed:
    """How one column is typed, and how to recognise and show its problems.

    ``read``, ``parse`` and ``keep`` are the (alias, SQL) pairs of the three
    projections. ``empty``, ``bad`` and ``shown`` are SQL templates over the
    typed table's alias ``{t}``: no value at all, a value not of the type, and
    the value as text for messages (``bad_shown``: the text that failed).
    """

    name: str
    read: Level
    parse: Level
    keep: Level
    empty: str
    shown: str
    bad: str | None = None
    bad_shown: str | None = None
    reason: str = ""


def text_alias(name: str) -> str:
    return f"__text_{name}"


def blank_to_null(expr: str) -> str:
    """Trimmed text, NULL when empty or blank.

    Most values start and end with a visible character; testing the two ends
    and trimming only the other values makes this step several times cheaper
    on large files (``suffix`` is much faster than ``right`` or a regex).
    """
    trimmed = f"nullif(trim({expr}, '{BLANKS}'), '')"
    ends_blank = " OR ".join(f"suffix({expr}, '{c}')" for c in BLANKS)
    return (
        f"CASE WHEN {expr} = '' THEN NULL WHEN ascii({expr}) > 32 "
        f"AND NOT ({ends_blank}) THEN {expr} ELSE {trimmed} END"
    )


def canonical(column: Column, source: RawColumn | None) -> Typed:
    """The typed form of a schema column, read from ``source`` (absent: all NULL)."""
    name, kind = column.name, column.type
    if source is None:
        return _plain(name, f"CAST(NULL AS {duckdb_types()[kind]})", _display(kind, name))
    if column.enum:
        return _enum(column, source)
    native = _native(kind, source)
    if kind is ColumnType.STRING or (native is not None and kind is not ColumnType.FLOAT):
        value = native or blank_to_null(_as_text(source))
        return _plain(name, value, _display(kind, name))
    if native is not None:
        return _checked(
            name,
            native,
            ident(name),
            "isfinite({v})",
            REASONS[kind],
            kind,
            text=f"CAST({ident(name)} AS VARCHAR)",
        )
    text = blank_to_null(_as_text(source))
    raw = ident(text_alias(name))
    if kind is ColumnType.FLOAT:
        return _checked(
            name, text, f"TRY_CAST({raw} AS DOUBLE)", "isfinite({v})", REASONS[kind], kind
        )
    if kind is ColumnType.INTEGER:
        whole = f"TRY_CAST({raw} AS BIGINT)"
        return _checked(
            name, text, whole, f"TRY_CAST({raw} AS DOUBLE) = {{v}}", REASONS[kind], kind
        )
    return _checked(name, text, _parser(kind, raw), "{v} IS NOT NULL", REASONS[kind], kind)


def extra(name: str, source: RawColumn, stored_type: str | None) -> Typed:
    """An extra column: text stays text, Parquet keeps its type, a stored column its own."""
    value = blank_to_null(source.expr) if source.type == "VARCHAR" else source.expr
    if stored_type is None or stored_type == source.type:
        return _plain(name, value, f"CAST({{t}}.{ident(name)} AS VARCHAR)")
    text = value if source.type == "VARCHAR" else f"CAST({value} AS VARCHAR)"
    raw = ident(text_alias(name))
    return _checked(
        name,
        text,
        f"TRY_CAST({raw} AS {stored_type})",
        "{v} IS NOT NULL",
        f"is not a {stored_type} value (the type column {name} already has)",
        None,
    )


def _plain(name: str, value: str, shown: str) -> Typed:
    """A column that cannot hold a bad value: read once, kept as read."""
    col = ident(name)
    return Typed(
        name, ((name, value),), ((name, col),), ((name, col),), f"{{t}}.{col} IS NULL", shown
    )


def _checked(
    name: str,
    read: str,
    parse: str,
    ok: str,
    reason: str,
    kind: ColumnType | None,
    text: str | None = None,
) -> Typed:
    """A column parsed from text: the value where ``ok`` holds, else NULL and its text.

    ``ok`` is a template over ``{v}``, the parsed value; with ``text`` the read
    value itself is typed and ``text`` shows it.
    """
    col, raw = ident(name), ident(text_alias(name))
    good = ok.replace("{v}", col)
    if text is None:
        levels: tuple[Level, Level] = (
            ((text_alias(name), read),),
            ((text_alias(name), raw), (name, parse)),
        )
        failed = raw
    else:
        levels = (((name, read),), ((name, parse),))
        failed = text
    keep = (
        (name, f"CASE WHEN {good} THEN {col} END"),
        (text_alias(name), f"CASE WHEN {good} THEN NULL ELSE {failed} END"),
    )
    shown = _display(kind, name) if kind else f"CAST({{t}}.{col} AS VARCHAR)"
    return Typed(
        name,
        levels[0],
        levels[1],
        keep,
        f"{{t}}.{col} IS NULL AND {{t}}.{raw} IS NULL",
        shown,
        f"{{t}}.{raw} IS NOT NULL",
        f"{{t}}.{raw}",
        reason,
    )


def _enum(column: Column, source: RawColumn) -> Typed:
    raw, col = ident(text_alias(column.name)), ident(column.name)
    return Typed(
        column.name,
        ((text_alias(column.name), blank_to_null(_as_text(source))),),
        ((text_alias(column.name), raw),),
        ((text_alias(column.name), raw), (column.name, f"lower({raw})")),
        f"{{t}}.{raw} IS NULL",
        f"{{t}}.{raw}",
        f"{{t}}.{col} NOT IN ({literals(column.enum)})",
        f"{{t}}.{raw}",
        f"is not one of {', '.join(column.enum)}",
    )


def _display(kind: ColumnType, name: str) -> str:
    """A stored value as text for messages, close to how it was probably written."""
    v = f"{{t}}.{ident(name)}"
    if kind is ColumnType.FLOAT:
        return (
            f"CASE WHEN {v} = trunc({v}) AND abs({v}) < 1e15 "
            f"THEN CAST(CAST({v} AS BIGINT) AS VARCHAR) ELSE CAST({v} AS VARCHAR) END"
        )
    if kind is ColumnType.TIMESTAMP:
        return (
            f"CASE WHEN {v} = CAST(CAST({v} AS DATE) AS TIMESTAMP) "
            f"THEN CAST(CAST({v} AS DATE) AS VARCHAR) "
            f"ELSE strftime({v}, '%Y-%m-%dT%H:%M:%SZ') END"
        )
    return v if kind is ColumnType.STRING else f"CAST({v} AS VARCHAR)"


def _as_text(source: RawColumn) -> str:
    return source.expr if source.type == "VARCHAR" else f"CAST({source.expr} AS VARCHAR)"


def _native(target: ColumnType, source: RawColumn) -> str | None:
    """A lossless conversion of an already typed value, or None to go through text."""
    kind, x = source.type.upper(), source.expr
    numeric = kind in _INTEGERS or kind in _FLOATS or kind.startswith("DECIMAL")
    if target is ColumnType.FLOAT and numeric:
        return f"CAST({x} AS DOUBLE)"
    if target is ColumnType.INTEGER and kind in _INTEGERS:
        return f"CAST({x} AS BIGINT)"
    if target is ColumnType.BOOLEAN and kind == "BOOLEAN":
        return x
    if target in (ColumnType.TIMESTAMP, ColumnType.DATE):
        cast = duckdb_types()[target]
        if kind in _NAIVE_TIMES:
            return f"CAST({x} AS {cast})"
        if kind == _ZONED:
            return f"CAST(make_timestamp(epoch_us({x})) AS {cast})"
    return None


def _parser(target: ColumnType, raw: str) -> str:
    """SQL parsing the text ``raw`` into a boolean, a timestamp or a date (NULL if not)."""
    if target is ColumnType.BOOLEAN:
        word = f"lower({raw})"
        return (
            f"CASE WHEN {word} IN ({literals(TRUE_WORDS)}) THEN true "
            f"WHEN {word} IN ({literals(FALSE_WORDS)}) THEN false END"
        )
    parsed = f"make_timestamp(epoch_us(TRY_CAST({raw} AS TIMESTAMPTZ)))"
    # DuckDB reads any offset up to ±99:59; beyond ±14:00 no zone exists: refused.
    instant = (
        f"CASE WHEN length({raw}) > 19 AND regexp_matches({raw}, {literal(IMPOSSIBLE_OFFSET)}) "
        f"THEN NULL ELSE {parsed} END"
    )
    return f"CAST({instant} AS DATE)" if target is ColumnType.DATE else instant
