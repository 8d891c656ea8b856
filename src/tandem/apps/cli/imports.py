"""``tandem presets`` and what ``tandem load`` prints: thin shells over ``tandem.load``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tandem.apps.cli import app
from tandem.apps.cli.output import Format

if TYPE_CHECKING:
    from tandem.load import LoadReport


def print_report(report: LoadReport, fmt: Format) -> None:
    """The outcome of a load: rows per table; per file, what it was read as."""
    if fmt is Format.JSON:
        json.dump(report_json(report), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    from rich.table import Table

    from tandem.apps.cli.output import _console
    from tandem.load.mapped import BUILT

    out = _console()
    if any(f.source is not None for f in report.files):
        files = Table("file", "read as", "table", "rows", title="Files")
        for f in report.files:
            table = "→ billing history" if f.table.startswith("billing_") else f.table
            files.add_row(f.name, f.source or "", table, f"{f.rows:,}")
        out.print(files)
    title = "Would load (dry run: nothing changed)" if report.dry_run else "Loaded"
    headers = ["table", "rows", "new", "updated", "unchanged"]
    deleting = bool(report.replaced) or any(t.deleted for t in report.tables)
    if deleting:
        headers.append("deleted")
    summary = Table(*headers, title=title)
    for t in report.tables:
        numbers = [t.rows, t.new, t.updated, t.unchanged] + ([t.deleted] if deleting else [])
        summary.add_row(t.table, *(f"{n:,}" for n in numbers))
    out.print(summary)
    for note in report.skipped:
        out.print(f"skipped {note}", highlight=False, soft_wrap=True)
    read = {f.name for f in report.files if f.source != BUILT}
    out.print(
        f"{report.rows:,} rows from {len(read)} files in {report.seconds:.2f} s "
        f"({report.rows_per_second:,.0f} rows/s)",
        highlight=False,
    )


def report_json(report: LoadReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "tables": [
            {
                "table": t.table,
                "rows": t.rows,
                "new": t.new,
                "updated": t.updated,
                "unchanged": t.unchanged,
                "deleted": t.deleted,
            }
            for t in report.tables
        ],
        "files": [
            {"file": f.name, "read_as": f.source, "table": f.table, "rows": f.rows}
            for f in report.files
        ],
        "skipped": list(report.skipped),
        "seconds": round(report.seconds, 3),
    }


@app.command()
def presets(
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", help="Not used: presets ship with Tandem.")
    ] = Path("."),
) -> None:
    """The presets for vendors' exports, the files each expects and where it is.

    A preset is an ordinary mapping file: copy it, edit it, and load with
    'tandem load --mapping FILE'.
    """
    from tandem.apps.cli import _format
    from tandem.load.presets import catalog

    chosen = _format(fmt)
    found = catalog()
    if chosen is Format.JSON:
        data = [
            {
                "name": p.name,
                "description": p.description,
                "path": str(p.path),
                "files": [
                    {
                        "source": f.source,
                        "expects": f.expects,
                        "tables": list(f.tables),
                        "description": f.description,
                    }
                    for f in p.files
                ],
            }
            for p in found
        ]
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if chosen is not Format.TABLE:
        from tandem.errors import UsageError

        raise UsageError(f"--format {fmt!r}: choose table or json")
    from rich.table import Table

    from tandem.apps.cli.output import _console

    console = _console()
    for p in found:
        table = Table("file", "expects", "becomes", title=f"{p.name}: {p.description}")
        for f in p.files:
            table.add_row(f.description or f.source, f.expects, ", ".join(f.tables))
        console.print(table)
        console.print(f"  tandem load --preset {p.name} FILE...   ·   {p.path}", highlight=False)
        console.print()
