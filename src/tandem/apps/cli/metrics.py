"""Commands about numbers: metric, metrics, explain, summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tandem.apps.cli.app import (
    ByOpt,
    FromOpt,
    GrainOpt,
    OutputOpt,
    ToOpt,
    WhereOpt,
    WorkspaceOpt,
    app,
    choose,
    format_option,
    parse_filters,
    split,
)
from tandem.apps.cli.output import TABULAR, Format, emit

CATALOG_FORMATS = (Format.TABLE, Format.CSV, Format.JSON)


@app.command()
def metric(
    slug: Annotated[str, typer.Argument(help="Metric slug; 'tandem metrics' lists them.")],
    workspace: WorkspaceOpt = Path("."),
    grain: GrainOpt = "month",
    by: ByOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    where: WhereOpt = None,
    fmt: Annotated[str, format_option(TABULAR)] = "table",
    output: OutputOpt = None,
) -> None:
    """One metric per period (and dimension value), with the components behind it."""
    from tandem.apps.cli import render
    from tandem.service.workspace import Workspace

    chosen = choose(fmt, TABULAR, "metric")
    with Workspace(workspace) as ws:
        result = ws.compute(
            [slug], grain=grain, by=split(by), start=start, end=end, where=parse_filters(where)
        )[slug]
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    emit(
        chosen,
        table=lambda: render.result_table(result),
        doc=lambda: render.result_json(result),
        rows=lambda: render.result_rows(result),
        output=output,
        meta=lambda: render.result_json(result) | {"rows": None},
    )


@app.command("metrics")
def metrics_list(
    slug: Annotated[
        str | None, typer.Argument(help="One metric to show in full (default: the list).")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[str, format_option(CATALOG_FORMATS)] = "table",
) -> None:
    """The metric catalog: every slug, or one metric's definition, formula and knobs."""
    from tandem.apps.cli import render
    from tandem.service.workspace import Workspace

    chosen = choose(fmt, CATALOG_FORMATS, "metrics")
    ws = Workspace(workspace)
    infos = ws.describe([slug] if slug else None)
    if slug:
        emit(
            chosen,
            table=lambda: render.metric_detail(infos[0]),
            doc=infos[0].to_json,
            rows=lambda: render.catalog_rows(infos),
        )
        return
    emit(
        chosen,
        table=lambda: render.catalog_table(infos),
        doc=lambda: [i.to_json() for i in infos],
        rows=lambda: render.catalog_rows(infos),
    )


@app.command()
def explain(
    slug: Annotated[str, typer.Argument(help="Metric slug.")],
    period: Annotated[str, typer.Option("--period", "-p", help="A day or month in the period.")],
    workspace: WorkspaceOpt = Path("."),
    grain: GrainOpt = "month",
    where: WhereOpt = None,
    sql: Annotated[bool, typer.Option("--sql", help="Show the compiled SQL too.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Rows shown per source; 0 = all.")] = 50,
    fmt: Annotated[str, format_option(TABULAR)] = "table",
    output: OutputOpt = None,
) -> None:
    """List the rows behind a metric's numerator and denominator in one period."""
    from tandem.apps.cli import render
    from tandem.service.workspace import Workspace

    chosen = choose(fmt, TABULAR, "explain")
    with Workspace(workspace) as ws:
        e = ws.explain(slug, period, grain=grain, where=parse_filters(where), limit=limit)
    emit(
        chosen,
        table=lambda: render.explanation_table(e, sql),
        doc=lambda: render.explanation_json(e, sql),
        rows=lambda: render.explanation_rows(e),
        output=output,
        meta=lambda: render.explanation_json(e, sql) | {"sources": None},
    )


@app.command()
def summary(
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[str, format_option(CATALOG_FORMATS)] = "table",
) -> None:
    """What is loaded, and the headline figures of the latest complete month."""
    from tandem.apps.cli import render
    from tandem.service.summary import summarize
    from tandem.service.workspace import Workspace

    chosen = choose(fmt, CATALOG_FORMATS, "summary")
    with Workspace(workspace) as ws:
        figures = summarize(ws)
    emit(
        chosen,
        table=lambda: render.summary_table(figures),
        doc=figures.to_json,
        rows=lambda: render.summary_rows(figures),
    )
