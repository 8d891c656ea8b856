"""The views of each result: its JSON document, its rows, its terminal table.

Everything here formats typed results from the service; nothing computes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tandem.apps.cli.output import console, number, plain, records

if TYPE_CHECKING:
    import pandas as pd

    from tandem.semantic.types import Unit
    from tandem.service import Explanation, LoadReport, MetricResult
    from tandem.service.info import MetricInfo, WorkspaceStatus
    from tandem.service.summary import Summary

# -- metric results -----------------------------------------------------------------------


def result_json(result: MetricResult) -> dict[str, Any]:
    m = result.metric
    return {
        "metric": m.slug,
        "name": m.name,
        "unit": m.unit.value,
        "direction": m.direction.value,
        "grain": result.grain.value,
        "dimensions": list(result.dimensions),
        "fingerprint": result.fingerprint,
        "knobs": {k: plain(v) for k, v in result.knobs.items()},
        "definition": m.description,
        "warnings": [str(w) for w in result.warnings],
        "rows": records(result.rows),
    }


def result_rows(result: MetricResult) -> pd.DataFrame:
    rows = result.rows.copy()
    rows["fingerprint"] = result.fingerprint
    return rows


def result_table(result: MetricResult) -> None:
    from rich.table import Table

    m = result.metric
    table = Table(title=f"{m.name} ({m.slug}) · {m.unit.value} · {m.direction.value}")
    for col in result.rows.columns:
        table.add_column(col, justify="left" if col in ("period", *result.dimensions) else "right")
    for rec in result.rows.itertuples(index=False):
        table.add_row(*[number(v) for v in rec])
    out = console()
    out.print(table)
    knobs = ", ".join(f"{k}={plain(v)}" for k, v in result.knobs.items()) or "none"
    out.print(f"definitions {result.fingerprint} · knobs: {knobs}", style="dim")


# -- explanations -------------------------------------------------------------------------


def explanation_json(e: Explanation, show_sql: bool) -> dict[str, Any]:
    return {
        "metric": e.metric.slug,
        "period": {"start": e.period.start.isoformat(), "end": e.period.end.isoformat()},
        "fingerprint": e.result.fingerprint,
        "result": records(e.result.rows)[0],
        "sources": [
            {
                "source": s.source,
                "description": s.description,
                "measures": list(s.measures),
                "total_rows": s.total,
                "rows": records(s.rows),
                **({"sql": s.sql} if show_sql else {}),
            }
            for s in e.sources
        ],
    }


def explanation_rows(e: Explanation) -> pd.DataFrame:
    """The rows behind every source, one table: a ``source`` column, then each source's."""
    import pandas as pd

    parts = [s.rows.assign(source=s.source)[["source", *s.rows.columns]] for s in e.sources]
    if not parts:
        return pd.DataFrame({"source": []})
    out = pd.concat(parts, ignore_index=True)
    out["fingerprint"] = e.result.fingerprint
    return out


def explanation_table(e: Explanation, show_sql: bool) -> None:
    from rich.table import Table

    out = console()
    m = e.metric
    row = e.result.rows.iloc[0]
    out.print(
        f"[bold]{m.name}[/] ({m.slug}) for {e.period.start} – {e.period.end}: "
        f"[bold]{number(row['value']) or 'no value'}[/]"
    )
    out.print(m.description)
    parts = [
        f"{c} = {number(row[c])}"
        for c in e.result.rows.columns
        if c not in ("period", "value", *e.result.dimensions)
    ]
    out.print("Components: " + "; ".join(parts))
    for s in e.sources:
        counted = "1 row" if s.total == 1 else f"{s.total:,} rows"
        title = f"{s.source}: {s.description} ({counted} counted"
        title += f", first {len(s.rows):,} shown)" if len(s.rows) < s.total else ")"
        table = Table(title=title, title_justify="left")
        for col in s.rows.columns:
            table.add_column(col, style="bold" if col in s.measures else None)
        for rec in s.rows.itertuples(index=False):
            table.add_row(*[number(v) for v in rec])
        out.print(table)
        if show_sql:
            out.print(f"-- SQL for {s.source}\n{s.sql}", highlight=False, markup=False)
    out.print(f"definitions {e.result.fingerprint}", style="dim")


# -- the catalog ----------------------------------------------------------------------------


def catalog_rows(infos: list[MetricInfo]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "slug": i.slug,
                "name": i.name,
                "unit": i.unit,
                "direction": i.direction,
                "teams": ", ".join(i.teams),
                "formula": i.formula,
                "definition": i.definition,
                "knobs": "; ".join(f"{k}={plain(v)}" for k, v in i.knobs.items()),
                "fingerprint": i.fingerprint,
            }
            for i in infos
        ]
    )


def catalog_table(infos: list[MetricInfo]) -> None:
    """Every slug in full (never cut, whatever the width), with what it measures."""
    from rich.table import Table

    table = Table(title=f"Tandem metric catalog ({len(infos)} metrics)", title_justify="left")
    table.add_column("slug", no_wrap=True, overflow="ignore")
    table.add_column("metric", ratio=1)
    table.add_column("unit")
    table.add_column("better")
    for i in infos:
        table.add_row(i.slug, i.name, i.unit, i.direction.split(" ")[0])
    out = console()
    out.print(table)
    out.print("One metric in full: tandem metrics SLUG", style="dim")


