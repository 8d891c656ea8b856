"""The HubSpot preset, on exports written in HubSpot's layout.

No genuine HubSpot export could be stored (``../shared/vendor-samples/hubspot/
columns.md``); these files follow HubSpot's documented default properties
(https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties) and
the header of a real deals export quoted there ("Record ID","Deal Name",...,
"Deal Stage","Close Date","Deal owner","Amount","Pipeline"), with the awkward
parts: a byte-order mark, stages as labels and as internal ids, companies
and owners named instead of identified, amounts with thousands separators.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.service.workspace import Workspace
from tests.load.files import refused, rows
from tests.load.vendor import sample

OWNERS = """\
First Name,Last Name,Email,Team
Ana,Souza,ana@acme.example,Sales
Ben,Okafor,ben@acme.example,Customer Success
"""
COMPANIES = """\
"Record ID","Company name","Company Domain Name","Create Date","Company owner","Industry","Country/Region","Lifecycle Stage"
"9001","Northwind","northwind.example","2024-01-03 09:15","Ana Souza","Retail","United States","customer"
"9002","Contoso","https://www.contoso.example/","2024-01-20 16:40","Ben Okafor","Software","Germany","customer"
"""  # noqa: E501
DEALS = """\
"Record ID","Deal Name","Last Activity Date","State","Deal Stage","Close Date","Deal owner","Amount","Pipeline","Associated Company","Deal Type","Create Date"
"5001","Northwind - new","","","Closed Won","2024-03-04 10:00","Ana Souza","24,000","Sales Pipeline","Northwind","New Business","2024-01-05 11:00"
"5002","Northwind - add-on","","","closedwon","2024-03-18 12:30","Ana Souza","6,500.50","Sales Pipeline","Northwind","existingbusiness","2024-02-20 09:00"
"5003","Contoso - expansion","","","Closed Lost","2024-03-25 17:00","Ben Okafor","3,000","Sales Pipeline","Contoso","Existing Business","2024-02-01 08:00"
"5004","Contoso - second team","","","qualifiedtobuy","2024-05-31 00:00","Ben Okafor","8,000","Sales Pipeline","Contoso","New Business","2024-03-10 08:00"
"""  # noqa: E501


def _exports(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in (
        ("hubspot-users-2024-04-01.csv", OWNERS),
        ("hubspot-crm-exports-all-companies-2024-04-01.csv", COMPANIES),
        ("hubspot-crm-exports-all-deals-2024-04-01.csv", DEALS),
    ):
        path = folder / name
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        out.append(path)
    return out


def test_exports_become_owners_companies_and_deals(ws: Workspace, tmp_path: Path) -> None:
    _exports(tmp_path / "hubspot")
    report = ws.load([tmp_path / "hubspot"], preset="hubspot")  # a folder: every file recognised
    assert [(f.source, f.table, f.rows) for f in report.files] == [
        ("owners", "team_members", 2),
        ("companies", "accounts", 2),
        ("deals", "deals", 4),
    ]
    assert rows(ws, "team_members", "member_id, name, team") == [
        ("ana@acme.example", "Ana Souza", "sales"),
        ("ben@acme.example", "Ben Okafor", "customer_success"),
    ]
    assert rows(ws, "accounts", "account_id, name, sales_rep_id, created_at, domain") == [
        ("9001", "Northwind", "ana@acme.example", dt.datetime(2024, 1, 3, 9, 15), "northwind.example"),  # noqa: E501
        ("9002", "Contoso", "ben@acme.example", dt.datetime(2024, 1, 20, 16, 40), "contoso.example"),  # noqa: E501
    ]  # fmt: skip
    assert rows(ws, "deals", "deal_id, account_id, owner_id, type, outcome, amount, closed_at") == [
        ("5001", "9001", "ana@acme.example", "new_business", "won", 24000.0, dt.datetime(2024, 3, 4, 10)),  # noqa: E501
        ("5002", "9001", "ana@acme.example", "upsell", "won", 6500.5, dt.datetime(2024, 3, 18, 12, 30)),  # noqa: E501
        ("5003", "9002", "ben@acme.example", "upsell", "lost", 3000.0, dt.datetime(2024, 3, 25, 17)),  # noqa: E501
        ("5004", "9002", "ben@acme.example", "new_business", "open", 8000.0, None),
    ]  # fmt: skip


def test_deal_metrics_by_hand(ws: Workspace, tmp_path: Path) -> None:
    """March 2024: closed 5001 won, 5002 upsell won, 5003 upsell lost.
    Win rate 100 × 2 / 3; expansion win rate 100 × 1 / 2 = 50; upsells won 1;
    expansion bookings 6,500.50 (5002)."""
    ws.load(_exports(tmp_path / "hubspot"), preset="hubspot")
    slugs = ["win_rate", "expansion_win_rate", "upsells_cross_sells", "expansion_bookings"]
    got = ws.compute(slugs, grain="month", start="2024-03", end="2024-03")
    assert [got[s].rows["value"].iloc[0] for s in slugs] == [
        pytest.approx(200 / 3),
        50.0,
        1,
        6500.5,
    ]


def test_a_deal_naming_an_unknown_company_is_refused(ws: Workspace, tmp_path: Path) -> None:
    paths = _exports(tmp_path / "hubspot")
    paths[2].write_text(DEALS.replace('"Contoso","New Business"', '"Contoso GmbH","New Business"'))
    assert refused(ws, paths, preset="hubspot") == [
        f"{paths[2]} row 5, column Associated Company: 'Contoso GmbH' matches no account by name "
        "(load the accounts first or in the same load)",
        "Nothing was loaded.",
    ]


def test_a_salesforce_extract_given_to_hubspot(ws: Workspace) -> None:
    path = sample("salesforce/dataloader_accountData.csv")
    [line, _] = refused(ws, [path], preset="hubspot")
    assert line.startswith(f"{path}: is not a file the hubspot preset reads (its headers: ID, ")
    assert line.endswith(
        "it expects owners: CSV with columns First Name, Last Name, Email; companies: CSV with "
        "columns Record ID, Company name; deals: CSV with columns Record ID, Deal Name, Deal Stage"
    )
