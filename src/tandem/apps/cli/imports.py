"""``tandem presets``: the shipped mappings for vendors' exports."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tandem.apps.cli.app import app, choose, format_option
from tandem.apps.cli.output import DOCUMENT, Format


@app.command()
def presets(
    fmt: Annotated[str, format_option(DOCUMENT)] = "table",
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", help="Not used: presets ship with Tandem.")
    ] = Path("."),
) -> None:
    """The presets for vendors' exports, the files each expects and where it is.

    A preset is an ordinary mapping file: copy it, edit it, and load with
    'tandem load --mapping FILE'.
    """
    from tandem.service import presets as catalog

    chosen = choose(fmt, DOCUMENT, "presets")
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
    from rich.table import Table

    from tandem.apps.cli.output import console as _console

    console = _console()
    for p in found:
        table = Table("file", "expects", "becomes", title=f"{p.name}: {p.description}")
        for f in p.files:
            table.add_row(f.description or f.source, f.expects, ", ".join(f.tables))
        console.print(table)
        console.print(f"  tandem load --preset {p.name} FILE...   ·   {p.path}", highlight=False)
        console.print()
