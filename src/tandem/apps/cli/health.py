"""``tandem health``: account health scores, one account's history, the back-test."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tandem.apps.cli.app import WorkspaceOpt, app
from tandem.apps.cli.app import parse_format as _format
from tandem.apps.cli.output import Format

if TYPE_CHECKING:
    import pandas as pd

    from tandem.health import HealthScores

health_app = typer.Typer(
    help="Account health: a 0-100 score per customer with each component's contribution.",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=False,
)
app.add_typer(health_app, name="health")

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Score as of this day (default: the last data day, not after today)."
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]


def _day(value: str | None, what: str) -> dt.date | None:
    """A day given as YYYY-MM-DD, or a month as YYYY-MM (its first day); None stays None."""
    from tandem.errors import UsageError

    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01")
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what} {value!r}: expected a day like 2026-10-31") from None


@health_app.callback()
def health(
    ctx: typer.Context,
    workspace: WorkspaceOpt = Path("."),
    account: Annotated[
        str | None, typer.Option("--account", "-a", help="Only this account.")
    ] = None,
    as_of: AsOfOpt = None,
    band: Annotated[
        str | None, typer.Option("--band", help="Only accounts in this band: red, amber, green.")
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Every customer's health score as of a day, worst first, with the contributions."""
    if ctx.invoked_subcommand is not None:
        return
    from tandem.errors import UsageError
    from tandem.health import scores
    from tandem.health.score import BANDS
    from tandem.service.workspace import Workspace

    chosen = _tabular(fmt)
    if band is not None and band not in BANDS:
        raise UsageError(f"--band {band!r}: choose one of {', '.join(BANDS)}")
    with Workspace(workspace) as ws:
        result = scores(ws, _day(as_of, "--as-of"), account=account)
    if account is not None and result.rows.empty:
        raise UsageError(f"--account {account!r}: not a customer on {result.as_of}")
    if band is not None:
        result = _only(result, band)
    _write(result, chosen, title=f"Health as of {result.as_of}")


@health_app.command("history")
def history_command(
    account: Annotated[str, typer.Argument(help="The account.")],
    workspace: WorkspaceOpt = Path("."),
    start: Annotated[
        str | None, typer.Option("--from", help="First period (day or month).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last as-of day (default: latest data).")
    ] = None,
    grain: Annotated[
        str, typer.Option("--grain", "-g", help="week, month, quarter or year.")
    ] = "month",
    fmt: FormatOpt = "table",
) -> None:
    """One account's score as of the end of each period: how it moved, component by component."""
    from tandem.health import history
    from tandem.service.workspace import Workspace

    chosen = _tabular(fmt)
    with Workspace(workspace) as ws:
        result = history(
            ws, account, start=_day(start, "--from"), end=_day(end, "--to"), grain=grain
        )
    _write(result, chosen, title=f"Health of {account}")


