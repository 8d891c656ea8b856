"""Arithmetic and conditions over a file's fields, as DuckDB SQL.

A mapping file may compute a column (``expr: unit_amount * quantity / 100 /
months(interval, interval_count)``) or keep only some rows (``where:``). The
text is parsed by sqlglot and only a small, safe part of SQL is accepted:
field names, literals, ``+ - * / %``, comparisons, ``AND OR NOT``, ``IS [NOT]
NULL``, ``IN``, ``LIKE``, ``CASE``, ``||`` and the functions in ``FUNCTIONS``
and ``BUILTINS``. Anything else (sub-queries, table functions, casts to
arbitrary types...) is refused when the mapping is read, so a mapping file
cannot run arbitrary SQL.

Fields are text; a field used as a number (in arithmetic, in ``round``,
``abs``, ``greatest``, ``least``, or compared with a number) is parsed as one,
and a value that does not parse is reported on its row. Division by zero gives
no value (never infinity).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tandem.load.sql import literal, literals

if TYPE_CHECKING:
    from sqlglot import exp

#: Months in one billing interval (a week is 12/52 of a month, a day 12/365).
INTERVAL_MONTHS: dict[str, str] = {
    "day": "12.0 / 365",
    "days": "12.0 / 365",
    "daily": "12.0 / 365",
    "week": "12.0 / 52",
    "weeks": "12.0 / 52",
    "weekly": "12.0 / 52",
    "month": "1.0",
    "months": "1.0",
    "monthly": "1.0",
    "quarter": "3.0",
    "quarters": "3.0",
    "quarterly": "3.0",
    "year": "12.0",
    "years": "12.0",
    "yearly": "12.0",
    "annual": "12.0",
    "annually": "12.0",
}

#: Tandem's own functions: name -> (min args, max args, what it does).
FUNCTIONS: dict[str, tuple[int, int, str]] = {
    "months": (1, 2, "months in a billing interval: months(interval[, count])"),
    "number": (1, 1, "the field as a number"),
    "instant": (1, 1, "an ISO-8601 date or time as a UTC instant"),
    "email_domain": (1, 1, "the domain of an e-mail address or web site"),
    "has_tag": (2, 2, "whether a space- or comma-separated list holds a tag"),
}


class ExpressionError(ValueError):
    """The expression is not valid, or uses something that is not allowed."""


def _allowed() -> tuple[type[exp.Expression], ...]:
    from sqlglot import exp

    return (
        exp.Column,
        exp.Identifier,
        exp.Literal,
        exp.Boolean,
        exp.Null,
        exp.Paren,
        exp.Add,
        exp.Sub,
        exp.Mul,
        exp.Div,
        exp.Mod,
        exp.Neg,
        exp.EQ,
        exp.NEQ,
        exp.GT,
        exp.GTE,
        exp.LT,
        exp.LTE,
        exp.And,
        exp.Or,
        exp.Not,
        exp.Is,
        exp.In,
        exp.Like,
        exp.ILike,
        exp.Case,
        exp.If,
        exp.Coalesce,
        exp.Nullif,
        exp.DPipe,
        exp.Concat,
        exp.Lower,
        exp.Upper,
        exp.Trim,
        exp.Replace,
        exp.Round,
        exp.Abs,
        exp.Greatest,
        exp.Least,
        exp.Anonymous,
    )


BUILTINS = "coalesce, nullif, lower, upper, trim, replace, concat, round, abs, greatest, least"


def parse(text: str) -> exp.Expression:
    """Parse and check ``text``; raise ExpressionError saying what is wrong."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(str(text), read="duckdb")
    except sqlglot.errors.ParseError as error:
        detail = error.errors[0]["description"] if error.errors else str(error)
        raise ExpressionError(f"cannot parse {text!r}: {detail}") from None
    allowed = _allowed()
    for node in tree.walk():
        if not isinstance(node, allowed):
            raise ExpressionError(
                f"{text!r}: {node.sql(dialect='duckdb')!r} is not allowed; expressions may use "
                f"fields, numbers, text, + - * / %, comparisons, AND/OR/NOT, IN, LIKE, CASE, "
                f"{BUILTINS}, {', '.join(FUNCTIONS)}"
            )
        if isinstance(node, exp.Column) and node.table:
            raise ExpressionError(
                f"{text!r}: {node.sql()!r}: quote a field name holding a dot, "
                f'e.g. "{node.sql().replace(chr(34), "")}"'
            )
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            if name not in FUNCTIONS:
                raise ExpressionError(
                    f"{text!r}: unknown function {node.name!r}; functions: "
                    f"{BUILTINS}, {', '.join(FUNCTIONS)}"
                )
            low, high, _ = FUNCTIONS[name]
            if not low <= len(node.expressions) <= high:
                raise ExpressionError(
                    f"{text!r}: {name} takes {low if low == high else f'{low} or {high}'} "
                    f"argument{'s' if high > 1 else ''}"
                )
    assert isinstance(tree, exp.Expression)
    return tree


def references(text: str) -> list[str]:
    """The field names ``text`` uses, in order of first use."""
    from sqlglot import exp

    names = [c.name for c in parse(text).find_all(exp.Column)]
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class FieldCheck:
    """A value of ``field`` that makes the expression fail: ``where`` holds, shown as ``shown``."""

    field: str
    where: str
    shown: str
    reason: str


@dataclass(frozen=True)
class Compiled:
    sql: str
    checks: tuple[FieldCheck, ...]


