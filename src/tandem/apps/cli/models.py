"""``tandem clv fit``, ``tandem clv accounts`` and ``tandem survival``: shells over tandem.models.

Each command opens a read session, calls the model and formats its typed
result (JSON from :mod:`tandem.models.export`, so the API shows the same). A
fit that cannot be trusted raises ModelRefused, a TandemError: one line on
stderr and exit status 2.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tandem.apps.cli.app import WorkspaceOpt, app, choose
from tandem.apps.cli.output import Format

if TYPE_CHECKING:
    import pyarrow as pa

    from tandem.service.session import ReadSession
    from tandem.settings import Settings

clv = typer.Typer(
    name="clv",
    help="Predictive customer lifetime value: BG/NBD and Gamma-Gamma on the orders table.",
    no_args_is_help=True,
)

CalibrationOpt = Annotated[
    str | None,
    typer.Option(
        "--calibration-end",
        help="Last day of the data the models learn from (default: last order).",
    ),
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", "-b", help="One result per value of an account column, cohort or plan."),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]


def _day(value: str | None, option: str) -> dt.date | None:
    from tandem.errors import UsageError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r}: not a date (YYYY-MM-DD)") from None


def _allowed(fmt: str, command: str, *allowed: Format) -> Format:
    return choose(fmt, allowed, command)


def _knobs(settings: Settings) -> dict[str, Any]:
    return settings.models.model_dump() | {
        "gross_margin": settings.metrics.gross_margin,
        "churn_grace_days": settings.metrics.churn_grace_days,
    }


@contextlib.contextmanager
def _session(workspace: Path) -> Iterator[ReadSession]:
    """A read session on the workspace, closed with it."""
    from tandem.service.workspace import Workspace

    with Workspace(workspace) as ws, ws.read() as session:
        yield session


def _json(data: dict[str, Any]) -> None:
    import json

    json.dump(data, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def _csv(rows: pa.Table) -> None:
    rows.to_pandas().to_csv(sys.stdout, index=False, date_format="%Y-%m-%d", na_rep="")


def _table(title: str, rows: pa.Table, left: tuple[str, ...] = ()) -> None:
    from rich.table import Table

    from tandem.apps.cli.output import console, number

    table = Table(title=title)
    for col in rows.column_names:
        table.add_column(col, justify="left" if col in left else "right")
    for rec in rows.to_pylist():
        table.add_row(*[v if isinstance(v, str) else number(v) for v in rec.values()])
    console().print(table)


def _note(text: str) -> None:
    from tandem.apps.cli.output import console

    console().print(text, style="dim", highlight=False)


@clv.command("fit")
def fit(
    workspace: WorkspaceOpt = Path("."),
    calibration_end: CalibrationOpt = None,
    holdout_end: Annotated[
        str | None,
        typer.Option("--holdout-end", help="Compare the forecast with what happened up to here."),
    ] = None,
    by: ByOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Fit BG/NBD (repeat purchases) and Gamma-Gamma (their value) by maximum likelihood."""
    from tandem.models.clv import ClvRequest, fit_clv
    from tandem.models.export import fits_json

    chosen = _allowed(fmt, "clv fit", Format.TABLE, Format.JSON)
    request = ClvRequest(
        _day(calibration_end, "--calibration-end"), _day(holdout_end, "--holdout-end"), by
    )
    with _session(workspace) as s:
        fits = fit_clv(
            s.table("orders"),
            s.settings.models,
            request,
            today=s.today,
            accounts=s.table("accounts") if by else None,
            subscriptions=s.table("subscriptions") if by else None,
        )
        data = fits_json(fits, _knobs(s.settings))
    if chosen is Format.JSON:
        _json(data)
        return
    _print_fits(data)


