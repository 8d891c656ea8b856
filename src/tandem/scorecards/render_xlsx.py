"""The scorecard as an XLSX workbook: one sheet per section, numbers as numbers.

Each section sheet has one row per metric: values as numbers with a number format
for their unit (percentages stay 0-100, shown with a % sign), the status as text
coloured by conditional formatting (so a changed status cell recolours itself),
the trend as one column per period. An Overview sheet holds the header, the
trailing-twelve-month retention and the MRR waterfall; Components, Cohorts and,
when comparing, a league sheet follow.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from tandem.scorecards.model import Scorecard
from tandem.scorecards.scopes import TITLE

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

NUMBER_FORMATS = {
    "percent": '0.0"%"',
    "currency": "#,##0",
    "count": "#,##0",
    "days": '0.0" d"',
    "months": '0.0" mo"',
    "score": "0.00",
    "ratio": "0.00",
    "per customer-day": "0.00",
    "minutes per customer-day": '0.0" min"',
}
#: A change of a percentage is in points, with its sign.
POINTS = '+0.0" pts";-0.0" pts";0.0" pts"'
FILLS = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
FONTS = {"green": "006100", "amber": "7F6000", "red": "9C0006"}

COLUMNS = [
    ("Metric", 30),
    ("Slug", 26),
    ("Unit", 11),
    ("Teams", 22),
    ("Value", 12),
    ("Previous", 12),
    ("Change", 11),
    ("Baseline", 12),
    ("Baseline is", 30),
    ("Target", 11),
    ("Rule", 34),
    ("Status", 10),
    ("Responses", 10),
    ("CI low", 10),
    ("CI high", 10),
    ("Low confidence", 10),
    ("Change p-value", 10),
    ("Change significant", 10),
    ("Note", 40),
]
NUMERIC = {"Value", "Previous", "Change", "Baseline", "Target", "CI low", "CI high"}


def _sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" {n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _status_rules(ws: Worksheet, status_range: str, value_ranges: list[str], anchor: str) -> None:
    """Colour the status cells, and the value cells by the status in their row."""
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import Font, PatternFill

    for status, colour in FILLS.items():
        fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
        font = Font(color=FONTS[status], bold=True)
        ws.conditional_formatting.add(
            status_range,
            CellIsRule(operator="equal", formula=[f'"{status}"'], fill=fill, font=font),
        )
        for rng in value_ranges:
            ws.conditional_formatting.add(
                rng, FormulaRule(formula=[f'{anchor}="{status}"'], fill=fill)
            )


def _header(ws: Worksheet, row: int, names: list[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for col, name in enumerate(names, 1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill(start_color="24292F", end_color="24292F", fill_type="solid")
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def render_xlsx(card: Scorecard) -> bytes:
    """The workbook's bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    taken: set[str] = set()
    overview = wb.active
    assert overview is not None
    overview.title = _sheet_name("Overview", taken)
    _overview(overview, card)

    trend_labels = [p.label for p in card.lines[0].trend] if card.lines else []
    status_col = [c for c, _ in COLUMNS].index("Status") + 1
    for section in card.sections:
        ws = wb.create_sheet(_sheet_name(section.title, taken))
        ws.cell(
            row=1, column=1, value=f"{section.title} · {card.period.label} · {card.scope.label}"
        )
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        names = [c for c, _ in COLUMNS] + [f"Trend {t}" for t in trend_labels]
        _header(ws, 2, names)
        for i, line in enumerate(section.lines, 3):
            ci = line.interval
            test = line.change_test
            values: list[Any] = [
                line.name,
                line.slug,
                line.unit,
                ", ".join(line.teams),
                line.value,
                line.previous,
                line.change,
                line.baseline.value if line.baseline else None,
                line.baseline.label if line.baseline else None,
                line.target,
                line.rule,
                line.status.value,
                line.responses,
                ci.low if ci else None,
                ci.high if ci else None,
                line.low_confidence if line.responses is not None else None,
                test.p_value if test else None,
                test.significant if test else None,
                line.note,
            ] + [p.value for p in line.trend]
            fmt = NUMBER_FORMATS.get(line.unit, "0.00")
            for col, value in enumerate(values, 1):
                cell = ws.cell(row=i, column=col, value=value)
                name = names[col - 1]
                if name == "Change" and line.unit == "percent":
                    cell.number_format = POINTS
                elif name in NUMERIC or name.startswith("Trend "):
                    cell.number_format = fmt
                elif name == "Change p-value":
                    cell.number_format = "0.000"
                elif name == "Responses":
                    cell.number_format = "#,##0"
        last = 2 + len(section.lines)
        status_letter = get_column_letter(status_col)
        _status_rules(
            ws,
            f"{status_letter}3:{status_letter}{last}",
            [f"E3:E{last}"],
            f"${status_letter}3",
        )
        for col, (_, width) in enumerate(COLUMNS, 1):
            ws.column_dimensions[get_column_letter(col)].width = width
        for col in range(len(COLUMNS) + 1, len(names) + 1):
            ws.column_dimensions[get_column_letter(col)].width = 11
        ws.freeze_panes = "B3"
        ws.auto_filter.ref = f"A2:{get_column_letter(len(names))}{last}"

    _components(wb.create_sheet(_sheet_name("Components", taken)), card)
    if card.cohorts is not None and card.cohorts.rows:
        _cohorts(wb.create_sheet(_sheet_name("Cohorts", taken)), card)
    if card.comparison is not None:
        _leagues(wb.create_sheet(_sheet_name(card.comparison.title, taken)), card)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _overview(ws: Worksheet, card: Scorecard) -> None:
    from openpyxl.styles import Font

    rows: list[tuple[str, Any]] = [
        ("Scorecard", card.title),
        ("Period", card.period.label),
        ("First day", card.period.start),
        ("Last day", card.period.end),
        ("Compared with", card.previous_period.label),
        ("Scope", card.scope.label),
        ("Computed on", card.computed_on),
        ("Definition", card.source),
        ("Low confidence below (responses)", card.low_confidence_below),
    ]
    ws.cell(row=1, column=1, value=card.title).font = Font(bold=True, size=14)
    for i, (k, v) in enumerate(rows, 3):
        ws.cell(row=i, column=1, value=k).font = Font(bold=True)
        cell = ws.cell(row=i, column=2, value=v)
        if hasattr(v, "isoformat"):
            cell.number_format = "yyyy-mm-dd"
    row = len(rows) + 4
    if card.trailing is not None:
        ws.cell(row=row, column=1, value="Trailing twelve months").font = Font(bold=True, size=12)
        row += 1
        for label, value in (
            ("Net revenue retention", card.trailing.net_revenue_retention),
            ("Gross revenue retention", card.trailing.gross_revenue_retention),
        ):
            ws.cell(row=row, column=1, value=label)
            ws.cell(row=row, column=2, value=value).number_format = NUMBER_FORMATS["percent"]
            row += 1
        row += 1
    if card.lifetime is not None:
        lv = card.lifetime
        ws.cell(row=row, column=1, value="Lifetime value").font = Font(bold=True, size=12)
        row += 1
        for label, value in (
            ("Customer lifetime value (catalog)", lv.simple_clv),
            (f"Predicted CLV, {lv.horizon_weeks} weeks (mean)", lv.predicted_clv),
        ):
            ws.cell(row=row, column=1, value=label)
            ws.cell(row=row, column=2, value=value).number_format = NUMBER_FORMATS["currency"]
            row += 1
        ws.cell(row=row, column=1, value=lv.refused or lv.note)
        row += 2
    if card.waterfall is not None:
        ws.cell(row=row, column=1, value=f"MRR movements, {card.period.label}").font = Font(
            bold=True, size=12
        )
        row += 1
        for step in card.waterfall.steps:
            sign = -1 if step.kind == "decrease" else 1
            ws.cell(row=row, column=1, value=step.label)
            ws.cell(row=row, column=2, value=sign * step.amount).number_format = '#,##0;"−"#,##0'
            if step.kind == "total":
                ws.cell(row=row, column=1).font = Font(bold=True)
            row += 1
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 40


