"""Why a CSV file cannot be read, found by reading it again the plain way.

DuckDB's CSV reader, when it fails, often says only "CSV Error on Line: N"
(and N can be the header line, or the line before the faulty one). When it
refuses a file, the file is scanned here, streaming and in bounded memory, for
the reasons a user can fix: text that is not UTF-8 (UTF-16, Latin-1), a line
longer than the reader takes, a quote left open or closed mid-field. Each is
reported with the file's line number (the header is line 1).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import itertools
from pathlib import Path
from typing import BinaryIO, cast

#: The longest line DuckDB's CSV reader takes (its ``max_line_size`` default).
MAX_LINE_BYTES = 2_097_152
_CHUNK = 1 << 20
#: What is wrong, and on which line of the file.
Problem = tuple[str, int]


def _open(path: Path) -> BinaryIO:
    if path.name.lower().endswith(".gz"):
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def csv_problem(path: Path) -> Problem | None:
    """The first thing that keeps ``path`` from being read as UTF-8 CSV, or None."""
    try:
        return _encoding_or_length(path) or _structure(path)
    except OSError:
        return None


def _encoding_or_length(path: Path) -> Problem | None:
    with _open(path) as f:
        head = f.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
            len(head) >= 2 and 0 in head[:2]
        ):
            return (
                "is UTF-16 text; Tandem reads UTF-8: save it as 'CSV UTF-8' (or convert it, "
                "e.g. iconv -f UTF-16 -t UTF-8)",
                1,
            )
        f.seek(0)
        line, length, carry = 1, 0, b""
        while chunk := f.read(_CHUNK):
            data = carry + chunk
            carry = b""
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.reason == "unexpected end of data" and len(data) - exc.start < 4:
                    carry = data[exc.start :]  # a character cut by the chunk's end
                else:
                    where = line + data[: exc.start].count(b"\n")
                    return (
                        f"byte 0x{data[exc.start]:02x} is not UTF-8 (the file looks like "
                        "Latin-1 or Windows-1252 text); save it as UTF-8",
                        where,
                    )
            parts = chunk.split(b"\n")
            for part in parts[:-1]:
                if length + len(part) > MAX_LINE_BYTES:
                    return _too_long(line)
                line, length = line + 1, 0
            length += len(parts[-1])
            if length > MAX_LINE_BYTES:
                return _too_long(line)
    return None


def _too_long(line: int) -> Problem:
    return (
        f"is longer than {MAX_LINE_BYTES // 2**20} MB, the longest line (or field) "
        "Tandem reads; a quote left open or a field holding a whole document is the usual cause",
        line,
    )


def _structure(path: Path) -> Problem | None:
    """A quote left open or closed in the middle of a field, on the line it starts."""
    limit = csv.field_size_limit(MAX_LINE_BYTES)
    try:
        return _first_csv_error(path)
    finally:
        csv.field_size_limit(limit)


def _first_csv_error(path: Path) -> Problem | None:
    with _open(path) as raw:
        text = codecs.getreader("utf-8-sig")(raw)
        first = text.readline()
        delimiter = max(",;\t|", key=first.count)
        reader = csv.reader(
            itertools.chain([first], text),
            delimiter=delimiter,
            quotechar='"',
            doublequote=True,
            strict=True,
        )
        start = 1
        try:
            for _ in reader:
                start = reader.line_num + 1
        except csv.Error as exc:
            message = str(exc)
            if "expected after" in message:
                return (
                    "a quote closes in the middle of a field (a quote inside a quoted field "
                    'is written twice: "")',
                    reader.line_num,
                )
            if "end of data" in message or "EOF" in message or "new-line" in message:
                return ("a quote opened on this line is never closed (unbalanced quote)", start)
            return (f"is not valid CSV: {message}", reader.line_num)
    return None
