"""Filter values as bound parameters, not SQL text.

Ibis renders every literal into the SQL it compiles (escaped by sqlglot). On a
store that can bind parameters (the embedded DuckDB), a filter's values are
instead written into the expression as markers: a string no user can type
(an invisible separator, ``tp:``, the value in URL-safe base64, the separator
again), which Ibis renders as a plain string literal, inside a ``CAST`` to the
column's type where the types differ. Before the SQL runs, the store replaces
each quoted marker with ``?`` and passes the decoded values, in order, as the
statement's parameters (``bind``), so nothing a user typed in ``--where`` (or
a page's filter) becomes SQL text. Stores that cannot bind (PostgreSQL and
Spark through Ibis) never see a marker: outside ``binding(True)`` the values
are plain literals, as before. SQL shown to people (``explain --sql``) has the
markers put back as literals (``shown``).
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import re
from collections.abc import Iterator

_SEPARATOR = "\u2063"
_PREFIX = f"{_SEPARATOR}tp:"
_QUOTED = re.compile(f"'{_SEPARATOR}tp:([A-Za-z0-9_=-]*){_SEPARATOR}'")
_ON: contextvars.ContextVar[bool] = contextvars.ContextVar("tandem_binding", default=False)


@contextlib.contextmanager
def binding(on: bool) -> Iterator[None]:
    """Within the block (this thread or task), filter values become markers when
    ``on``: the store that runs the expressions binds them as parameters."""
    token = _ON.set(on)
    try:
        yield
    finally:
        _ON.reset(token)


def value_text(value: str) -> str:
    """What a filter writes into its expression for ``value``."""
    if not _ON.get():
        return value
    encoded = base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii")
    return f"{_PREFIX}{encoded}{_SEPARATOR}"


def bind(sql: str) -> tuple[str, list[str]]:
    """``sql`` with each quoted marker replaced by ``?``, and the values in order."""
    if _PREFIX not in sql:
        return sql, []
    values: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        values.append(_decode(match.group(1)))
        return "?"

    return _QUOTED.sub(placeholder, sql), values


def shown(sql: str) -> str:
    """``sql`` with each quoted marker put back as the string literal it stands for."""
    if _PREFIX not in sql:
        return sql
    return _QUOTED.sub(lambda m: "'" + _decode(m.group(1)).replace("'", "''") + "'", sql)


def _decode(encoded: str) -> str:
    return base64.urlsafe_b64decode(encoded.encode("ascii")).decode("utf-8")
