"""The scorecard in the terminal: Rich tables, status in colour, trends as sparklines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.scorecards.figures import (
    arrow,
    change_verdict,
    component_text,
    delta,
    figure,
    good_news,
    interval_text,
    sparkline,
)
from tandem.scorecards.model import Comparison, Line, Scorecard
from tandem.scorecards.status import Status

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

STYLE = {
    Status.GREEN: "bold green",
    Status.AMBER: "bold yellow",
    Status.RED: "bold red",
    Status.NONE: "dim",
    Status.NO_VALUE: "dim",
}
MARK = {
    Status.GREEN: "● green",
    Status.AMBER: "● amber",
    Status.RED: "● red",
    Status.NONE: "no target",
    Status.NO_VALUE: "no value",
}


def status_text(status: Status) -> Text:
    from rich.text import Text

    return Text(MARK[status], style=STYLE[status])


def print_scorecard(card: Scorecard, console: Console) -> None:
    from rich.rule import Rule

    console.print(
        f"[bold]{card.title}[/] · {card.period.label} ({card.period.start:%d %b} – "
        f"{card.period.end:%d %b %Y}) · {card.scope.label}",
        highlight=False,
    )
    if card.description:
        console.print(card.description, style="dim", highlight=False)
    for section in card.sections:
        console.print(Rule(section.title, align="left"))
        console.print(_section_table(card, section.lines))
        for line in section.lines:
            for text in _footnotes(line, card):
                console.print(f"  {line.name}: {text}", style="dim", highlight=False)
    if card.comparison is not None:
        _print_comparison(card.comparison, card, console)
    _print_views(card, console)
    console.print(
        f"Baseline and trend over {card.grain}s; survey values under "
        f"{card.low_confidence_below} responses are marked low-confidence (⚠); a change marked "
        "* is significant at the 5% level. Source: " + card.source,
        style="dim",
        highlight=False,
    )


def _section_table(card: Scorecard, lines: list[Line]) -> object:
    from rich.table import Table
    from rich.text import Text

    table = Table(expand=False, show_edge=False, pad_edge=False)
    table.add_column("metric", ratio=3, overflow="fold")
    table.add_column(card.period.label, justify="right", no_wrap=True)
    table.add_column(card.previous_period.label, justify="right", no_wrap=True)
    table.add_column("change", justify="right", no_wrap=True)
    table.add_column("baseline", justify="right", no_wrap=True)
    table.add_column("target", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("trend (12)", no_wrap=True)
    table.add_column("teams", overflow="fold")
    for line in lines:
        name = Text(line.name, style="bold")
        name.append(f" ({line.slug})", style="dim")
        if line.components:
            name.append("\n" + component_text(line), style="dim")
        value = Text(figure(line.value, line.unit))
        if line.responses is not None:
            value.append(f"\nn={line.responses:,}", style="dim")
            if line.low_confidence:
                value.append(" ⚠", style="yellow")
        news = good_news(line.change, line.higher_is_better)
        change = Text(
            f"{arrow(line.change, line.higher_is_better)} {delta(line.change, line.unit)}".strip(),
            style="green" if news else ("red" if news is False else ""),
        )
        if line.change_test is not None and line.change_test.significant:
            change.append("*", style="bold")
        baseline = figure(line.baseline.value if line.baseline else None, line.unit)
        table.add_row(
            name,
            value,
            figure(line.previous, line.unit),
            change,
            baseline,
            figure(line.target, line.unit) if line.target is not None else "",
            status_text(line.status),
            sparkline([p.value for p in line.trend]),
            ", ".join(line.teams),
        )
    return table


def _footnotes(line: Line, card: Scorecard) -> list[str]:
    out = []
    if line.value is None and line.company_wide and card.scope.kind != "company":
        out.append("company-wide (costs belong to no account): shown for the whole company only")
    if line.responses is not None:
        parts = [interval_text(line) or (line.interval_note or "")]
        verdict = change_verdict(line)
        if verdict:
            parts.append(f"change {verdict}, {line.change_test.test}")  # type: ignore[union-attr]
        if line.low_confidence:
            parts.append(f"low confidence: {line.responses} responses")
        out.append("; ".join(p for p in parts if p))
    if line.note:
        out.append(line.note)
    return out


def _print_comparison(comparison: Comparison, card: Scorecard, console: Console) -> None:
    from rich.rule import Rule
    from rich.table import Table

    console.print(Rule(f"{comparison.title}, {card.period.label}", align="left"))
    for league in comparison.leagues:
        table = Table(
            title=f"{league.name} — {league.reference_label}: "
            f"{figure(league.reference, league.unit)}",
            title_justify="left",
            show_edge=False,
        )
        table.add_column("#", justify="right")
        table.add_column(comparison.dimension)
        table.add_column(card.period.label, justify="right")
        table.add_column(card.previous_period.label, justify="right")
        table.add_column("status")
        survey = any(e.responses is not None for e in league.entries)
        if survey:
            table.add_column("responses", justify="right")
        for rank, e in enumerate(league.entries, 1):
            cells: list[str | Text] = [
                str(rank) if e.value is not None else "",
                e.label,
                figure(e.value, league.unit),
                figure(e.previous, league.unit),
                status_text(e.status),
            ]
            if survey:
                cells.append(f"{e.responses or 0:,}" + (" ⚠" if e.low_confidence else ""))
            table.add_row(*cells)
        console.print(table)


def _print_views(card: Scorecard, console: Console) -> None:
    from rich.rule import Rule
    from rich.table import Table

    if card.trailing is not None:
        t = card.trailing
        console.print(Rule("Trailing twelve months", align="left"))
        console.print(
            f"{t.first_day} – {t.last_day}: net revenue retention "
            f"{figure(t.net_revenue_retention, 'percent')}, gross revenue retention "
            f"{figure(t.gross_revenue_retention, 'percent')}",
            highlight=False,
        )
    if card.lifetime is not None:
        lv = card.lifetime
        console.print(Rule("Lifetime value", align="left"))
        predicted = (
            f"predicted CLV (BG/NBD × Gamma-Gamma, {lv.horizon_weeks} weeks) "
            f"{figure(lv.predicted_clv, 'currency')} over {lv.accounts_scored:,} accounts "
            "that ordered"
            if lv.refused is None
            else f"predicted CLV: no figure ({lv.refused})"
        )
        console.print(
            f"customer lifetime value (catalog) {figure(lv.simple_clv, 'currency')} · {predicted}",
            highlight=False,
        )
        console.print(lv.note, style="dim", highlight=False)
    if card.waterfall is not None:
        console.print(Rule(f"MRR movements, {card.period.label}", align="left"))
        table = Table(show_edge=False, show_header=False)
        table.add_column("step")
        table.add_column("amount", justify="right")
        for step in card.waterfall.steps:
            sign = {"increase": "+", "decrease": "−", "total": ""}[step.kind]
            style = "bold" if step.kind == "total" else ""
            table.add_row(step.label, f"{sign}{step.amount:,.0f}", style=style)
        console.print(table)
    if card.cohorts is not None and card.cohorts.rows:
        for title, attr in (
            ("Logo retention by signup month (% of the cohort's customers)", "logo"),
            ("Revenue retention by signup month (% of the cohort's month-0 MRR)", "revenue"),
        ):
            console.print(Rule(title, align="left"))
            table = Table(show_edge=False)
            table.add_column("cohort")
            table.add_column("size", justify="right")
            for k in card.cohorts.months:
                table.add_column(f"M{k}", justify="right")
            for row in card.cohorts.rows:
                cells = getattr(row, attr)
                table.add_row(
                    row.cohort, f"{row.size:,}", *("" if v is None else f"{v:.0f}" for v in cells)
                )
            console.print(table)
