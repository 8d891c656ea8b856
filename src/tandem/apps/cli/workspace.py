"""Commands about the workspace itself: init, status, load."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from tandem.apps.cli.app import WorkspaceOpt, app, choose, format_option, split
from tandem.apps.cli.output import DOCUMENT, TABULAR, Format, emit
from tandem.errors import UsageError

LOAD_FORMATS = (Format.TABLE, Format.CSV, Format.JSON)


@app.command()
def init(
    workspace: WorkspaceOpt = Path("."),
    backend_url: Annotated[
        str,
        typer.Option(
            "--backend-url",
            help="Database URL without a password, or env:NAME; empty = embedded DuckDB.",
        ),
    ] = "",
    backend_url_env: Annotated[
        str | None,
        typer.Option(
            "--backend-url-env",
            help="Environment variable holding the database URL (one with a password): "
            "tandem.toml names the variable, never the URL.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="On an existing workspace, rewrite its backend URL.")
    ] = False,
    fmt: Annotated[str, format_option(DOCUMENT)] = "table",
) -> None:
    """Create a workspace: tandem.toml with every knob, and the embedded database."""
    from tandem.alerts.rules import write_default_rules
    from tandem.scorecards import write_default
    from tandem.service.workspace import Workspace

    chosen = choose(fmt, DOCUMENT, "init")
    if backend_url_env is not None:
        if backend_url:
            raise UsageError("give --backend-url or --backend-url-env, not both")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", backend_url_env):
            raise UsageError(
                f"--backend-url-env {backend_url_env!r}: expected a variable name such as "
                "TANDEM_BACKEND_URL"
            )
        backend_url = f"env:{backend_url_env}"
    with Workspace.init(workspace, backend_url=backend_url, force=force) as ws:
        backend = ws.dialect
    rules = write_default_rules(workspace)
    card = write_default(workspace)

    def table() -> None:
        typer.echo(f"Workspace ready in {workspace} ({backend}).")
        if card is not None:
            typer.echo(f"Default shared scorecard in {card} (tandem scorecard shared).")
        if rules is not None:
            typer.echo(f"Default alert rules in {rules} (tandem alerts rules).")

    emit(
        chosen,
        table=table,
        doc=lambda: {
            "path": str(workspace.resolve()),
            "backend": backend,
            "scorecard": str(card) if card else None,
            "alert_rules": str(rules) if rules else None,
        },
    )


@app.command()
def status(
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[str, format_option(LOAD_FORMATS)] = "table",
) -> None:
    """Rows per table in the workspace, the data's first and last day, the last load."""
    from tandem.apps.cli import render
    from tandem.service.workspace import Workspace

    chosen = choose(fmt, LOAD_FORMATS, "status")
    with Workspace(workspace) as ws:
        state = ws.status()
    emit(
        chosen,
        table=lambda: render.status_table(state),
        doc=state.to_json,
        rows=lambda: render.status_rows(state),
    )


@app.command()
def load(
    paths: Annotated[
        list[Path], typer.Argument(help="Files, or folders of files named after tables.")
    ],
    workspace: WorkspaceOpt = Path("."),
    table: Annotated[
        str | None, typer.Option("--table", "-t", help="Load every given file into this table.")
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", "-m", help="Mapping file: renames, or a full mapping (docs/imports.md)."
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option("--preset", "-p", help="Read vendor exports ('tandem presets' lists them)."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show the inserts, updates and deletes; change nothing."),
    ] = False,
    replace: Annotated[
        list[str] | None,
        typer.Option(
            "--replace",
            help="Make the files the whole truth for this table: rows absent from them are "
            "deleted (repeatable).",
        ),
    ] = None,
    fmt: Annotated[str, format_option(LOAD_FORMATS)] = "table",
) -> None:
    """Load CSV, Parquet, JSON Lines or XLSX files: all of them land, or nothing does."""
    from tandem.apps.cli import render
    from tandem.service.workspace import Workspace

    chosen = choose(fmt, LOAD_FORMATS, "load")
    with Workspace(workspace) as ws:
        report = ws.load(
            paths,
            table=table,
            mapping=mapping,
            preset=preset,
            dry_run=dry_run,
            replace=tuple(split(replace)),
            progress=chosen is Format.TABLE and sys.stdout.isatty(),
        )
    emit(
        chosen,
        table=lambda: render.load_table(report),
        doc=lambda: render.load_json(report),
        rows=lambda: render.load_rows(report),
    )


__all__ = ["LOAD_FORMATS", "TABULAR", "init", "load", "status"]
