"""A mapping file's column, compiled to SQL over the raw file (alias ``r``).

A column's value is made in steps, each one SQL: the source (a field, a
constant or an expression), then ``default`` for empty values, the value
``map``, the ``parse`` into a type, and the ``lookup`` of an id. Each step
that can fail on a row adds a ``Problem``: a predicate, the value to show and
the reason, which the loader evaluates in the same pass and reports with the
file, the row and the field as the file names it.

Time zones: a value with an offset (``2024-03-05 14:32:00 +0100``) is that
instant; a value without one is local time in the column's ``timezone``, else
the source's, else UTC. Dates (``parse: date``) are calendar dates and are not
shifted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tandem.load import expressions
from tandem.load.lookups import compared
from tandem.load.mapfile import Column, Lookup
from tandem.load.sql import ident, literal, literals

TRUE_WORDS = ("true", "yes", "y", "t", "1", "on")
FALSE_WORDS = ("false", "no", "n", "f", "0", "off")
#: A number as exports write it, per decimal mark: an optional currency before or after,
#: thousands separators, and an optional label after a dash ("10 - Extremely likely").
_AROUND = r"^\s*(?:[A-Za-z]{3}\s?|[$€£¥]\s?)?(%s)\s*(?:[$€£¥%%]|[A-Za-z]{3})?\s*(?:-\s.*)?$"
NUMBER = {
    ".": (_AROUND % r"[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?", ","),
    ",": (
        _AROUND % r"[-+]?(?:[0-9]{1,3}(?:[. \x{00a0}][0-9]{3})+|[0-9]+)(?:,[0-9]+)?",
        r"[. \x{00a0}]",
    ),
}
OFFSET = r"[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)$"


@dataclass(frozen=True)
class Problem:
    """Rows where ``where`` holds are refused: ``field`` shows ``shown``, for ``reason``."""

    field: str
    where: str
    shown: str
    reason: str
    other: str | None = None


@dataclass(frozen=True)
class Compiled:
    """A target column as SQL, the problems it can raise and the joins it needs."""

    name: str
    sql: str
    problems: tuple[Problem, ...]
    joins: tuple[str, ...] = ()


#: ``resolve(field name)``: the field's SQL (text, NULL when blank), or None when absent.
Resolver = Callable[[str], str | None]
#: ``relation(lookup)``: a relation (key, n, id, ids) of the rows a lookup can find.
LookupRelation = Callable[[Lookup], str]


class MissingField(Exception):
    """A column needs a field the file does not have."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def constant(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return literal(str(value))


def compile_column(
    column: Column,
    resolve: Resolver,
    relation: LookupRelation,
    source_timezone: str,
    alias: str,
) -> Compiled:
    """Compile ``column``; raise MissingField when a field it needs is absent.

    ``alias`` names the lookup join of this column (unique within the part).
    """
    problems: list[Problem] = []
    joins: list[str] = []

    def need(name: str) -> str:
        sql = resolve(name)
        if sql is None:
            raise MissingField(name)
        return sql

    shown_field = column.name
    if column.constant:
        value = constant(column.value)
    elif column.expr is not None:
        compiled = expressions.compile_sql(column.expr, need)
        value = compiled.sql
        seen: set[tuple[str, str]] = set()
        for check in compiled.checks:
            if (check.field, check.where) not in seen:
                seen.add((check.field, check.where))
                problems.append(Problem(check.field, check.where, check.shown, check.reason))
        refs = column.references()
        shown_field = refs[0] if len(refs) == 1 else column.name
    else:
        present = [(f, resolve(f)) for f in column.fields]
        found = [(f, sql) for f, sql in present if sql is not None]
        if not found:
            raise MissingField(column.fields[0])
        shown_field = found[0][0]
        value = found[0][1] if len(found) == 1 else f"coalesce({', '.join(s for _, s in found)})"
    if column.default is not None:
        value = f"coalesce({value}, {literal(column.default)})"
    if column.mapping is not None:
        value = _map(column, value, shown_field, problems)
    if column.parse is not None:
        value = _parse(column, value, shown_field, problems, source_timezone)
    if column.lookup is not None:
        value = _lookup(column.lookup, value, shown_field, problems, joins, relation, alias)
    return Compiled(column.name, value, tuple(problems), tuple(joins))


def _map(column: Column, value: str, field: str, problems: list[Problem]) -> str:
    assert column.mapping is not None
    key = f"lower(trim(CAST({value} AS VARCHAR)))"
    cases = " ".join(f"WHEN {literal(k.lower())} THEN {constant(v)}" for k, v in column.mapping)
    otherwise = constant(column.otherwise) if column.has_otherwise else "NULL"
    if not column.has_otherwise:
        keys = [k.lower() for k, _ in column.mapping]
        listed = ", ".join(k for k, _ in column.mapping)
        problems.append(
            Problem(
                field,
                f"{value} IS NOT NULL AND {key} NOT IN ({literals(keys)})",
                f"CAST({value} AS VARCHAR)",
                f'is not mapped for {column.name} (mapped: {listed}; add "*" for any other value)',
            )
        )
    return f"(CASE {key} {cases} ELSE {otherwise} END)"


