"""Quoting, written once: every identifier and literal Tandem pastes into SQL.

Headers of a file, values of a mapping, table and column names: all of it is
user text somewhere, so it reaches a statement only through these functions,
which let sqlglot quote it for the dialect. Values a user filters on never pass
here: they become typed Ibis literals, quoted by the same compiler.
"""

from __future__ import annotations

from sqlglot import exp


def ident(name: str, dialect: str = "duckdb") -> str:
    """``name`` as a quoted SQL identifier."""
    return exp.to_identifier(name, quoted=True).sql(dialect)


def literal(value: str, dialect: str = "duckdb") -> str:
    """``value`` as a SQL string literal."""
    return exp.Literal.string(value).sql(dialect)


def literals(values: tuple[str, ...] | list[str], dialect: str = "duckdb") -> str:
    """A comma-separated list of string literals, for ``IN (...)``."""
    return ", ".join(literal(v, dialect) for v in values)
