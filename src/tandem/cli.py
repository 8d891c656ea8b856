"""The ``tandem`` command: thin Typer commands over the facade.

Heavy modules (Ibis, DuckDB, pandas) are imported inside the commands so that
``tandem --help`` starts fast. A TandemError becomes one line on stderr and
exit status 2; ``TANDEM_DEBUG=1`` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="tandem",
    help="One shared, explainable scorecard for the teams that win and keep customers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (holds tandem.toml).",
        envvar="TANDEM_WORKSPACE",
        show_default=True,
    ),
]


def _err(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def init(
    workspace: WorkspaceOpt = Path("."),
    backend_url: Annotated[
        str, typer.Option("--backend-url", help="Database URL; empty = embedded DuckDB.")
    ] = "",
) -> None:
    """Create a workspace: tandem.toml with every knob, and the embedded database."""
    from tandem.workspace import Workspace

    ws = Workspace.init(workspace, backend_url=backend_url)
    typer.echo(f"Workspace ready in {ws.path.resolve()} ({ws.store.name}).")
    ws.close()


@app.command()
def status(workspace: WorkspaceOpt = Path(".")) -> None:
    """Rows per table in the workspace."""
    from rich.console import Console
    from rich.table import Table

    from tandem.workspace import Workspace

    with Workspace(workspace) as ws:
        counts = ws.row_counts()
        table = Table("table", "rows", title=f"Workspace {ws.path}")
        for name, n in counts.items():
            table.add_row(name, f"{n:,}")
        Console().print(table)


def main() -> None:
    """Entry point. Typer reports usage errors itself (exit 2); user errors land here."""
    from tandem.errors import TandemError

    try:
        app()
    except TandemError as exc:
        if os.environ.get("TANDEM_DEBUG") == "1":
            raise
        _err(f"error: {exc}")
        sys.exit(exc.exit_code)
