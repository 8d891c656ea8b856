"""The Typer application every command module registers on, and the options they share.

Heavy modules (Ibis, DuckDB, pandas) are imported inside the commands, so that
``tandem --help`` starts fast. Argument parsing (dates, filters, formats) is
done here, in the CLI; the service receives typed values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from tandem.apps.cli.output import Format
from tandem.errors import UsageError
from tandem.semantic.dimensions import Filter, Op

app = typer.Typer(
    name="tandem",
    help="One shared, explainable scorecard for the teams that win and keep customers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from tandem.version import __version__

        typer.echo(f"tandem {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """One shared, explainable scorecard for the teams that win and keep customers."""


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
GrainOpt = Annotated[
    str, typer.Option("--grain", "-g", help="Period grain: week, month, quarter or year.")
]
ByOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        "-b",
        help="Dimension to cut by (an account column, csm, sales_rep, plan, cohort, or one of "
        "the metric's own: 'tandem metrics SLUG' lists them); repeat or separate with commas.",
    ),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        help="Keep only rows where DIM=VALUE; also !=, <, <=, >, >=, 'DIM in (A, B)', "
        "'DIM not in (A, B)'. Repeat for several (all must hold).",
    ),
]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="First day (or month, 2024-03) to include.")
]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (or month) to include.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


def format_option(allowed: tuple[Format, ...]) -> object:
    """A ``--format`` option listing the formats a command supports."""
    names = ", ".join(f.value for f in allowed)
    return typer.Option("--format", "-f", help=f"Output format: {names}.")


def split(values: list[str] | None) -> list[str]:
    """Repeated options, each possibly comma-separated."""
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def parse_format(value: str) -> Format:
    """Any format name (the command then says which it writes)."""
    try:
        return Format(value.strip().lower())
    except ValueError:
        names = ", ".join(f.value for f in Format)
        raise UsageError(f"--format {value!r}: choose one of {names}") from None


def choose(value: str, allowed: tuple[Format, ...], command: str) -> Format:
    """The format asked for, or a usage error naming the ones the command supports."""
    names = ", ".join(f.value for f in allowed)
    try:
        fmt = Format(value.strip().lower())
    except ValueError:
        raise UsageError(f"--format {value!r}: choose {names}") from None
    if fmt not in allowed:
        raise UsageError(f"tandem {command} does not write {fmt.value}: choose {names}")
    return fmt


_FILTER = re.compile(
    r"^\s*(?P<dim>[\w.]+)\s*(?:(?P<op>!=|<=|>=|=|<|>)\s*(?P<value>.*)"
    r"|\s+(?P<set>not\s+in|in)\s*\((?P<values>.*)\)\s*)$",
    re.IGNORECASE | re.DOTALL,
)


def parse_filter(text: str) -> Filter:
    """``segment=SMB``, ``mrr>=100``, ``region in (EMEA, APAC)``... as a Filter."""
    found = _FILTER.match(text)
    if found is None:
        raise UsageError(
            f"--where {text!r}: expected DIMENSION=VALUE (or !=, <, <=, >, >=, "
            "'DIMENSION in (A, B)', 'DIMENSION not in (A, B)')"
        )
    dim = found.group("dim")
    if found.group("set"):
        values = tuple(_unquote(v) for v in found.group("values").split(",") if v.strip())
        if not values:
            raise UsageError(f"--where {text!r}: the list in parentheses is empty")
        op = Op.NOT_IN if found.group("set").lower().startswith("not") else Op.IN
        return Filter(dim, op, values)
    value = _unquote(found.group("value"))
    if value == "":
        raise UsageError(f"--where {text!r}: no value after {found.group('op')}")
    return Filter(dim, Op(found.group("op")), (value,))


def parse_filters(items: list[str] | None) -> tuple[Filter, ...]:
    return tuple(parse_filter(item) for item in items or [])


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