def _print_fits(data: dict[str, Any]) -> None:
    import pyarrow as pa

    by = data.get("by")
    groups = data["groups"] if by else [data]

    def g4(value: float) -> str:
        return f"{value:.4g}"

    rows = []
    for g in groups:
        b, v, h = g["bgnbd"], g["gamma_gamma"], g["holdout"]
        rows.append(
            ({by: g[by]} if by else {})
            | {
                "customers": g["customers"],
                "repeat": g["repeat_customers"],
                "r": g4(b["r"]),
                "alpha": g4(b["alpha"]),
                "a": g4(b["a"]),
                "b": g4(b["b"]),
                "LL": f"{b['log_likelihood']:,.1f}",
                "p": g4(v["p"]),
                "q": g4(v["q"]),
                "v": g4(v["v"]),
                "corr": f"{v['value_frequency_correlation']:.2f}",
            }
            | (
                {
                    "holdout actual": h["actual_transactions"],
                    "predicted": f"{h['predicted_transactions']:,.1f}",
                }
                if h
                else {}
            )
        )
    title = f"BG/NBD and Gamma-Gamma, calibrated to {data['calibration_end']}"
    _table(title, pa.Table.from_pylist(rows), left=(by,) if by else ())
    for r in data.get("refused", []):
        _note(f"{r[by] or '(no value)'}: not fitted: {r['reason']}")
    knobs = ", ".join(f"{k}={v}" for k, v in data["knobs"].items())
    _note(f"time unit {data['time_unit_days']:g} days · knobs: {knobs}")


@clv.command("accounts")
def accounts(
    horizon_weeks: Annotated[
        float, typer.Option("--horizon-weeks", help="Weeks ahead the value is counted over.")
    ],
    workspace: WorkspaceOpt = Path("."),
    calibration_end: CalibrationOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Per account: P(alive), expected purchases and value over the horizon, and CLV."""
    from tandem.models.export import predictions_json
    from tandem.models.predictions import account_predictions

    chosen = _allowed(fmt, "clv accounts", Format.TABLE, Format.CSV, Format.JSON)
    with _session(workspace) as s:
        predictions = account_predictions(
            s,
            horizon_weeks=horizon_weeks,
            calibration_end=_day(calibration_end, "--calibration-end"),
        )
        knobs = _knobs(s.settings)
    if chosen is Format.JSON:
        _json(predictions_json(predictions, knobs))
    elif chosen is Format.CSV:
        _csv(predictions.rows)
    else:
        end = predictions.fit.window.calibration_end
        _table(
            f"Predicted value over {horizon_weeks:g} weeks from {end}",
            predictions.rows,
            ("account_id",),
        )
        _note(f"knobs: {', '.join(f'{k}={v}' for k, v in knobs.items())}")


def survival(
    workspace: WorkspaceOpt = Path("."),
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Day the lifetimes are observed on (default: last day with data)."
        ),
    ] = None,
    by: ByOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Kaplan-Meier survival of customers' paid lifetimes, per group with a log-rank test."""
    import pyarrow as pa

    from tandem.models.survival import SurvivalRequest
    from tandem.models.survival import survival as estimate

    chosen = _allowed(fmt, "survival", Format.TABLE, Format.CSV, Format.JSON)
    with _session(workspace) as s:
        result = estimate(
            s.table("subscriptions"),
            s.settings.metrics,
            SurvivalRequest(_day(as_of, "--as-of"), by),
            today=s.today,
            accounts=s.table("accounts") if by else None,
        )
    if chosen is Format.JSON:
        from tandem.models.export import survival_json

        _json(survival_json(result))
        return
    parts = []
    for curve in result.curves:
        rows = curve.rows
        if by:
            rows = rows.add_column(0, by, pa.array([curve.group] * rows.num_rows, pa.string()))
        parts.append(rows)
    rows = pa.concat_tables(parts)
    if chosen is Format.CSV:
        _csv(rows)
        return
    title = f"Customer survival as of {result.as_of} (churn_grace_days={result.churn_grace_days})"
    _table(title, rows, (by,) if by else ())
    for curve in result.curves:
        label = f"{by} {curve.group or '(no value)'}: " if by else ""
        median = f"{curve.median_days:g} days" if curve.median_days is not None else "not reached"
        _note(
            f"{label}{curve.customers:,} customers, {curve.churned:,} churned, "
            f"median lifetime {median}"
        )
    if result.logrank is not None:
        t = result.logrank
        _note(
            f"log-rank test: chi-square {t.statistic:.3f} on {t.degrees_of_freedom} df, "
            f"p = {t.p_value:.4g}"
        )


app.add_typer(clv)
app.command("survival")(survival)
