"""Writing metric results and explanations as table, CSV, JSON or Parquet.

Every format names the definitions a number was computed with: CSV and
Parquet carry a trailing ``fingerprint`` column, JSON a header object, the
table a footer line.
"""

from __future__ import annotations

import enum
import io
import json
import math
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from tandem.engine.explain import Explanation
    from tandem.engine.query import MetricResult
    from tandem.semantic.catalog import Catalog
    from tandem.semantic.types import Unit
    from tandem.service.summary import Headline
    from tandem.settings import MetricSettings


class Format(enum.StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in rec.items()} for rec in rows.to_dict("records")]


def result_frame(result: MetricResult) -> pd.DataFrame:
    rows = result.rows.copy()
    rows["fingerprint"] = result.fingerprint
    return rows


def write_csv(rows: pd.DataFrame, out: TextIO) -> None:
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, date_format="%Y-%m-%d", na_rep="")
    out.write(buffer.getvalue())


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
        "knobs": {
            k: _plain(list(v) if isinstance(v, tuple) else v) for k, v in result.knobs.items()
        },
        "definition": m.description,
        "rows": _records(result.rows),
    }


def write_result(result: MetricResult, fmt: Format, out: TextIO | None, path: str | None) -> None:
    """Write one metric result to ``out`` (or ``path`` for Parquet)."""
    match fmt:
        case Format.CSV:
            assert out is not None
            write_csv(result_frame(result), out)
        case Format.JSON:
            assert out is not None
            json.dump(result_json(result), out, indent=2, default=str)
            out.write("\n")
        case Format.PARQUET:
            import pyarrow as pa
            import pyarrow.parquet as pq

            if path is None:
                from tandem.errors import UsageError

                raise UsageError("--format parquet needs --output FILE")
            table = pa.Table.from_pandas(result_frame(result), preserve_index=False)
            meta = {b"tandem": json.dumps(result_json(result) | {"rows": None}).encode()}
            pq.write_table(table.replace_schema_metadata(meta), path)
        case Format.TABLE:
            _print_table(result)


