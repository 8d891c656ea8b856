"""Quoting for the SQL the loader writes: file headers and values are user text.

Every identifier and literal that comes from a file, a mapping or the schema
goes through these two functions, so a header such as ``Revenue "net"`` or a
path with a quote in it cannot break (or inject into) a statement.
"""

from __future__ import annotations


def ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """``value`` as a single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def literals(values: tuple[str, ...] | list[str]) -> str:
    """A comma-separated list of string literals, for ``IN (...)``."""
    return ", ".join(literal(v) for v in values)