def _components(ws: Worksheet, card: Scorecard) -> None:
    _header(ws, 1, ["Section", "Metric", "Slug", "Component", "Value"])
    row = 2
    for section in card.sections:
        for line in section.lines:
            for name, value in line.components.items():
                for col, v in enumerate((section.title, line.name, line.slug, name, value), 1):
                    ws.cell(row=row, column=col, value=v)
                ws.cell(row=row, column=5).number_format = "#,##0.####"
                row += 1
    for letter, width in zip("ABCDE", (24, 30, 26, 34, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:E{max(row - 1, 1)}"


def _cohorts(ws: Worksheet, card: Scorecard) -> None:
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    assert card.cohorts is not None
    months = card.cohorts.months
    row = 1
    for title, attr in (
        ("Logo retention: % of the cohort still customers", "logo"),
        ("Revenue retention: MRR as % of the cohort's month-0 MRR", "revenue"),
    ):
        ws.cell(row=row, column=1, value=title).font = Font(bold=True, size=12)
        _header(ws, row + 1, ["Cohort", "Size", "Month-0 MRR", *(f"M{k}" for k in months)])
        first = row + 2
        for i, cohort in enumerate(card.cohorts.rows):
            r = first + i
            ws.cell(row=r, column=1, value=cohort.cohort)
            ws.cell(row=r, column=2, value=cohort.size).number_format = "#,##0"
            ws.cell(row=r, column=3, value=cohort.start_mrr).number_format = "#,##0"
            for k, value in enumerate(getattr(cohort, attr)):
                ws.cell(row=r, column=4 + k, value=value).number_format = '0"%"'
        last = first + len(card.cohorts.rows) - 1
        cells = f"D{first}:{get_column_letter(3 + len(months))}{last}"
        ws.conditional_formatting.add(
            cells,
            ColorScaleRule(
                start_type="num",
                start_value=60,
                start_color="F8696B",
                mid_type="num",
                mid_value=85,
                mid_color="FFEB84",
                end_type="num",
                end_value=100,
                end_color="63BE7B",
            ),
        )
        row = last + 3
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["C"].width = 13


def _leagues(ws: Worksheet, card: Scorecard) -> None:
    from openpyxl.utils import get_column_letter

    assert card.comparison is not None
    who = TITLE[card.comparison.dimension]
    names = [
        "Metric",
        "Slug",
        "Rank",
        who,
        "Key",
        "Value",
        "Previous",
        "Status",
        "Responses",
        "Low confidence",
        f"{card.scope.label} value",
    ]
    _header(ws, 1, names)
    row = 2
    for league in card.comparison.leagues:
        fmt = NUMBER_FORMATS.get(league.unit, "0.00")
        for rank, e in enumerate(league.entries, 1):
            values: list[Any] = [
                league.name,
                league.slug,
                rank if e.value is not None else None,
                e.label,
                e.key,
                e.value,
                e.previous,
                e.status.value,
                e.responses,
                e.low_confidence if e.responses is not None else None,
                league.reference,
            ]
            for col, value in enumerate(values, 1):
                cell = ws.cell(row=row, column=col, value=value)
                if names[col - 1] in ("Value", "Previous") or col == len(names):
                    cell.number_format = fmt
            row += 1
    last = max(row - 1, 2)
    _status_rules(ws, f"H2:H{last}", [f"F2:F{last}"], "$H2")
    for col, width in enumerate((28, 26, 6, 24, 12, 12, 12, 10, 10, 10, 16), 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(names))}{last}"