def _number(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _print_table(result: MetricResult) -> None:
    from rich.table import Table

    m = result.metric
    table = Table(title=f"{m.name} ({m.slug}) · {m.unit.value} · {m.direction.value}")
    for col in result.rows.columns:
        table.add_column(col, justify="left" if col in ("period", *result.dimensions) else "right")
    for rec in result.rows.itertuples(index=False):
        table.add_row(*[_number(v) if v is not None else "" for v in rec])
    console = _console()
    console.print(table)
    knobs = ", ".join(f"{k}={_plain(v)}" for k, v in result.knobs.items()) or "none"
    console.print(f"definitions {result.fingerprint} · knobs: {knobs}", style="dim")


def _console() -> Console:
    """A console as wide as the terminal, or 160 columns when the output is a file or pipe."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    return console


def print_explanation(e: Explanation, show_sql: bool) -> None:
    from rich.table import Table

    console = _console()
    m = e.metric
    row = e.result.rows.iloc[0]
    console.print(
        f"[bold]{m.name}[/] ({m.slug}) for {e.period.start} – {e.period.end}: "
        f"[bold]{_number(row['value']) or 'no value'}[/]"
    )
    console.print(m.description)
    parts = [
        f"{c} = {_number(row[c])}"
        for c in e.result.rows.columns
        if c not in ("period", "value", *e.result.dimensions)
    ]
    console.print("Components: " + "; ".join(parts))
    for s in e.sources:
        counted = "1 row" if s.total == 1 else f"{s.total:,} rows"
        title = f"{s.source}: {s.description} ({counted} counted"
        title += f", first {len(s.rows):,} shown)" if len(s.rows) < s.total else ")"
        table = Table(title=title, title_justify="left")
        for col in s.rows.columns:
            style = "bold" if col in s.measures else None
            table.add_column(col, style=style)
        for rec in s.rows.itertuples(index=False):
            table.add_row(*[_number(v) for v in rec])
        console.print(table)
        if show_sql:
            console.print(f"-- SQL for {s.source}\n{s.sql}", highlight=False, markup=False)
    console.print(f"definitions {e.result.fingerprint}", style="dim")


def explanation_json(e: Explanation, show_sql: bool) -> dict[str, Any]:
    return {
        "metric": e.metric.slug,
        "period": {"start": e.period.start.isoformat(), "end": e.period.end.isoformat()},
        "fingerprint": e.result.fingerprint,
        "result": _records(e.result.rows)[0],
        "sources": [
            {
                "source": s.source,
                "description": s.description,
                "measures": list(s.measures),
                "total_rows": s.total,
                "rows": _records(s.rows),
                **({"sql": s.sql} if show_sql else {}),
            }
            for s in e.sources
        ],
    }


def catalog_json(catalog: Catalog, knobs: MetricSettings, dialect: str) -> list[dict[str, Any]]:
    from tandem.engine.fingerprint import metric_fingerprint

    metrics = list(catalog)

    return [
        {
            "slug": m.slug,
            "name": m.name,
            "unit": m.unit.value,
            "direction": m.direction.value,
            "teams": [t.value for t in m.teams],
            "definition": m.description,
            "components": catalog.needed_measures(m) + [name for name, _ in m.extras],
            "uses": list(catalog.uses(m)),
            "knobs": {k: _plain(_listed(getattr(knobs, k))) for k in catalog.knobs_of(m)},
            "company_wide": m.company_wide,
            "seeds": list(m.seeds),
            "fingerprint": metric_fingerprint(catalog, m, knobs, dialect),
        }
        for m in metrics
    ]


def _listed(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def print_catalog(catalog: Catalog, knobs: MetricSettings, dialect: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "slug",
        "unit",
        "better",
        "teams",
        "definition",
        "knobs in force",
        title=f"Tandem metric catalog ({len(catalog)} metrics)",
        show_lines=True,
    )
    for item in catalog_json(catalog, knobs, dialect):
        table.add_row(
            item["slug"],
            item["unit"],
            item["direction"].split(" ")[0],
            ", ".join(item["teams"]),
            item["definition"],
            "\n".join(f"{k} = {v}" for k, v in item["knobs"].items()),
        )
    Console().print(table)


def _figure(value: float | None, unit: Unit) -> str:
    from tandem.semantic.types import Unit

    if value is None:
        return "—"
    match unit:
        case Unit.PERCENT:
            return f"{value:.1f}%"
        case Unit.CURRENCY:
            return f"{value:,.0f}"
        case Unit.COUNT:
            return f"{value:,.0f}"
        case Unit.SCORE:
            return f"{value:.1f}"
        case _:
            return f"{value:,.2f}"


def _change(delta: float, unit: Unit) -> str:
    """A difference between two figures: percentages differ by percentage points."""
    from tandem.semantic.types import Unit

    if unit is Unit.PERCENT:
        return f"{delta:.1f} pts"
    return _figure(delta, unit)


def print_summary(counts: dict[str, int], lines: list[Headline]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    loaded = ", ".join(f"{n:,} {t}" for t, n in counts.items() if n)
    console.print(f"[bold]Loaded:[/] {loaded or 'nothing yet'}")
    if not lines:
        return
    period = lines[0].period
    table = Table(
        "metric",
        "previous",
        f"{period:%B %Y}",
        "change",
        title="Headline figures",
        title_justify="left",
    )
    for h in lines:
        arrow = ""
        if h.change is not None and h.change != 0:
            arrow = "▲" if h.change > 0 else "▼"
        style = {True: "green", False: "red", None: ""}[h.good_news]
        change = "" if h.change is None else f"{arrow} {_change(abs(h.change), h.unit)}"
        table.add_row(
            f"{h.name} ({h.slug})",
            _figure(h.previous, h.unit),
            _figure(h.current, h.unit),
            f"[{style}]{change}[/]" if style else change,
        )
    console.print(table)
    console.print("Explain any number: tandem explain SLUG --period YYYY-MM", style="dim")
