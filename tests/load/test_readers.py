"""Each format lands the same rows, and issues carry the row number a user sees."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tandem.service.workspace import Workspace
from tests.load.files import refused, rows, write

ACCOUNTS = """
    account_id,name,segment,created_at,Health Tier
    A-1,Acme,SMB,2024-01-01,gold
    A-2,"Beta, Inc.",,2024-02-01T10:00:00+02:00,
    """
HEADERS = [
    "deal_id",
    "account_id",
    "type",
    "created_at",
    "closed_at",
    "outcome",
    "amount",
    "qualified",
]
DEALS: list[list[Any]] = [
    [
        "D-1",
        "A-1",
        "upsell",
        dt.datetime(2024, 1, 5, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
        "won",
        1200.5,
        True,
    ],
    ["D-2", "A-2", "renewal", dt.datetime(2024, 3, 1, tzinfo=dt.UTC), None, "open", None, False],
    [
        "D-3",
        "A-1",
        "new_business",
        dt.datetime(2024, 3, 2, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2024, 4, 1, 12, tzinfo=dt.UTC),
        "lost",
        0.0,
        True,
    ],
]
EXPECTED = [
    (
        "D-1",
        "A-1",
        None,
        "upsell",
        dt.datetime(2024, 1, 5, 9, 30),
        dt.datetime(2024, 2, 1),
        "won",
        1200.5,
        True,
    ),
    ("D-2", "A-2", None, "renewal", dt.datetime(2024, 3, 1), None, "open", None, False),
    (
        "D-3",
        "A-1",
        None,
        "new_business",
        dt.datetime(2024, 3, 2, 23, 59, 59),
        dt.datetime(2024, 4, 1, 12),
        "lost",
        0.0,
        True,
    ),
]


def _csv(folder: Path) -> Path:
    return write(
        folder / "deals.csv",
        """
        deal_id,account_id,type,created_at,closed_at,outcome,amount,qualified
        D-1,A-1,upsell,2024-01-05T09:30:00Z,2024-02-01,won,1200.50,true
        D-2,A-2,renewal,2024-03-01,,open,,no
        D-3,A-1,new_business,2024-03-03T01:59:59+02:00,2024-04-01T12:00:00Z,lost,0,1
        """,
    )


def _jsonl(folder: Path) -> Path:
    records = [
        {
            "deal_id": "D-1",
            "account_id": "A-1",
            "type": "upsell",
            "created_at": "2024-01-05T09:30:00Z",
            "closed_at": "2024-02-01",
            "outcome": "won",
            "amount": 1200.5,
            "qualified": True,
        },
        {
            "deal_id": "D-2",
            "account_id": "A-2",
            "type": "renewal",
            "created_at": "2024-03-01",
            "outcome": "open",
            "amount": None,
            "qualified": False,
        },
        {
            "deal_id": "D-3",
            "account_id": "A-1",
            "type": "new_business",
            "created_at": "2024-03-02T23:59:59Z",
            "closed_at": "2024-04-01T12:00:00Z",
            "outcome": "lost",
            "amount": 0,
            "qualified": "yes",
        },
    ]
    path = folder / "deals.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _parquet(folder: Path) -> Path:
    columns = list(zip(*DEALS, strict=True))
    path = folder / "deals.parquet"
    pq.write_table(pa.table({h: list(c) for h, c in zip(HEADERS, columns, strict=True)}), path)
    return path


def _xlsx(folder: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for deal in DEALS:
        sheet.append([v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v for v in deal])
    path = folder / "deals.xlsx"
    book.save(path)
    return path


WRITERS = {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet, "xlsx": _xlsx}


@pytest.mark.parametrize("fmt", WRITERS)
def test_every_format_lands_the_same_rows(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "in"
    write(folder / "accounts.csv", ACCOUNTS)
    WRITERS[fmt](folder)
    with Workspace.init(tmp_path / "ws") as ws:
        report = ws.load([folder])
        assert rows(ws, "deals") == EXPECTED
        assert [f.table for f in report.files] == ["accounts", "deals"]
        assert report.counts("deals").new == 3


def test_csv_quotes_offsets_and_extra_columns(ws: Workspace, tmp_path: Path) -> None:
    ws.load([write(tmp_path / "accounts.csv", ACCOUNTS)])
    assert rows(ws, "accounts", "account_id, name, segment, created_at, health_tier") == [
        ("A-1", "Acme", "SMB", dt.datetime(2024, 1, 1), "gold"),
        ("A-2", "Beta, Inc.", None, dt.datetime(2024, 2, 1, 8), None),
    ]


def test_gzipped_csv(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv.gz"
    path.write_bytes(gzip.compress(b"account_id,name,created_at\nA-1,Acme,2024-01-01\n"))
    assert ws.load([path]).counts("accounts").new == 1


def _bad_third_record(fmt: str, folder: Path) -> Path:
    """Accounts whose third record has a created_at that is not a date."""
    dates = ["2024-01-01", "2024-01-02", "someday", "2024-01-04"]
    ids = [f"A-{i}" for i in range(4)]
    if fmt == "csv":
        lines = [f"{i},Name,{d}" for i, d in zip(ids, dates, strict=True)]
        return write(folder / "accounts.csv", "account_id,name,created_at\n" + "\n".join(lines))
    if fmt == "jsonl":
        path = folder / "accounts.jsonl"
        path.write_text(
            "".join(
                json.dumps({"account_id": i, "name": "Name", "created_at": d}) + "\n"
                for i, d in zip(ids, dates, strict=True)
            )
        )
        return path
    if fmt == "parquet":
        path = folder / "accounts.parquet"
        pq.write_table(
            pa.table({"account_id": ids, "name": ["Name"] * 4, "created_at": dates}), path
        )
        return path
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["account_id", "name", "created_at"])
    sheet.append([ids[0], "Name", dt.datetime(2024, 1, 1)])
    sheet.append([])
    for i, d in zip(ids[1:], dates[1:], strict=True):
        sheet.append([i, "Name", d])
    path = folder / "accounts.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("fmt", "row"),
    [("csv", 4), ("xlsx", 5), ("jsonl", 3), ("parquet", 3)],
    ids=[
        "csv: header is row 1",
        "xlsx: sheet row, blank rows count",
        "jsonl: line",
        "parquet: record",
    ],
)
def test_rows_are_numbered_as_the_user_sees_them(
    ws: Workspace, tmp_path: Path, fmt: str, row: int
) -> None:
    path = _bad_third_record(fmt, tmp_path)
    assert refused(ws, [path])[0] == (
        f"{path} row {row}, column created_at: 'someday' is not an ISO-8601 date or time"
    )


@pytest.mark.slow
def test_row_numbers_hold_for_a_large_csv_read_in_parallel(ws: Workspace, tmp_path: Path) -> None:
    """2M rows are read by several threads; the one bad value is still on its row."""
    path = tmp_path / "accounts.csv"
    duckdb.sql(
        "COPY (SELECT 'A-' || i AS account_id, 'N' AS name, "
        "CASE WHEN i = 1234565 THEN 'never' ELSE '2024-01-01' END AS created_at "
        f"FROM range(2000000) t(i)) TO '{path}' (HEADER)"
    )
    assert refused(ws, [path])[0] == (
        f"{path} row 1234567, column created_at: 'never' is not an ISO-8601 date or time"
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("accounts.csv", b"", "is empty; a header row is expected"),
        (
            "accounts.parquet",
            b"not parquet",
            "cannot be read: File '{path}' too small to be a Parquet file",
        ),
        (
            "accounts.xlsx",
            b"PK nonsense",
            "cannot be read: not an XLSX workbook (File is not a zip file)",
        ),
    ],
)
def test_unreadable_files_are_issues(
    ws: Workspace, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert refused(ws, [path]) == [f"{path}: {reason.format(path=path)}", "Nothing was loaded."]


def test_xlsx_prefers_the_sheet_named_after_the_table(ws: Workspace, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["notes"])
    sheet = book.create_sheet("accounts")
    sheet.append(["account_id", "name", "created_at", None])
    sheet.append(["A-1", "Acme", dt.date(2024, 5, 1), None])
    book.save(tmp_path / "crm.xlsx")
    ws.load([tmp_path / "crm.xlsx"], table="accounts")
    assert rows(ws, "accounts", "account_id, created_at") == [("A-1", dt.datetime(2024, 5, 1))]
