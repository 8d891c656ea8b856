"""Which source of a mapping a vendor file is: recognised by its shape, not its name.

A CSV or XLSX file is recognised by its headers (every column the source's
``match`` lists, compared in the forgiving ``header_key`` form), a JSON file
by its records' ``object`` field (Stripe's API objects say what they are).
When several sources fit, the one that names the most columns wins. A file no
source fits is refused with what the mapping expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tandem.errors import Issue
from tandem.load import encodings, rawfiles
from tandem.load.mapping import header_key

if TYPE_CHECKING:
    import duckdb

    from tandem.load.mapfile import MappingFile, Source


def recognise(
    con: duckdb.DuckDBPyConnection, mapping: MappingFile, path: Path, shown: str
) -> Source | Issue:
    """The source ``path`` belongs to, or an Issue saying what was expected."""
    kind = rawfiles.kind_of(path)
    if kind is None:
        return Issue(shown, f"is not a file {_who(mapping)} reads (CSV, JSON or XLSX)")
    fitting: list[tuple[int, Source]] = []
    seen: list[str] = []
    obj: str | None = None
    for source in mapping.sources:
        wanted = source.format or ("json" if source.match_object else "csv")
        if wanted != kind:
            continue
        if kind == "json":
            if source.match_object is None:
                fitting.append((0, source))
                continue
            obj = obj if obj is not None else (rawfiles.first_object(con, path) or "")
            if obj == source.match_object:
                fitting.append((1, source))
            continue
        encoding = source.encoding if source.encoding != "auto" else encodings.detect(path)
        headers = rawfiles.headers(path, kind, source, encoding)
        seen = seen or headers
        present = {header_key(h) for h in headers}
        if all(header_key(c) in present for c in source.match_columns):
            fitting.append((len(source.match_columns), source))
    if fitting:
        return max(fitting, key=lambda f: f[0])[1]
    found = f' (its records are "object": "{obj}")' if obj else ""
    if seen:
        listed = ", ".join(h for h in seen[:8] if h) + (", ..." if len(seen) > 8 else "")
        found = f" (its headers: {listed})"
    expected = "; ".join(f"{s.name}: {s.expects()}" for s in mapping.sources)
    return Issue(shown, f"is not a file {_who(mapping)} reads{found}; it expects {expected}")


def _who(mapping: MappingFile) -> str:
    from tandem.load.presets import FOLDER

    if mapping.path.parent.resolve() == FOLDER.resolve():
        return f"the {mapping.path.stem} preset"
    return f"the mapping {mapping.shown}"