def _parse(
    column: Column, value: str, field: str, problems: list[Problem], source_timezone: str
) -> str:
    kind = column.parse
    text = f"CAST({value} AS VARCHAR)"
    if kind == "text":
        return text
    if kind in ("number", "integer"):
        pattern, separators = NUMBER[column.decimal]
        digits = f"nullif(regexp_extract({text}, {literal(pattern)}, 1), '')"
        cleaned = f"regexp_replace({digits}, {literal(separators)}, '', 'g')"
        if column.decimal == ",":
            cleaned = f"replace({cleaned}, ',', '.')"
        parsed = f"TRY_CAST({cleaned} AS DOUBLE)"
        reason = "is not a number"
    elif kind == "boolean":
        yes = column.true_words or TRUE_WORDS
        no = column.false_words or FALSE_WORDS
        word = f"lower(trim({text}))"
        parsed = (
            f"(CASE WHEN {word} IN ({literals(list(yes))}) THEN true "
            f"WHEN {word} IN ({literals(list(no))}) THEN false END)"
        )
        reason = f"is not a boolean ({'/'.join(yes)} or {'/'.join(no)})"
    elif kind in ("epoch_s", "epoch_ms"):
        scale = "1e6" if kind == "epoch_s" else "1e3"
        parsed = f"make_timestamp(CAST(round(TRY_CAST({text} AS DOUBLE) * {scale}) AS BIGINT))"
        reason = f"is not a Unix time in {'seconds' if kind == 'epoch_s' else 'milliseconds'}"
    else:
        zone = column.timezone or source_timezone
        parsed = _time(text, column.formats, zone, kind == "date")
        what = "date" if kind == "date" else "date or time"
        reason = (
            f"is not a {what} in the format {' or '.join(column.formats)}"
            if column.formats
            else f"is not an ISO-8601 {what}"
        )
    problems.append(Problem(field, f"{value} IS NOT NULL AND {parsed} IS NULL", text, reason))
    return parsed


def _time(text: str, formats: tuple[str, ...], zone: str, date: bool) -> str:
    """A text as a naive UTC timestamp (or a DATE), read with ``formats`` or as ISO-8601."""
    if formats:
        parts = []
        for f in formats:
            raw = f"try_strptime({text}, {literal(f)})"
            if date:
                parts.append(f"CAST({raw} AS DATE)")
            elif "%z" in f or "%Z" in f:
                parts.append(f"make_timestamp(epoch_us({raw}))")
            else:
                parts.append(_local(raw, zone))
        return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
    zoned = (
        f"make_timestamp(epoch_us(coalesce(TRY_CAST({text} AS TIMESTAMPTZ), "
        f"try_strptime({text}, '%Y-%m-%d %H:%M:%S %z'), "
        f"try_strptime({text}, '%Y-%m-%d %H:%M %z'))))"
    )
    naive = _local(f"TRY_CAST({text} AS TIMESTAMP)", zone)
    instant = f"(CASE WHEN regexp_matches({text}, {literal(OFFSET)}) THEN {zoned} ELSE {naive} END)"
    if date:
        local = f"TRY_CAST(TRY_CAST({text} AS TIMESTAMP) AS DATE)"
        offset = f"regexp_matches({text}, {literal(OFFSET)})"
        return f"(CASE WHEN {offset} THEN CAST({zoned} AS DATE) ELSE {local} END)"
    return instant


def _local(naive: str, zone: str) -> str:
    if zone == "UTC":
        return f"CAST({naive} AS TIMESTAMP)"
    return f"make_timestamp(epoch_us(timezone({literal(zone)}, CAST({naive} AS TIMESTAMP))))"


def _lookup(
    lookup: Lookup,
    value: str,
    field: str,
    problems: list[Problem],
    joins: list[str],
    relation: LookupRelation,
    alias: str,
) -> str:
    a = ident(alias)
    joins.append(f"LEFT JOIN {relation(lookup)} {a} ON {a}.key = {compared(lookup, value)}")
    what = "account" if lookup.table == "accounts" else "team member"
    by = {"name": "name", "domain": f"domain ({lookup.against})"}.get(lookup.by, lookup.by)
    problems.append(
        Problem(
            field,
            f"{value} IS NOT NULL AND {a}.n IS NULL",
            f"CAST({value} AS VARCHAR)",
            f"matches no {what} by {by} (load the {lookup.table} first or in the same load)",
        )
    )
    problems.append(
        Problem(
            field,
            f"{a}.n > 1",
            f"CAST({value} AS VARCHAR)",
            f"matches several {what}s by {by}: {{other}}",
            f"{a}.ids",
        )
    )
    return f"{a}.id"
