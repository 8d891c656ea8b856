"""Reading a vendor's file as it is, into a TEMP table of text fields.

CSV is read by DuckDB (every value as text) after its encoding is settled
(``tandem.load.encodings``), starting at the mapping's ``header_row`` and
skipping its ``skip_rows`` (Qualtrics puts a label row and an ImportId row
under its headers). JSON holds API objects: a file may be one list response
(``{"object": "list", "data": [...]}``), an array, or one object per line;
each object is a record, or with ``unnest`` each element of one of its lists
is, and only the fields the mapping names are extracted (dotted paths such
as ``items.data[].price.unit_amount``). XLSX goes through openpyxl like a
canonical file.

Row numbers are what the user sees: the spreadsheet row for CSV and XLSX,
the record (object) number for JSON.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tandem.load import encodings
from tandem.load.readers import ReadProblem, explain
from tandem.load.sql import ident, literal

if TYPE_CHECKING:
    import duckdb

    from tandem.load.mapfile import Source

ROW = "__row"
SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".xlsx": "xlsx",
}


def kind_of(path: Path) -> str | None:
    return SUFFIXES.get(path.suffix.lower())


@dataclass(frozen=True)
class RawVendorFile:
    """A vendor file in a TEMP table: its fields (name -> SQL over alias ``r``) and rows."""

    relation: str
    fields: dict[str, str]
    row: str
    keep_rows: str
    encoding: str | None = None


def headers(path: Path, kind: str, source: Source, encoding: str) -> list[str]:
    """The headers of a CSV or XLSX file at the source's header row."""
    if kind == "xlsx":
        return _xlsx_headers(path, source.header_row)
    with path.open(
        "r", encoding=encodings.python_name(encoding), errors="replace", newline=""
    ) as f:
        sample = f.read(64 * 1024)
    lines = io.StringIO(sample.lstrip("\ufeff"))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            sample.splitlines()[source.header_row - 1] if sample else ",", delimiters=",;\t|"
        )
    except (csv.Error, IndexError):
        dialect = csv.excel
    for number, record in enumerate(csv.reader(lines, dialect), start=1):
        if number == source.header_row:
            return [h.strip() for h in record]
    return []


def first_object(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """The ``object`` field of a JSON file's first record (None when absent or unreadable)."""
    import duckdb

    try:
        found = con.execute(
            f"SELECT CASE WHEN json_extract_string(json, '$.object') = 'list' "
            f"THEN json_extract_string(json, '$.data[0].object') "
            f"ELSE json_extract_string(json, '$.object') END "
            f"FROM read_json_objects({literal(str(path))}, format = 'auto') LIMIT 1"
        ).fetchone()
    except duckdb.Error:
        return None
    return None if found is None or found[0] is None else str(found[0])


def read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    source: Source,
    paths: list[str],
    relation: str,
    folder: Path,
) -> RawVendorFile:
    """Read ``path`` into the TEMP table ``relation``; raises ReadProblem."""
    import duckdb

    try:
        if kind == "json":
            return _json(con, path, source, paths, relation)
        if kind == "xlsx":
            return _xlsx(con, path, source, relation)
        encoding = source.encoding if source.encoding != "auto" else encodings.detect(path)
        try:
            readable = encodings.readable(path, encoding, folder)
        except UnicodeDecodeError as exc:
            raise ReadProblem(
                f"is not {encoding} text ({exc.reason} at byte {exc.start})"
            ) from None
        con.execute(
            f"CREATE TEMP TABLE {ident(relation)} AS SELECT * FROM read_csv("
            f"{literal(str(readable))}, all_varchar = true, header = true, "
            f"skip = {source.header_row - 1}, quote = '\"', escape = '\"', null_padding = true)"
        )
        names = [str(r[0]) for r in con.execute(f"DESCRIBE {ident(relation)}").fetchall()]
        return RawVendorFile(
            ident(relation),
            {n: _text(f"r.{ident(n)}") for n in names},
            f"r.rowid + {source.header_row + 1}",
            f"r.rowid >= {source.skip_rows}",
            encoding,
        )
    except duckdb.Error as exc:
        raise explain(exc) from None


def _text(sql: str) -> str:
    return f"nullif(trim({sql}), '')"


def json_path(path: str) -> str:
    """A dotted field path as a DuckDB JSON path (``a.b`` -> ``$."a"."b"``; ``[*]`` kept)."""
    parts = []
    for part in path.split("."):
        name, star = (part[:-3], "[*]") if part.endswith("[*]") else (part, "")
        parts.append(f'"{name}"{star}' if name else star)
    return "$." + ".".join(parts)


def _json(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source, paths: list[str], relation: str
) -> RawVendorFile:
    records = (
        "SELECT row_number() OVER () AS __record, j FROM (SELECT unnest(CASE WHEN "
        "json_extract_string(json, '$.object') = 'list' THEN json_extract(json, '$.data[*]') "
        f"ELSE [json] END) AS j FROM read_json_objects({literal(str(path))}, format = 'auto'))"
    )
    prefix = f"{source.unnest}[]." if source.unnest else None
    selects = [f"o.__record AS {ident(ROW)}"]
    columns: dict[str, str] = {}
    for i, field in enumerate(paths):
        alias = f"f{i}"
        inner = prefix is not None and field.startswith(prefix)
        value, rest = ("u.el", field[len(prefix) :]) if inner and prefix else ("o.j", field)
        if "[*]" in rest:
            sql = (
                f"CAST(list_sum(list_transform(json_extract({value}, {literal(json_path(rest))}), "
                "x -> TRY_CAST(x AS DOUBLE))) AS VARCHAR)"
            )
        else:
            sql = f"json_extract_string({value}, {literal(json_path(rest))})"
        selects.append(f"{sql} AS {ident(alias)}")
        columns[field] = _text(f"r.{ident(alias)}")
    unnest = (
        f", unnest(json_extract(o.j, {literal(json_path(source.unnest) + '[*]')})) AS u(el)"
        if source.unnest
        else ""
    )
    con.execute(
        f"CREATE TEMP TABLE {ident(relation)} AS SELECT {', '.join(selects)} "
        f"FROM ({records}) o{unnest}"
    )
    return RawVendorFile(ident(relation), columns, f"r.{ident(ROW)}", "true")


def _xlsx_headers(path: Path, header_row: int) -> list[str]:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:
            return []
        try:
            for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
                if number == header_row:
                    return [str(v).strip() if v is not None else "" for v in row]
        finally:
            book.close()
    return []


def _xlsx(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source, relation: str
) -> RawVendorFile:
    from tandem.load.readers import xlsx_table

    table, header = xlsx_table(path, None, source.header_row)
    temp = relation + "_arrow"
    con.register(temp, table)
    try:
        con.execute(f"CREATE TEMP TABLE {ident(relation)} AS SELECT * FROM {ident(temp)}")
    finally:
        con.unregister(temp)
    fields = {h: _text(f"r.{ident(f'column_{i}')}") for i, h in enumerate(header)}
    return RawVendorFile(
        ident(relation),
        fields,
        "r.__row",
        f"r.__row > {source.header_row + source.skip_rows}",
    )


__all__ = ["ROW", "RawVendorFile", "ReadProblem", "first_object", "headers", "kind_of", "read"]
