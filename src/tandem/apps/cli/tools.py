"""Commands for the demo company and the benchmark: synth, bench."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tandem.apps.cli.app import WorkspaceOpt, app, choose, format_option
from tandem.apps.cli.output import DOCUMENT, Format, emit


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the tables into.")],
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth",
            help="Folder for the hidden truths (health, churn events, order processes); "
            "default: beside --out, named <out>-truth. Never load it.",
        ),
    ] = None,
    accounts: Annotated[
        int, typer.Option("--accounts", "-n", help="Accounts: customers and prospects.")
    ] = 2_000,
    months: Annotated[
        int, typer.Option("--months", "-m", help="Months simulated, ending with --end's month.")
    ] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Same seed and options, same files.")] = 7,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table or json: how the summary is printed; csv or parquet: the files "
            "(same as --files).",
        ),
    ] = "table",
    files: Annotated[
        str | None, typer.Option("--files", help="File format of the tables: csv or parquet.")
    ] = None,
    events_per_account: Annotated[
        float | None,
        typer.Option(
            "--events-per-account",
            help="Mean usage events per account over the range (default 100 per 24 months).",
        ),
    ] = None,
    end: Annotated[str, typer.Option("--end", help="Last day simulated, ISO date.")] = "2026-10-31",
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Accounts generated at a time (bounds memory).")
    ] = 50_000,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Generate a demo company as the canonical tables, one file per table.

    Accounts carry a hidden health that drives usage, surveys, tickets, expansion
    and churn; what drove the data goes to --truth, for back-testing health scores
    and models. The workspace is not used: load --out with 'tandem load'.
    """
    from rich.console import Console

    from tandem.synth import SynthConfig, generate

    report_format = fmt if fmt in ("table", "json") else "table"
    file_format = files or (fmt if fmt not in ("table", "json") else "csv")
    config = SynthConfig(
        accounts=accounts,
        months=months,
        seed=seed,
        end=end,
        format=file_format,
        events_per_account=events_per_account,
        chunk_size=chunk_size,
    )
    report = generate(config, out, truth)
    emit(
        Format(report_format),
        table=lambda: Console().print(report.table()),
        doc=report.to_json,
    )


@app.command()
def bench(
    size: Annotated[
        list[str], typer.Option("--size", "-s", help="S, M or L; repeat for several.")
    ] = ["M"],  # noqa: B006 - Typer reads the default
    out: Annotated[Path, typer.Option("--out", help="The report to write.")] = Path(
        "docs/benchmarks.md"
    ),
    results: Annotated[
        Path, typer.Option("--results", help="Where each size's figures are kept (JSON).")
    ] = Path("bench/results"),
    cache: Annotated[
        Path | None,
        typer.Option("--cache", help="Where generated companies are kept between runs."),
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            help="Where the benchmark makes its workspaces (removed when it ends); "
            "default: next to the generated companies.",
        ),
    ] = None,
    models: Annotated[
        int,
        typer.Option(
            "--models", help="Also time the predictive models at this many customers (0 = no)."
        ),
    ] = 0,
    before: Annotated[
        str | None,
        typer.Option(
            "--before",
            help="Also run the same steps on this git commit's code (for example the one "
            "before the core rewrite, 4236931), on the same company, and report both.",
        ),
    ] = None,
    fmt: Annotated[str, format_option(DOCUMENT)] = "table",
) -> None:
    """Measure load, the catalog and five core metrics against pandas, Polars and SQL."""
    from tandem.bench.run import SIZES, default_cache
    from tandem.bench.suite import run
    from tandem.errors import UsageError

    chosen = choose(fmt, DOCUMENT, "bench")
    unknown = [s for s in size if s not in SIZES]
    if unknown:
        raise UsageError(f"--size {unknown[0]!r}: choose from {', '.join(SIZES)}")
    command = "tandem bench " + " ".join(f"--size {s}" for s in size)
    command += f" --models {models}" if models else ""
    command += f" --before {before}" if before else ""
    problems = run(
        size,
        out=out,
        results=results,
        cache=cache or default_cache(),
        command=command,
        workspaces=workspace,
        models=models,
        before=before,
    )
    emit(
        chosen,
        table=lambda: typer.echo(f"wrote {out}"),
        doc=lambda: {"report": str(out), "disagreements": list(problems)},
    )
    if problems:
        for p in problems:
            typer.echo(f"disagreement: {p}", err=True)
        raise typer.Exit(1)