def metric_detail(info: MetricInfo) -> None:
    out = console()
    out.print(f"[bold]{info.name}[/] ({info.slug}) · {info.unit} · {info.direction}")
    out.print(info.definition)
    out.print(f"Formula: {info.formula}", highlight=False)
    out.print(f"Components: {', '.join(info.components)}", highlight=False)
    if info.uses:
        out.print(f"Derived from: {', '.join(info.uses)}", highlight=False)
    knobs = "; ".join(f"{k} = {plain(v)}" for k, v in info.knobs.items()) or "none"
    out.print(f"Knobs in force: {knobs}", highlight=False)
    if info.dimensions:
        out.print(f"Its own dimensions: {', '.join(info.dimensions)}", highlight=False)
    out.print(f"Accountable: {', '.join(info.teams)}", highlight=False)
    if info.company_wide:
        out.print("Company-wide: no value when cut by a dimension.")
    out.print(f"definitions {info.fingerprint}", style="dim")


# -- workspace ------------------------------------------------------------------------------


def status_rows(status: WorkspaceStatus) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"table": list(status.rows), "rows": list(status.rows.values())})


def status_table(status: WorkspaceStatus) -> None:
    from rich.table import Table

    table = Table("table", "rows", title=f"Workspace {status.path} ({status.backend})")
    for name, n in status.rows.items():
        table.add_row(name, f"{n:,}")
    out = console()
    out.print(table)
    if status.first_day is not None:
        out.print(f"Data from {status.first_day} to {status.last_day}.", highlight=False)
    if status.last_loaded_at is not None:
        out.print(f"Last load: {status.last_loaded_at:%Y-%m-%d %H:%M} UTC.", highlight=False)


def load_json(report: LoadReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "tables": [
            {
                "table": t.table,
                "rows": t.rows,
                "new": t.new,
                "updated": t.updated,
                "unchanged": t.unchanged,
                "deleted": t.deleted,
            }
            for t in report.tables
        ],
        "files": [
            {"file": f.name, "read_as": f.source, "table": f.table, "rows": f.rows}
            for f in report.files
        ],
        "skipped": list(report.skipped),
        "rows": report.rows,
        "seconds": round(report.seconds, 3),
    }


def load_rows(report: LoadReport) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(load_json(report)["tables"])


def load_table(report: LoadReport) -> None:
    """The outcome of a load: rows per table; per file, what it was read as."""
    from rich.table import Table

    from tandem.service import BUILT

    out = console()
    if any(f.source is not None for f in report.files):
        files = Table("file", "read as", "table", "rows", title="Files")
        for f in report.files:
            table = "→ billing history" if f.table.startswith("billing_") else f.table
            files.add_row(f.name, f.source or "", table, f"{f.rows:,}")
        out.print(files)
    title = "Would load (dry run: nothing changed)" if report.dry_run else "Loaded"
    headers = ["table", "rows", "new", "updated", "unchanged"]
    deleting = bool(report.replaced) or any(t.deleted for t in report.tables)
    if deleting:
        headers.append("deleted")
    summary = Table(*headers, title=title)
    for t in report.tables:
        numbers = [t.rows, t.new, t.updated, t.unchanged] + ([t.deleted] if deleting else [])
        summary.add_row(t.table, *(f"{n:,}" for n in numbers))
    out.print(summary)
    for note in report.skipped:
        out.print(f"skipped {note}", highlight=False, soft_wrap=True)
    read = {f.name for f in report.files if f.source != BUILT}
    out.print(
        f"{report.rows:,} rows from {len(read)} files in {report.seconds:.2f} s "
        f"({report.rows_per_second:,.0f} rows/s)",
        highlight=False,
    )


# -- the summary ----------------------------------------------------------------------------


def summary_rows(summary: Summary) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([h.to_json() for h in summary.headlines])


def summary_table(summary: Summary) -> None:
    from rich.table import Table

    out = console()
    loaded = ", ".join(f"{n:,} {t}" for t, n in summary.rows.items() if n)
    out.print(f"[bold]Loaded:[/] {loaded or 'nothing yet'}")
    if not summary.headlines or summary.period is None:
        return
    table = Table(
        "metric",
        "previous",
        f"{summary.period:%B %Y}",
        "change",
        title="Headline figures",
        title_justify="left",
    )
    for h in summary.headlines:
        arrow = ""
        if h.change is not None and h.change != 0:
            arrow = "▲" if h.change > 0 else "▼"
        style = {True: "green", False: "red", None: ""}[h.good_news]
        change = "" if h.change is None else f"{arrow} {change_text(abs(h.change), h.unit)}"
        label = f"{h.name} ({h.slug})" + (f" · {h.window}" if h.window else "")
        table.add_row(
            label,
            figure(h.previous, h.unit),
            figure(h.current, h.unit),
            f"[{style}]{change}[/]" if style else change,
        )
    out.print(table)
    for note in summary.notes:
        out.print(note, style="dim", highlight=False)
    out.print("Explain any number: tandem explain SLUG --period YYYY-MM", style="dim")


def figure(value: float | None, unit: Unit) -> str:
    """A headline figure; no value shows as a dash."""
    from tandem.semantic.types import Unit

    if value is None:
        return "—"
    match unit:
        case Unit.PERCENT:
            return f"{value:.1f}%"
        case Unit.CURRENCY | Unit.COUNT:
            return f"{value:,.0f}"
        case Unit.SCORE:
            return f"{value:.1f}"
        case _:
            return f"{value:,.2f}"


def change_text(delta: float, unit: Unit) -> str:
    """A difference between two figures: percentages differ by percentage points."""
    from tandem.semantic.types import Unit

    if unit is Unit.PERCENT:
        return f"{delta:.1f} pts"
    return figure(delta, unit)
