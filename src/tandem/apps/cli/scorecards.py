"""``tandem scorecard`` and ``tandem scorecards``: thin shells over tandem.scorecards."""

from __future__ import annotations

import enum
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from tandem.apps.cli.app import WorkspaceOpt, app


class CardFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    XLSX = "xlsx"
    PDF = "pdf"


BINARY = (CardFormat.XLSX, CardFormat.PDF)


def _card_format(value: str) -> CardFormat:
    from tandem.errors import UsageError

    try:
        return CardFormat(value.strip().lower())
    except ValueError:
        raise UsageError(
            f"--format {value!r}: choose one of {', '.join(f.value for f in CardFormat)}"
        ) from None


def _write(data: bytes, output: Path) -> None:
    """Write ``data`` whole or not at all: a temporary file beside it, then a rename."""
    from tandem.errors import UsageError

    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--output {output}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def scorecard(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Scorecard name (a file in WORKSPACE/scorecards/) or a .yml path; default: shared."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", "-p", help="A day or month in the period (default: the latest with data)."
        ),
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option("--for", help="csm:ID, rep:ID or segment:VALUE (default: the company)."),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option("--compare", help="Side by side across every csm, rep or segment."),
    ] = None,
    grain: Annotated[
        str | None,
        typer.Option("--grain", "-g", help="week, month, quarter or year (default: the file's)."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json, csv, html, xlsx or pdf.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    views: Annotated[
        bool,
        typer.Option(
            "--views/--no-views",
            help="Add the cohort matrix, MRR waterfall and trailing-twelve-month retention.",
        ),
    ] = True,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """A shared scorecard: every metric against its target, baseline and last period.

    For the company, one CSM's or sales rep's book or one segment (--for), or side by
    side across them (--compare); with trend, components, survey confidence, the
    cohort matrix, the MRR waterfall and trailing-twelve-month retention.
    """
    from tandem.errors import UsageError
    from tandem.scorecards import scorecard as build_scorecard
    from tandem.scorecards.build import ScorecardRequest
    from tandem.scorecards.definition import parse_day
    from tandem.scorecards.scopes import parse_kind, parse_scope
    from tandem.semantic.calendar import Grain
    from tandem.service.workspace import Workspace

    chosen = _card_format(fmt)
    if chosen in BINARY and output is None and sys.stdout.isatty():
        raise UsageError(f"--format {chosen.value} writes a file: add --output FILE")
    try:
        day = parse_day(period) if period else None
    except ValueError as exc:
        raise UsageError(f"--period: {exc}") from None
    request = ScorecardRequest(
        period=day,
        grain=Grain.parse(grain) if grain else None,
        scope=parse_scope(scope),
        compare=parse_kind(compare) if compare else None,
        views=views,
    )
    with Workspace(workspace) as ws:
        card = build_scorecard(ws, name, request)
    if chosen is CardFormat.TABLE and output is None:
        from rich.console import Console

        from tandem.scorecards.render_text import print_scorecard

        console = Console()
        print_scorecard(card, console if console.is_terminal else Console(width=160))
        return
    data = _render(card, chosen)
    if output is not None:
        _write(data, output)
        typer.echo(f"wrote {output} ({len(data):,} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _render(card: object, chosen: CardFormat) -> bytes:
    from tandem.scorecards.model import Scorecard

    assert isinstance(card, Scorecard)
    match chosen:
        case CardFormat.TABLE:
            import io

            from rich.console import Console

            from tandem.scorecards.render_text import print_scorecard

            buffer = io.StringIO()
            print_scorecard(card, Console(file=buffer, width=160, color_system=None))
            return buffer.getvalue().encode("utf-8")
        case CardFormat.JSON:
            import json

            return (json.dumps(card.to_json(), indent=2, ensure_ascii=False) + "\n").encode()
        case CardFormat.CSV:
            from tandem.scorecards.render_csv import render_csv

            return render_csv(card).encode("utf-8")
        case CardFormat.HTML:
            from tandem.scorecards.render_html import render_html

            return render_html(card).encode("utf-8")
        case CardFormat.XLSX:
            from tandem.scorecards.render_xlsx import render_xlsx

            return render_xlsx(card)
        case CardFormat.PDF:
            from tandem.scorecards.render_pdf import render_pdf

            return render_pdf(card)


@app.command("scorecards")
def scorecards_list(
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """The workspace's scorecards, each checked: exit 2 when any file is invalid."""
    from tandem.errors import ConfigError, UsageError
    from tandem.scorecards.folder import find, listed
    from tandem.service.workspace import Workspace

    chosen = _card_format(fmt)
    if chosen not in (CardFormat.TABLE, CardFormat.JSON):
        raise UsageError(f"--format {fmt!r}: choose table or json")
    ws = Workspace(workspace)
    catalog = {m.slug: m for m in ws.catalog()}
    items = []
    problems = []
    for card_name, path in listed(ws.path).items():
        try:
            found = find(ws.path, card_name, catalog)
        except ConfigError as exc:
            items.append({"name": card_name, "file": str(path), "valid": False, "error": str(exc)})
            problems.append(str(exc))
            continue
        d = found.definition
        items.append(
            {
                "name": card_name,
                "file": str(path) if path else "built-in",
                "valid": True,
                "title": d.title,
                "grain": d.grain.value,
                "sections": len(d.sections),
                "metrics": len(d.entries),
            }
        )
    if chosen is CardFormat.JSON:
        import json

        json.dump(items, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table("name", "file", "title", "grain", "sections", "metrics", "valid")
        for it in items:
            table.add_row(
                str(it["name"]),
                str(it["file"]),
                str(it.get("title", "")),
                str(it.get("grain", "")),
                str(it.get("sections", "")),
                str(it.get("metrics", "")),
                "yes" if it["valid"] else "[red]no[/]",
            )
        Console().print(table)
    if problems:
        for p in problems:
            typer.echo(f"error: {p}", err=True)
        raise typer.Exit(2)
