"""The XLSX workbook opened with openpyxl: sheets, numbers as numbers, status formats."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tandem.scorecards.model import Scorecard
from tandem.scorecards.render_xlsx import COLUMNS, render_xlsx


@pytest.fixture(scope="module")
def book(compared: Scorecard) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(compared)))


def _rows(sheet: object, header_row: int = 2) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))  # type: ignore[attr-defined]
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def test_one_sheet_per_section_then_the_views(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [
        "Overview",
        "Customers",
        "Revenue",
        "Components",
        "Cohorts",
        "By CSM",
    ]


def test_cells_are_numbers_with_formats(book: openpyxl.Workbook) -> None:
    """Customers sheet, March 2026 (hand-worked in tests/scorecards/conftest.py)."""
    sheet = book["Customers"]
    assert [c.value for c in sheet[2]][: len(COLUMNS)] == [name for name, _ in COLUMNS]
    rows = {r["Slug"]: r for r in _rows(sheet)}
    assert list(rows) == [
        "customers",
        "new_customers",
        "churned_customers",
        "customer_churn_rate",
        "nps",
    ]  # nps is listed four times; the dict keeps the last
    churn = rows["customer_churn_rate"]
    assert churn["Value"] == 25.0 and churn["Previous"] == 0.0 and churn["Target"] == 5.0
    assert churn["Status"] == "red"
    assert rows["customers"]["Value"] == 4
    churn_row = 2 + 4
    assert sheet.cell(row=churn_row, column=5).value == 25.0
    assert sheet.cell(row=churn_row, column=5).number_format == '0.0"%"'
    assert sheet.cell(row=churn_row, column=7).value == 25.0  # the change, in points
    assert sheet.cell(row=churn_row, column=7).number_format == '+0.0" pts";-0.0" pts";0.0" pts"'
    assert sheet.cell(row=3, column=5).number_format == "#,##0"
    nps_row = 2 + 5
    assert sheet.cell(row=nps_row, column=5).value == 40.0
    assert sheet.cell(row=nps_row, column=13).value == 5  # responses
    assert sheet.cell(row=nps_row, column=16).value is True  # low confidence
    trend = [
        sheet.cell(row=nps_row, column=c).value for c in range(len(COLUMNS) + 1, len(COLUMNS) + 13)
    ]
    assert trend == [None] * 8 + [-100.0, 100.0, 0.0, 40.0]
    assert sheet.cell(row=2, column=len(COLUMNS) + 12).value == "Trend 2026-03"


def test_status_is_conditional_formatting(book: openpyxl.Workbook) -> None:
    sheet = book["Revenue"]
    rules = {
        str(rng.sqref): [r.formula[0] for r in rng.rules] for rng in sheet.conditional_formatting
    }
    last = 2 + 5
    assert rules[f"L3:L{last}"] == ['"green"', '"amber"', '"red"']
    assert rules[f"E3:E{last}"] == ['$L3="green"', '$L3="amber"', '$L3="red"']
    fills = [r.dxf.fill.fgColor.rgb for r in sheet.conditional_formatting[f"L3:L{last}"]]
    assert [f[-6:] for f in fills] == ["C6EFCE", "FFEB9C", "FFC7CE"]
    statuses = {r["Slug"]: r["Status"] for r in _rows(sheet)}
    assert statuses["net_revenue_retention"] == "amber"


def test_views_and_league_sheets(book: openpyxl.Workbook) -> None:
    overview = {r[0]: r[1] for r in book["Overview"].iter_rows(values_only=True) if r[0]}
    assert overview["Opening MRR"] == 680 and overview["Churn"] == -200
    assert overview["Closing MRR"] == 670
    cohorts = list(book["Cohorts"].iter_rows(values_only=True))
    feb = next(r for r in cohorts if r[0] == "2026-02")
    assert feb[:5] == ("2026-02", 2, 80, 50, 50)
    league = [r for r in _rows(book["By CSM"], header_row=1) if r["Slug"] == "customers"]
    assert sum(r["Value"] for r in league) == 4  # type: ignore[misc]
    assert {r["CSM"] for r in league} == {"Ada", "Bo", "(none)"}