@health_app.command("backtest")
def backtest_command(
    workspace: WorkspaceOpt = Path("."),
    horizon: Annotated[
        int, typer.Option("--horizon", help="Days after each as-of day in which churn counts.")
    ] = 90,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """How well the score foresaw churn on this workspace's history: AUC and churn per band."""
    from tandem.errors import UsageError
    from tandem.health.backtest import backtest
    from tandem.service.workspace import Workspace

    chosen = _format(fmt)
    if chosen not in (Format.TABLE, Format.JSON):
        raise UsageError(f"--format {fmt!r}: choose table or json")
    if not 1 <= horizon <= 730:
        raise UsageError(f"--horizon {horizon}: choose between 1 and 730 days")
    with Workspace(workspace) as ws:
        result = backtest(ws, horizon_days=horizon)
    if chosen is Format.JSON:
        json.dump(result.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    from rich.table import Table

    from tandem.apps.cli.output import console as _console

    console = _console()
    d = result.as_dict()
    console.print(
        f"{d['as_of_days']} month-ends from {d['first_day']} to {d['last_day']}: "
        f"{d['account_days']:,} customer-days scored, {d['churned']:,} churned within "
        f"{horizon} days",
        highlight=False,
    )
    console.print(f"AUC {_num(result.auc, 3)}", highlight=False)
    bands = Table("band", "scored", "churned", "churn rate %", title="Churn per band")
    for b in result.bands:
        bands.add_row(b.band, f"{b.account_days:,}", f"{b.churned:,}", _num(b.churn_rate, 1))
    console.print(bands)
    console.print(f"red / green churn rate: {_num(result.red_to_green, 1)}", highlight=False)
    parts = Table("component", "AUC alone", title="Each component alone")
    for name, value in result.component_auc.items():
        parts.add_row(name, _num(value, 3))
    console.print(parts)


def _num(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _tabular(fmt: str) -> Format:
    from tandem.errors import UsageError

    chosen = _format(fmt)
    if chosen not in (Format.TABLE, Format.CSV, Format.JSON):
        raise UsageError(f"--format {fmt!r}: choose table, csv or json")
    return chosen


def _only(result: HealthScores, band: str) -> HealthScores:
    from dataclasses import replace

    rows = result.rows[result.rows.band == band].reset_index(drop=True)
    return replace(result, rows=rows)


def _write(result: HealthScores, fmt: Format, *, title: str) -> None:
    if fmt is Format.JSON:
        doc = {
            "as_of": result.as_of.isoformat(),
            "weights": result.weights,
            "bands": {"red_below": result.red_below, "green_from": result.green_from},
            "accounts": result.records(),
        }
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif fmt is Format.CSV:
        from tandem.apps.cli.output import write_csv

        write_csv(_csv_frame(result), sys.stdout)
    else:
        _print(result.table(), result, title)


def _csv_frame(result: HealthScores) -> pd.DataFrame:
    from tandem.health import COMPONENTS

    names = [c.name for c in COMPONENTS]
    cols = ["as_of", "account_id", "name", "health_score", "band", "missing", *names]
    cols += [f"{n}_score" for n in names]
    return result.rows[cols]


#: Column heads short enough for a terminal; docs/health.md names each in full.
SHORT = {
    "usage_trend": "trend",
    "activity": "active",
    "adoption": "adopt",
    "nps": "nps",
    "csat": "csat",
    "tickets": "tickets",
    "escalations": "escal",
    "onboarding": "onboard",
    "contraction": "contract",
    "renewal": "renewal",
    "purchases": "p_alive",
}


def _print(table: pd.DataFrame, result: HealthScores, title: str) -> None:
    from rich.table import Table

    from tandem.apps.cli.output import console as _console
    from tandem.health import COMPONENTS

    # A component weighted 0 never adds points: its column would only ever be empty.
    names = [c.name for c in COMPONENTS if result.weights.get(c.name, 0) > 0]
    several_days = table.as_of.nunique() > 1
    one_account = several_days and table.account_id.nunique() == 1
    if one_account:
        title += f" ({table.name.iloc[0]})"
    out = Table(title=title)
    if several_days:
        out.add_column("as of", no_wrap=True)
    if not one_account:
        out.add_column("account", no_wrap=True)
        out.add_column("name", no_wrap=True, max_width=24, overflow="ellipsis")
    out.add_column("score", justify="right")
    out.add_column("band")
    for n in names:
        out.add_column(SHORT.get(n, n), justify="right", no_wrap=True)
    for r in table.to_dict("records"):
        cells = [str(r["as_of"])] if several_days else []
        cells += [] if one_account else [r["account_id"], str(r["name"])]
        cells += [_num(_float(r["health_score"]), 1), r["band"]]
        cells += [_num(_float(r[n]), 1) for n in names]
        out.add_row(*cells)
    console = _console()
    console.print(out)
    weights = ", ".join(f"{SHORT.get(k, k)} {v:g}" for k, v in result.weights.items() if v > 0)
    console.print(
        f"{len(table):,} scores. Each component's column is its contribution in points "
        f"(they add up to the score); empty = missing, left out and the other weights "
        f"renormalised. Weights: {weights}. Red below {result.red_below:g}, green from "
        f"{result.green_from:g}.",
        style="dim",
        highlight=False,
    )


def _float(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return None if f != f else f
