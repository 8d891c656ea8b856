"""Reading one file into DuckDB, untyped, with the row numbers a user sees.

CSV and JSON Lines are read as text (``all_varchar``, or every key as VARCHAR)
so that a bad value is reported on its row instead of failing the whole read.
DuckDB's CSV sniffer detects the delimiter; quoting is fixed to the standard
double quote and the header to the first line, because on small files the
sniffer can otherwise pick a quote character or skip lines and silently shift
values between columns. Parquet keeps its own types (checked against the
schema later). XLSX is read by openpyxl in read-only mode into an Arrow table
of strings, because DuckDB's excel extension would have to be downloaded.

A file is not materialised here: the reader returns a relation to select from,
and ``tandem.load.staging`` types it into one table in a single pass. Row
numbers come from the order DuckDB keeps while reading (``preserve_insertion_order``,
also for parallel CSV reads): the typed table's ``rowid`` is the record's
position in the file. Users see, for CSV and XLSX, the spreadsheet row (the
header is row 1); for JSON Lines the line number (the record number when the
file has blank lines); for Parquet the 1-based record number. XLSX carries its
own row column because blank rows are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tandem.errors import Issue
from tandem.load.diagnosis import csv_problem
from tandem.load.sources import Format, Source
from tandem.load.sql import ident, literal

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb
    import pyarrow as pa

XLSX_ROW = "__row"


class ReadProblem(Exception):
    """The file cannot be read (not valid CSV, not Parquet, a broken workbook...).

    ``row`` and ``value`` locate the problem when the reader says where it is.
    """

    def __init__(self, reason: str, row: int | None = None, value: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.value = value

    def issue(self, file: str) -> Issue:
        return Issue(file, self.reason, self.row, None, self.value)


@dataclass(frozen=True)
class RawColumn:
    """A column of the file: its header, how to select it, its DuckDB type."""

    header: str
    expr: str
    type: str


@dataclass(frozen=True)
class RawFile:
    """What a reader hands on: the relation, its columns and how to number rows.

    ``row`` is an SQL template over the typed table's alias ``{t}``; when the
    reader numbers rows itself, ``row_source`` selects that number from the
    relation (it is kept in the typed table as ``__row``). ``registered`` names
    an Arrow table registered on the connection, to drop once the file is typed.
    """

    relation: str
    columns: tuple[RawColumn, ...]
    row: str
    row_source: str | None = None
    registered: str | None = None


def open_file(con: duckdb.DuckDBPyConnection, source: Source, temp_name: str) -> RawFile:
    """The file as a DuckDB relation; raises ReadProblem when it cannot be read."""
    import duckdb

    if source.format is Format.XLSX:
        return _xlsx(con, source, temp_name)
    mode = source.path.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "not a regular file"
        raise ReadProblem(f"is {kind}; copy what it holds into a file and load that")
    if source.path.stat().st_size == 0:
        raise ReadProblem("is empty; a header row is expected")
    try:
        relation, row = _relation(con, source)
        columns = _describe(con, relation)
        if source.format is Format.CSV and len(columns) == 1:
            strict = _strict_csv(source, columns[0].header)
            if strict is not None:
                relation, columns = strict, _describe(con, strict)
    except duckdb.Error as exc:
        found = csv_problem(source.path) if source.format is Format.CSV else None
        if found is not None:
            raise ReadProblem(*found) from None
        raise explain(exc) from None
    if source.format is Format.CSV:
        columns = _as_written(source, columns)
    return RawFile(relation, columns, row)


def _as_written(source: Source, columns: tuple[RawColumn, ...]) -> tuple[RawColumn, ...]:
    """The columns under the headers as the file writes them.

    DuckDB renames a repeated header (``mrr``, ``MRR`` become ``mrr``, ``MRR_1``);
    with the file's own names the mapping sees both and refuses the pair.
    """
    import csv
    import gzip

    opener = gzip.open if source.path.name.lower().endswith(".gz") else open
    try:
        with opener(source.path, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
            first = f.readline(1 << 20)
    except OSError:
        return columns
    delimiter = max(",;\t|", key=first.count)
    names = next(csv.reader([first], delimiter=delimiter), [])
    if len(names) != len(columns):
        return columns
    return tuple(
        RawColumn(name if name.strip() else c.header, c.expr, c.type)
        for name, c in zip(names, columns, strict=True)
    )


def _describe(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[RawColumn, ...]:
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return tuple(RawColumn(str(c[0]), ident(str(c[0])), str(c[1])) for c in described)


def _strict_csv(source: Source, header: str) -> str | None:
    """A CSV read with the dialect of its header line, when the sniffer gave up.

    DuckDB's sniffer falls back to one column when rows differ in width; read
    with the header's delimiter and standard quotes instead, the faulty row is
    then reported on its line.
    """
    import csv

    delimiter = max(",;\t|", key=header.count)
    if delimiter not in header:
        return None
    names = next(csv.reader([header], delimiter=delimiter))
    if len(set(names)) != len(names):
        return None
    columns = ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names)
    return (
        f"read_csv({literal(str(source.path))}, auto_detect = false, header = true, "
        f"delim = {literal(delimiter)}, quote = '\"', escape = '\"', columns = {{{columns}}})"
    )


def explain(exc: Exception) -> ReadProblem:
    """DuckDB's read errors, shortened to what the user needs to fix the file.

    Its messages run to many lines of context and suggested options; a CSV row
    of the wrong width is reported on its line (which, for CSV, is the row).
    """
    text = str(exc)
    width = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    original = re.search(r"Original Line: (.*)", text)
    if width and line:
        return ReadProblem(
            f"has {width.group(2)} fields; the header has {width.group(1)}",
            int(line.group(1)),
            original.group(1) if original else None,
        )
    lines = [s.strip() for s in text.splitlines() if s.strip()]
    first = lines[0] if lines else type(exc).__name__
    return ReadProblem(f"cannot be read: {first.split(': ', 1)[-1]}")


def _relation(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[str, str]:
    path = literal(str(source.path))
    if source.format is Format.CSV:
        return (
            f"read_csv({path}, all_varchar = true, header = true, skip = 0, "
            "quote = '\"', escape = '\"')",
            "{t}.rowid + 2",
        )
    if source.format is Format.PARQUET:
        return f"read_parquet({path})", "{t}.rowid + 1"
    shape = "'auto'" if source.path.name.lower().endswith(".json") else "'newline_delimited'"
    keys = con.execute(
        f"DESCRIBE SELECT * FROM read_json({path}, format = {shape}, "
        "maximum_depth = 1, sample_size = -1)"
    ).fetchall()
    as_text = ", ".join(f"{literal(str(k[0]))}: 'VARCHAR'" for k in keys)
    return f"read_json({path}, format = {shape}, columns = {{{as_text}}})", "{t}.rowid + 1"


def _xlsx(con: duckdb.DuckDBPyConnection, source: Source, temp_name: str) -> RawFile:
    """The sheet named after the table, else the first."""
    table, headers = xlsx_table(source.path, source.table)
    con.register(temp_name, table)
    return RawFile(
        ident(temp_name),
        tuple(RawColumn(h, ident(f"column_{i}"), "VARCHAR") for i, h in enumerate(headers)),
        "{t}." + ident(XLSX_ROW),
        row_source=ident(XLSX_ROW),
        registered=temp_name,
    )


def xlsx_table(
    path: Path, sheet_name: str | None, header_row: int = 1
) -> tuple[pa.Table, list[str]]:
    """A sheet as Arrow text columns ``column_i`` and its row numbers, and its headers.

    The sheet named ``sheet_name`` if there is one, else the first; headers are
    on ``header_row`` (rows above it are skipped); openpyxl's style warnings muted.
    """
    import warnings
    import zipfile

    import openpyxl
    import pyarrow as pa
    from openpyxl.utils.exceptions import InvalidFileException

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise ReadProblem(f"cannot be read: not an XLSX workbook ({exc})") from None
        try:
            sheet = book[sheet_name] if sheet_name in book.sheetnames else book.worksheets[0]
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
            for _ in range(header_row - 1):
                next(rows, None)
            headers, columns, numbers = _cells(rows, header_row)
        finally:
            book.close()
    data = {f"column_{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)}
    data[XLSX_ROW] = pa.array(numbers, pa.int64())
    return pa.table(data), headers


def _cells(rows: Any, header_row: int = 1) -> tuple[list[str], list[list[str | None]], list[int]]:
    """Headers from the first row; columns of text; the sheet row of each data row."""
    header_row_values: tuple[Any, ...] = next(rows, ())
    width = len(header_row_values)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    for number, row in enumerate(rows, start=header_row + 1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        numbers.append(number)
        for i in range(width):
            columns[i].append(_text(row[i]) if i < len(row) else None)
    keep = [i for i in range(width) if header_row_values[i] is not None or any(columns[i])]
    headers = [_text(header_row_values[i]) or f"column_{i + 1}" for i in keep]
    return headers, [columns[i] for i in keep], numbers


def _text(value: Any) -> str | None:
    """A cell as the text a CSV export would hold (dates in ISO-8601)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
