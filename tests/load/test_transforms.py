"""What a mapping file can express, each step checked on a load: values worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from tandem.service.workspace import Workspace
from tests.load.files import refused, rows, write

T = dt.datetime


def _mapping(tmp_path: Path, table: str, columns: str, source: str = "") -> Path:
    """A one-source mapping giving ``table`` the ``columns`` (YAML lines, 10 spaces in)."""
    return write(
        tmp_path / "map.yaml",
        "sources:\n  export:\n"
        + source
        + f"    tables:\n      {table}:\n        columns:\n"
        + "".join(f"          {line}\n" for line in columns.strip().splitlines()),
    )


ACCOUNT = "account_id: Ref\nname: Name\ncreated_at: {value: '2024-01-01'}\n"


def test_booleans_in_their_usual_spellings(ws_with_accounts: Workspace, tmp_path: Path) -> None:
    ws = ws_with_accounts
    mapping = _mapping(
        tmp_path,
        "tickets",
        "ticket_id: Id\naccount_id: {value: A-1}\ncreated_at: {value: '2024-03-01'}\n"
        "contacts: {value: 1}\nescalated: {from: Escalated, parse: boolean}",
    )
    path = write(tmp_path / "t.csv", "Id,Escalated\n1,Yes\n2,no\n3,TRUE\n4,0\n5,Y\n6,off\n")
    ws.load([path], mapping=mapping)
    assert rows(ws, "tickets", "ticket_id, escalated") == [
        ("1", True), ("2", False), ("3", True), ("4", False), ("5", True), ("6", False)
    ]  # fmt: skip
    bad = write(tmp_path / "bad.csv", "Id,Escalated\n7,maybe\n")
    assert refused(ws, [bad], mapping=mapping)[0] == (
        f"{bad} row 2, column Escalated: 'maybe' is not a boolean "
        "(true/yes/y/t/1/on or false/no/n/f/0/off)"
    )


def test_day_first_and_month_first_dates(ws: Workspace, tmp_path: Path) -> None:
    """05/03/2024 is 5 March day first, 3 May month first."""
    for order, fmt, expected in (
        ("day", "%d/%m/%Y", T(2024, 3, 5)),
        ("month", "%m/%d/%Y", T(2024, 5, 3)),
    ):
        mapping = _mapping(
            tmp_path,
            "accounts",
            f"account_id: Ref\nname: Name\ncreated_at: {{from: Opened, parse: timestamp, format: '{fmt}'}}",  # noqa: E501
        )
        ws.load(
            [write(tmp_path / f"{order}.csv", f"Ref,Name,Opened\n{order},X,05/03/2024\n")],
            mapping=mapping,
        )
        assert rows(ws, "accounts", "account_id, created_at")[0 if order == "day" else 1] == (order, expected)  # fmt: skip  # noqa: E501


def test_epoch_seconds_and_milliseconds(ws: Workspace, tmp_path: Path) -> None:
    """1709251200 s and 1709251200500 ms are 2024-03-01 00:00:00 and 00:00:00.5 UTC."""
    mapping = _mapping(
        tmp_path, "accounts", "account_id: Ref\nname: Ref\ncreated_at: {from: T, parse: epoch_ms}"
    )
    ws.load([write(tmp_path / "a.csv", "Ref,T\nA,1709251200500\n")], mapping=mapping)
    assert rows(ws, "accounts", "created_at") == [(T(2024, 3, 1, 0, 0, 0, 500000),)]
    mapping = _mapping(
        tmp_path, "accounts", "account_id: Ref\nname: Ref\ncreated_at: {from: T, parse: epoch_s}"
    )
    ws.load([write(tmp_path / "b.csv", "Ref,T\nB,1709251200\n")], mapping=mapping)
    assert rows(ws, "accounts", "account_id, created_at")[1] == ("B", T(2024, 3, 1))


def test_time_zones(ws: Workspace, tmp_path: Path) -> None:
    """Paris is UTC+1 in winter and UTC+2 in summer; an offset in the value wins over the zone."""
    mapping = _mapping(
        tmp_path,
        "accounts",
        "account_id: Ref\nname: Ref\ncreated_at: {from: At, parse: timestamp}",
        "    timezone: Europe/Paris\n",
    )
    path = write(
        tmp_path / "a.csv",
        "Ref,At\nW,2024-01-15 09:00\nS,2024-07-01 12:00:00\nO,2024-07-01 12:00:00 -0500\nZ,2024-07-01T12:00:00Z\n",  # noqa: E501
    )
    ws.load([path], mapping=mapping)
    assert rows(ws, "accounts", "account_id, created_at") == [
        ("O", T(2024, 7, 1, 17)),
        ("S", T(2024, 7, 1, 10)),
        ("W", T(2024, 1, 15, 8)),
        ("Z", T(2024, 7, 1, 12)),
    ]


SUBSCRIPTION = (
    "subscription_id: Id\naccount_id: {value: A-1}\n"
    "mrr: {expr: 'unit_amount * quantity / 100 / months(interval, interval_count)'}\n"
    "seats: quantity\nvalid_from: {value: '2024-01-01'}"
)


def test_mrr_from_cents_seats_and_intervals(ws_with_accounts: Workspace, tmp_path: Path) -> None:
    """Annual, 20 seats at 24000 cents: 24000 × 20 / 100 / 12 = 400 (a rename of the unit
    amount would have stored 24000, 60 times the true MRR);
    monthly 4900 × 1 = 49; every 3 months 30000: 100; weekly 3000: 30 / (12/52) = 130;
    every 2 years 240000: 2400 / 24 = 100."""
    ws = ws_with_accounts
    mapping = _mapping(tmp_path, "subscriptions", SUBSCRIPTION)
    path = write(
        tmp_path / "subs.csv",
        "Id,unit_amount,quantity,interval,interval_count\n"
        "S-1,24000,20,year,1\nS-2,4900,1,month,\nS-3,30000,1,month,3\nS-4,3000,1,week,1\n"
        "S-5,240000,1,year,2\n",
    )
    ws.load([path], mapping=mapping)
    assert [(s, round(m, 2)) for s, m in rows(ws, "subscriptions", "subscription_id, mrr")] == [
        ("S-1", 400.0), ("S-2", 49.0), ("S-3", 100.0), ("S-4", 130.0), ("S-5", 100.0)
    ]  # fmt: skip


def test_amounts_and_intervals_that_do_not_parse(
    ws_with_accounts: Workspace, tmp_path: Path
) -> None:
    mapping = _mapping(tmp_path, "subscriptions", SUBSCRIPTION)
    path = write(
        tmp_path / "subs.csv",
        "Id,unit_amount,quantity,interval,interval_count\nS-1,24k,20,year,1\nS-2,4900,1,fortnight,1\n",
    )
    assert refused(ws_with_accounts, [path], mapping=mapping) == [
        f"{path} row 2, column unit_amount: '24k' is not a number",
        f"{path} row 3, column interval: 'fortnight' is not a billing interval "
        "(day, week, month, quarter or year)",
        "Nothing was loaded.",
    ]


def test_a_value_map_without_a_default_refuses_other_values(
    ws_with_accounts: Workspace, tmp_path: Path
) -> None:
    mapping = _mapping(
        tmp_path,
        "deals",
        "deal_id: Id\naccount_id: {value: A-1}\ntype: {value: new_business}\n"
        "created_at: {value: '2024-01-01'}\nqualified: {value: true}\n"
        "outcome: {from: StageName, map: {Closed Won: won, Closed Lost: lost, Open: open}}",
    )
    path = write(tmp_path / "o.csv", "Id,StageName\nO-1,open\nO-2,Negotiation\n")
    assert refused(ws_with_accounts, [path], mapping=mapping) == [
        f"{path} row 3, column StageName: 'Negotiation' is not mapped for outcome "
        '(mapped: Closed Won, Closed Lost, Open; add "*" for any other value)',
        "Nothing was loaded.",
    ]


def test_lookups_by_external_id_and_by_domain(ws: Workspace, tmp_path: Path) -> None:
    ws.load(
        [
            write(
                tmp_path / "seed" / "accounts.csv",
                "account_id,name,created_at,stripe_id,website\n"
                "A-1,Acme,2024-01-01,cus_1,https://www.acme.example/\n"
                "A-2,Beta,2024-01-01,cus_2,beta.example\n",
            )
        ]
    )
    mapping = _mapping(
        tmp_path,
        "orders",
        "order_id: Id\naccount_id: {from: Customer, lookup: {by: stripe_id}}\n"
        "ordered_at: {value: '2024-02-01'}\namount: {value: 10}",
    )
    ws.load([write(tmp_path / "o.csv", "Id,Customer\nO-1,cus_2\n")], mapping=mapping)
    assert rows(ws, "orders", "order_id, account_id") == [("O-1", "A-2")]
    mapping = _mapping(
        tmp_path,
        "orders",
        "order_id: Id\naccount_id: {from: Email, lookup: {by: domain, against: website}}\n"
        "ordered_at: {value: '2024-02-01'}\namount: {value: 10}",
    )
    path = write(tmp_path / "p.csv", "Id,Email\nO-2,Ann@ACME.example\nO-3,x@nowhere.example\n")
    assert refused(ws, [path], mapping=mapping)[0] == (
        f"{path} row 3, column Email: 'x@nowhere.example' matches no account by domain (website) "
        "(load the accounts first or in the same load)"
    )


def test_one_file_split_into_accounts_and_subscriptions(ws: Workspace, tmp_path: Path) -> None:
    mapping = write(
        tmp_path / "map.yaml",
        """
        sources:
          billing:
            tables:
              accounts:
                columns: {account_id: Customer, name: Company, created_at: Since}
              subscriptions:
                where: "Plan <> 'free'"
                columns:
                  subscription_id: {expr: "Customer || '-' || Since"}
                  account_id: Customer
                  plan: Plan
                  mrr: {from: Monthly, parse: number}
                  valid_from: {from: Since, parse: date}
        """,
    )
    path = write(
        tmp_path / "export.csv",
        'Customer,Company,Plan,Monthly,Since\nC1,Acme,pro,"1,200.50",2024-01-01\n'
        "C2,Beta,free,0,2024-02-01\n",
    )
    report = ws.load([path], mapping=mapping)
    assert [(f.table, f.rows) for f in report.files] == [("accounts", 2), ("subscriptions", 1)]
    assert rows(ws, "subscriptions", "subscription_id, account_id, mrr") == [
        ("C1-2024-01-01", "C1", 1200.5)
    ]


LATIN = "Ref,Name\nA-1,Crédito €uro\n"


@pytest.mark.parametrize(
    ("declared", "written", "expected"),
    [
        ("latin-1", "latin-1", "Crédito \x80uro"),
        ("windows-1252", "cp1252", "Crédito €uro"),
        ("auto", "cp1252", "Crédito €uro"),
        ("auto", "utf-8", "Crédito €uro"),
        ("utf-16", "utf-16", "Crédito €uro"),
    ],
)
def test_encodings(
    ws: Workspace, tmp_path: Path, declared: str, written: str, expected: str
) -> None:
    text = LATIN if written != "latin-1" else LATIN.replace("€", "\x80")
    path = tmp_path / "a.csv"
    path.write_bytes(text.encode(written))
    mapping = _mapping(tmp_path, "accounts", ACCOUNT, f"    encoding: {declared}\n")
    ws.load([path], mapping=mapping)
    assert rows(ws, "accounts", "name") == [(expected,)]


def test_a_file_not_in_its_declared_encoding(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(LATIN.encode("cp1252"))
    mapping = _mapping(tmp_path, "accounts", ACCOUNT, "    encoding: utf-8\n")
    [line, _] = refused(ws, [path], mapping=mapping)
    assert line.startswith(f"{path}: cannot be read: ")


def test_header_rows_below_a_title(ws: Workspace, tmp_path: Path) -> None:
    """A report with two title lines, then the header, then a units row to skip."""
    path = write(
        tmp_path / "a.csv",
        "Accounts report\nGenerated 2024-04-01\nRef,Name\n(id),(text)\nA-1,Acme\nA-2,Beta\n",
    )
    mapping = _mapping(tmp_path, "accounts", ACCOUNT, "    header_row: 3\n    skip_rows: 1\n")
    ws.load([path], mapping=mapping)
    assert rows(ws, "accounts", "account_id") == [("A-1",), ("A-2",)]
    bad = write(tmp_path / "b.csv", "Accounts report\n\nRef,Name\n(id),(text)\n,Acme\n")
    assert refused(ws, [bad], mapping=mapping)[0] == (
        f"{bad} row 5, column Ref: is empty; a value is required"
    )


def test_xlsx_with_a_title_row(ws: Workspace, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["Export of accounts"], ["Ref", "Name"], ["A-1", "Acme"], ["A-2", "Beta"]):
        sheet.append(row)
    path = tmp_path / "a.xlsx"
    book.save(path)
    mapping = _mapping(tmp_path, "accounts", ACCOUNT, "    format: xlsx\n    header_row: 2\n")
    ws.load([path], mapping=mapping)
    assert rows(ws, "accounts", "account_id, name") == [("A-1", "Acme"), ("A-2", "Beta")]
