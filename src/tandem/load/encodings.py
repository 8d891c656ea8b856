"""Which text encoding a vendor file is in, and a UTF-8 copy when it is not UTF-8.

A mapping may name the encoding (``encoding: latin-1``); by default it is
detected: a byte-order mark says UTF-8 or UTF-16; otherwise a file that
decodes as UTF-8 is UTF-8, and one that does not is Windows-1252 (the
encoding of Western European exports from Windows tools such as Salesforce
Data Loader and Excel; it agrees with Latin-1 on every letter). DuckDB reads
UTF-8 only without downloading an extension, so other files are decoded by
Python's codecs in blocks into a temporary UTF-8 copy: no row-by-row work.
"""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

BLOCK = 1 << 20
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect(path: Path) -> str:
    """The encoding of ``path``: from its byte-order mark, else UTF-8 if valid, else cp1252."""
    with path.open("rb") as f:
        start = f.read(4)
        for bom, name in BOMS:
            if start.startswith(bom):
                return name
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := f.read(BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "windows-1252"
    return "utf-8"


def python_name(encoding: str) -> str:
    return {"latin-1": "latin-1", "windows-1252": "cp1252"}.get(encoding, encoding)


def readable(path: Path, encoding: str, folder: Path) -> Path:
    """``path`` itself when DuckDB can read it as is, else a UTF-8 copy in ``folder``."""
    if encoding in ("utf-8", "utf-8-sig"):
        return path
    copy = folder / (path.name + ".utf8")
    decoder = codecs.getincrementaldecoder(python_name(encoding))(errors="strict")
    with path.open("rb") as src, copy.open("w", encoding="utf-8", newline="") as out:
        while block := src.read(BLOCK):
            out.write(decoder.decode(block))
        out.write(decoder.decode(b"", final=True))
    return copy


def head_lines(path: Path, encoding: str, count: int) -> list[str]:
    """The first ``count`` lines of a text file, decoded (for recognising headers)."""
    name = python_name(encoding)
    lines: list[str] = []
    with path.open("r", encoding=name, errors="replace", newline="") as f:
        for line in f:
            lines.append(line)
            if len(lines) >= count:
                break
    return lines


def scratch_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="tandem-load-"))