def compile_sql(text: str, resolve: Callable[[str], str]) -> Compiled:
    """DuckDB SQL for ``text``; ``resolve`` gives the SQL (text or NULL) of a field name."""
    from sqlglot import exp

    tree = parse(text)
    holes: dict[str, str] = {}
    checks: list[FieldCheck] = []

    def hole(sql: str) -> exp.Expression:
        name = f"__hole_{len(holes)}__"
        holes[name] = f"({sql})"
        return exp.column(name)

    def number(field: str, sql: str) -> str:
        parsed = f"TRY_CAST({sql} AS DOUBLE)"
        checks.append(
            FieldCheck(field, f"{sql} IS NOT NULL AND {parsed} IS NULL", sql, "is not a number")
        )
        return parsed

    def inner(node: exp.Expression) -> str:
        return _generate(rewrite(node.copy()), holes)

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            sql = resolve(node.name)
            return hole(number(node.name, sql) if _numeric(node) else sql)
        if isinstance(node, exp.Anonymous):
            return hole(_function(node, inner, number, resolve, checks))
        for key, value in list(node.args.items()):
            if isinstance(value, exp.Expression):
                node.set(key, rewrite(value))
            elif isinstance(value, list):
                node.set(key, [rewrite(v) if isinstance(v, exp.Expression) else v for v in value])
        if isinstance(node, exp.Div):
            node.set(
                "expression", exp.Nullif(this=node.expression, expression=exp.Literal.number(0))
            )
        return node

    sql = _generate(rewrite(tree), holes)
    return Compiled(sql, tuple(checks))


def _generate(tree: exp.Expression, holes: dict[str, str]) -> str:
    sql = tree.sql(dialect="duckdb")
    for name, value in holes.items():
        sql = sql.replace(f'"{name}"', value).replace(name, value)
    return sql


def _numeric(column: exp.Expression) -> bool:
    """Whether a field is used as a number where it stands."""
    from sqlglot import exp

    arithmetic = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.Abs)
    node, parent = column, column.parent
    while isinstance(parent, exp.Paren):
        node, parent = parent, parent.parent
    if isinstance(parent, (*arithmetic, exp.Greatest, exp.Least)):
        return True
    if isinstance(parent, exp.Round):
        return parent.this is node
    if isinstance(parent, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)):
        other = parent.expression if parent.this is node else parent.this
        return _is_number(other)
    if isinstance(parent, exp.In):
        return any(_is_number(e) for e in parent.expressions)
    return False


def _is_number(node: exp.Expression) -> bool:
    from sqlglot import exp

    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal):
        return not node.is_string
    return isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.Abs))


def months_sql(unit: str, count: str | None = None) -> str:
    """SQL for the months in ``count`` billing intervals of ``unit`` (NULL: unknown unit)."""
    cases = " ".join(
        f"WHEN {literal(name)} THEN {value}" for name, value in INTERVAL_MONTHS.items()
    )
    base = f"(CASE lower(trim({unit})) {cases} END)"
    return base if count is None else f"({base} * coalesce(TRY_CAST({count} AS DOUBLE), 1))"


def domain_sql(value: str) -> str:
    """The lower-case domain of an e-mail address or a web address (``www.`` dropped)."""
    host = (
        f"regexp_replace(regexp_replace(lower(trim({value})), '^.*@', ''), "
        "'^[a-z][a-z0-9+.-]*://', '')"
    )
    return f"nullif(regexp_replace(regexp_replace({host}, '[/:?#].*$', ''), '^www\\.', ''), '')"


def instant_sql(value: str) -> str:
    """An ISO-8601 text (with or without an offset) as a naive UTC timestamp."""
    zoned = (
        f"coalesce(TRY_CAST({value} AS TIMESTAMPTZ), try_strptime({value}, '%Y-%m-%d %H:%M:%S %z'))"
    )
    return f"make_timestamp(epoch_us({zoned}))"


def _function(
    node: exp.Anonymous,
    inner: Callable[[exp.Expression], str],
    number: Callable[[str, str], str],
    resolve: Callable[[str], str],
    checks: list[FieldCheck],
) -> str:
    from sqlglot import exp

    name = node.name.lower()
    args = node.expressions

    def text_arg(arg: exp.Expression) -> str:
        return resolve(arg.name) if isinstance(arg, exp.Column) else inner(arg)

    if name == "number":
        arg = args[0]
        return number(arg.name, resolve(arg.name)) if isinstance(arg, exp.Column) else inner(arg)
    if name == "months":
        unit = text_arg(args[0])
        count = text_arg(args[1]) if len(args) > 1 else None
        sql = months_sql(unit, count)
        if isinstance(args[0], exp.Column):
            checks.append(
                FieldCheck(
                    args[0].name,
                    f"{unit} IS NOT NULL AND {months_sql(unit)} IS NULL",
                    unit,
                    "is not a billing interval (day, week, month, quarter or year)",
                )
            )
        if count is not None and isinstance(args[1], exp.Column):
            number(args[1].name, count)
        return sql
    if name == "instant":
        value = text_arg(args[0])
        parsed = instant_sql(value)
        if isinstance(args[0], exp.Column):
            checks.append(
                FieldCheck(
                    args[0].name,
                    f"{value} IS NOT NULL AND {parsed} IS NULL",
                    value,
                    "is not an ISO-8601 date or time",
                )
            )
        return parsed
    if name == "email_domain":
        return domain_sql(text_arg(args[0]))
    if name == "has_tag":
        listed = f"lower(coalesce({text_arg(args[0])}, ''))"
        tags = f"string_split(regexp_replace({listed}, '[,;]', ' ', 'g'), ' ')"
        return f"list_contains({tags}, lower({text_arg(args[1])}))"
    raise AssertionError(name)


__all__ = [
    "FUNCTIONS",
    "INTERVAL_MONTHS",
    "Compiled",
    "ExpressionError",
    "FieldCheck",
    "compile_sql",
    "domain_sql",
    "instant_sql",
    "literals",
    "months_sql",
    "parse",
    "references",
]
