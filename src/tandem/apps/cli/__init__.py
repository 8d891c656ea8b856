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

from tandem.apps.cli.output import Format
from tandem.errors import UsageError

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
    from tandem.service.workspace import Workspace

    ws = Workspace.init(workspace, backend_url=backend_url)
    typer.echo(f"Workspace ready in {ws.path.resolve()} ({ws.store.name}).")
    ws.close()


@app.command()
def status(workspace: WorkspaceOpt = Path(".")) -> None:
    """Rows per table in the workspace."""
    from rich.console import Console
    from rich.table import Table

    from tandem.service.workspace import Workspace

    with Workspace(workspace) as ws:
        counts = ws.row_counts()
        table = Table("table", "rows", title=f"Workspace {ws.path}")
        for name, n in counts.items():
            table.add_row(name, f"{n:,}")
        Console().print(table)


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
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Load CSV, Parquet, JSON Lines or XLSX files: all of them land, or nothing does."""
    from tandem.apps.cli.imports import print_report
    from tandem.service.workspace import Workspace

    chosen = _format(fmt)
    if chosen not in (Format.TABLE, Format.JSON):
        raise UsageError(f"--format {fmt!r}: choose table or json")
    with Workspace(workspace) as ws:
        report = ws.load(
            list(paths),
            table=table,
            mapping=mapping,
            preset=preset,
            dry_run=dry_run,
            replace=tuple(_split(replace)),
            progress=sys.stdout.isatty() and chosen is Format.TABLE,
        )
    print_report(report, chosen)


GrainOpt = Annotated[
    str, typer.Option("--grain", "-g", help="Period grain: week, month, quarter or year.")
]
ByOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        "-b",
        help="Dimension to cut by (an account column, csm, sales_rep, plan or cohort); "
        "repeat or separate with commas for several.",
    ),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option("--where", help="Keep only DIMENSION=VALUE (repeatable)."),
]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="First day (or month, 2024-03) to include.")
]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (or month) to include.")]


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def parse_where(items: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        if "=" not in item:
            raise UsageError(f"--where {item!r}: expected DIMENSION=VALUE")
        k, v = item.split("=", 1)
        out.append((k.strip(), v.strip()))
    return tuple(out)


def _format(value: str) -> Format:
    try:
        return Format(value)
    except ValueError:
        raise UsageError(
            f"--format {value!r}: choose one of {', '.join(f.value for f in Format)}"
        ) from None


@app.command()
def metric(
    slug: Annotated[str, typer.Argument(help="Metric slug; 'tandem metrics' lists them.")],
    workspace: WorkspaceOpt = Path("."),
    grain: GrainOpt = "month",
    by: ByOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    where: WhereOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, json or parquet.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """One metric per period (and dimension value), with the components behind it."""
    from tandem.apps.cli.output import write_result
    from tandem.service.workspace import Workspace

    chosen = _format(fmt)
    with Workspace(workspace) as ws:
        result = ws.compute(
            [slug],
            grain=grain,
            by=_split(by),
            start=start,
            end=end,
            where=dict(parse_where(_split(where))),
        )[slug]
    if output is not None and chosen is not Format.PARQUET:
        with output.open("w", encoding="utf-8", newline="") as out:
            write_result(result, chosen, out, None)
    else:
        write_result(result, chosen, sys.stdout, str(output) if output else None)


@app.command("metrics")
def metrics_list(
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """The metric catalog: every slug with its definition and the knob values in force."""
    from tandem.apps.cli.output import catalog_json, print_catalog
    from tandem.service.workspace import Workspace

    ws = Workspace(workspace)
    if _format(fmt) is Format.JSON:
        import json

        json.dump(
            catalog_json(ws.definitions, ws.settings.metrics, ws.dialect), sys.stdout, indent=2
        )
        sys.stdout.write("\n")
    else:
        print_catalog(ws.definitions, ws.settings.metrics, ws.dialect)


@app.command()
def explain(
    slug: Annotated[str, typer.Argument(help="Metric slug.")],
    period: Annotated[str, typer.Option("--period", "-p", help="A day or month in the period.")],
    workspace: WorkspaceOpt = Path("."),
    grain: GrainOpt = "month",
    where: WhereOpt = None,
    sql: Annotated[bool, typer.Option("--sql", help="Show the compiled SQL too.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Rows shown per source; 0 = all.")] = 50,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List the rows behind a metric's numerator and denominator in one period."""
    from tandem.apps.cli.output import explanation_json, print_explanation
    from tandem.service.workspace import Workspace

    chosen = _format(fmt)
    with Workspace(workspace) as ws:
        e = ws.explain(
            slug, period, grain=grain, where=dict(parse_where(_split(where))), limit=limit or None
        )
    if chosen is Format.JSON:
        import json

        json.dump(explanation_json(e, sql), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print_explanation(e, sql)


@app.command()
def summary(workspace: WorkspaceOpt = Path(".")) -> None:
    """What is loaded, and the headline figures of the latest month against the one before."""
    from tandem.apps.cli.output import print_summary
    from tandem.service.summary import headlines
    from tandem.service.workspace import Workspace

    with Workspace(workspace) as ws:
        print_summary(ws.row_counts(), headlines(ws))


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
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or parquet.")] = "csv",
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

    config = SynthConfig(
        accounts=accounts,
        months=months,
        seed=seed,
        end=end,
        format=fmt,
        events_per_account=events_per_account,
        chunk_size=chunk_size,
    )
    Console().print(generate(config, out, truth).table())


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
) -> None:
    """Measure load, the catalog and five core metrics against pandas and hand-written SQL."""
    from tandem.bench.run import SIZES, default_cache, run
    from tandem.errors import UsageError

    unknown = [s for s in size if s not in SIZES]
    if unknown:
        raise UsageError(f"--size {unknown[0]!r}: choose from {', '.join(SIZES)}")
    command = "tandem bench " + " ".join(f"--size {s}" for s in size)
    problems = run(
        size,
        out=out,
        results=results,
        cache=cache or default_cache(),
        command=command,
        workspaces=workspace,
    )
    print(f"wrote {out}")
    if problems:
        for p in problems:
            _err(f"disagreement: {p}")
        raise typer.Exit(1)


def main() -> None:
    """Entry point. Typer reports usage errors itself (exit 2); user errors land here."""
    import warnings

    from tandem.errors import TandemError

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        _err(f"warning: {message}")

    warnings.showwarning = show
    try:
        app()
    except TandemError as exc:
        if os.environ.get("TANDEM_DEBUG") == "1":
            raise
        _err(f"error: {exc}")
        sys.exit(exc.exit_code)


from tandem.apps.cli import imports as _imports  # noqa: E402,F401 - registers its commands

if __name__ == "__main__":
    main()
