"""Writing what a command produced: a table for people, CSV, JSON or Parquet for programs.

A command hands ``emit`` up to three views of one result: a JSON document, a
pandas frame (CSV and Parquet) and a function printing the terminal table;
the format picks one. Every format names the definitions a number was
computed with (a fingerprint column, a header field, a footer line).
"""

from __future__ import annotations

import enum
import io
import json
import math
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tandem.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console


class Format(enum.StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"
    HTML = "html"
    XLSX = "xlsx"
    PDF = "pdf"


TABULAR = (Format.TABLE, Format.CSV, Format.JSON, Format.PARQUET)
DOCUMENT = (Format.TABLE, Format.JSON)


def plain(value: Any) -> Any:
    """A value as JSON holds it: None for missing numbers, ISO text for dates."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    item = getattr(value, "item", None)
    value = item() if callable(item) else value
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


def records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): plain(v) for k, v in rec.items()} for rec in rows.to_dict("records")]


def number(value: Any) -> str:
    """A cell of a terminal table."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def console() -> Console:
    """A console as wide as the terminal, or 160 columns when the output is a file or pipe."""
    from rich.console import Console

    con = Console()
    if not con.is_terminal:
        con = Console(width=160)
    return con


def emit(
    fmt: Format,
    *,
    table: Callable[[], None],
    doc: Callable[[], Mapping[str, Any] | list[Any]] | None = None,
    rows: Callable[[], pd.DataFrame] | None = None,
    output: Path | None = None,
    meta: Callable[[], Mapping[str, Any]] | None = None,
) -> None:
    """Write one result in ``fmt`` to standard output or to ``output``."""
    match fmt:
        case Format.TABLE:
            if output is not None:
                raise UsageError("--output needs --format csv, json or parquet")
            table()
        case Format.JSON:
            assert doc is not None
            text = json.dumps(doc(), indent=2, default=str) + "\n"
            _write_text(text, output)
        case Format.CSV:
            assert rows is not None
            buffer = io.StringIO()
            write_csv(rows(), buffer)
            _write_text(buffer.getvalue(), output)
        case Format.PARQUET:
            assert rows is not None
            if output is None:
                raise UsageError("--format parquet needs --output FILE")
            import pyarrow as pa
            import pyarrow.parquet as pq

            data = pa.Table.from_pandas(rows(), preserve_index=False)
            if meta is not None:
                header = json.dumps(meta(), default=str).encode()
                data = data.replace_schema_metadata({b"tandem": header})
            _check_target(output)
            pq.write_table(data, output)
        case _:
            raise UsageError(f"--format {fmt.value} is not supported here")


def write_csv(rows: pd.DataFrame, out: TextIO) -> None:
    """``rows`` as CSV: ISO dates, empty for no value."""
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, date_format="%Y-%m-%d", na_rep="")
    out.write(buffer.getvalue())


def _write_text(text: str, output: Path | None) -> None:
    if output is None:
        out: TextIO = sys.stdout
        out.write(text)
        return
    _check_target(output)
    with output.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _check_target(output: Path) -> None:
    """Refuse an output path that cannot be a file, before anything is written."""
    if output.is_dir():
        raise UsageError(f"--output {output}: is a folder; give a file name")
    if not output.parent.exists():
        raise UsageError(f"--output {output}: the folder {output.parent} does not exist")
