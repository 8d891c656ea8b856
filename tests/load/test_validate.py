"""Every validation issue, with its exact message; a refused load changes nothing.

Files are loaded by a relative name from the current folder, so messages start
with the file name exactly as a user in that folder would type it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.service.workspace import Workspace
from tandem.settings import LoadSettings, MetricSettings, Settings
from tests.load.files import refused, rows, write

LAST = "Nothing was loaded."


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def issues(ws: Workspace, name: str, text: str) -> list[str]:
    write(Path(name), text)
    lines = refused(ws, [Path(name)])
    assert lines[-1] == LAST
    return lines[:-1]


CASES = {
    "missing column": (
        "accounts.csv",
        """
        account_id,name
        A-9,Nine
        """,
        "accounts.csv: missing required column 'created_at' "
        "(required: account_id, name, created_at)",
    ),
    "boolean": (
        "tickets.csv",
        """
        ticket_id,account_id,created_at,contacts,escalated
        T-1,A-1,2024-01-01,1,no
        T-2,A-1,2024-01-02,2,maybe
        """,
        "tickets.csv row 3, column escalated: 'maybe' is not a boolean (true/false, yes/no, 1/0)",
    ),
    "instant": (
        "accounts.csv",
        """
        account_id,name,created_at
        A-9,Nine,2024-13-01
        """,
        "accounts.csv row 2, column created_at: '2024-13-01' is not an ISO-8601 date or time",
    ),
    "date": (
        "subscriptions.csv",
        """
        subscription_id,account_id,mrr,valid_from
        S-1,A-1,10,01/02/2024
        """,
        "subscriptions.csv row 2, column valid_from: '01/02/2024' is not an ISO-8601 date or time",
    ),
    "number": (
        "subscriptions.csv",
        """
        subscription_id,account_id,mrr,valid_from
        S-1,A-1,abc,2024-01-01
        """,
        "subscriptions.csv row 2, column mrr: 'abc' is not a number",
    ),
    "not finite": (
        "subscriptions.csv",
        """
        subscription_id,account_id,mrr,valid_from
        S-1,A-1,NaN,2024-01-01
        """,
        "subscriptions.csv row 2, column mrr: 'NaN' is not a number",
    ),
    "whole number": (
        "survey_responses.csv",
        """
        response_id,account_id,survey,score,responded_at
        R-1,A-1,nps,4.5,2024-01-01
        """,
        "survey_responses.csv row 2, column score: '4.5' is not a whole number",
    ),
    "enum": (
        "deals.csv",
        """
        deal_id,account_id,type,created_at,closed_at,outcome,qualified
        D-1,A-1,upsell,2024-01-01,,maybe,yes
        """,
        "deals.csv row 2, column outcome: 'maybe' is not one of won, lost, open",
    ),
    "empty": (
        "accounts.csv",
        """
        account_id,name,created_at
        A-9,  ,2024-01-01
        """,
        "accounts.csv row 2, column name: is empty; a value is required",
    ),
    "negative": (
        "subscriptions.csv",
        """
        subscription_id,account_id,mrr,valid_from
        S-1,A-1,-5,2024-01-01
        """,
        "subscriptions.csv row 2, column mrr: '-5' must be ≥ 0",
    ),
    "after": (
        "subscriptions.csv",
        """
        subscription_id,account_id,mrr,valid_from,valid_to
        S-1,A-1,5,2024-02-01,2024-01-01
        """,
        "subscriptions.csv row 2, column valid_to: '2024-01-01' must be after valid_from "
        "('2024-02-01')",
    ),
    "same day is not after": (
        "subscriptions.csv",
        """
        subscription_id,account_id,mrr,valid_from,valid_to
        S-1,A-1,5,2024-02-01,2024-02-01
        """,
        "subscriptions.csv row 2, column valid_to: '2024-02-01' must be after valid_from "
        "('2024-02-01')",
    ),
    "not before": (
        "tickets.csv",
        """
        ticket_id,account_id,created_at,resolved_at,contacts,escalated
        T-1,A-1,2024-01-05,2024-01-01,1,no
        """,
        "tickets.csv row 2, column resolved_at: '2024-01-01' must not be before created_at "
        "('2024-01-05')",
    ),
    "at most": (
        "handoffs.csv",
        """
        handoff_id,account_id,handed_off_at,fields_required,fields_completed,errors_found
        H-1,A-1,2024-01-01,10,12,0
        """,
        "handoffs.csv row 2, column fields_completed: '12' must be ≤ fields_required ('10')",
    ),
    "nps scale": (
        "survey_responses.csv",
        """
        response_id,account_id,survey,score,responded_at
        R-1,A-1,nps,11,2024-01-01
        """,
        "survey_responses.csv row 2, column score: '11' is outside the nps scale 0–10",
    ),
    "csat scale": (
        "survey_responses.csv",
        """
        response_id,account_id,survey,score,responded_at
        R-1,A-1,CSAT,0,2024-01-01
        """,
        "survey_responses.csv row 2, column score: '0' is outside the csat scale 1–5",
    ),
    "ces scale": (
        "survey_responses.csv",
        """
        response_id,account_id,survey,score,responded_at
        R-1,A-1,ces,8,2024-01-01
        """,
        "survey_responses.csv row 2, column score: '8' is outside the ces scale 1–7",
    ),
    "unknown account": (
        "subscriptions.csv",
        """
        subscription_id,account_id,mrr,valid_from
        S-1,A-999,5,2024-01-01
        """,
        "subscriptions.csv row 2, column account_id: 'A-999' is not a known account "
        "(load it in accounts first or in the same load)",
    ),
    "first of month": (
        "costs.csv",
        """
        month,category,purpose,amount
        2024-01-15,sales,acquisition,10
        """,
        "costs.csv row 2, column month: '2024-01-15' must be the first day of a month",
    ),
    "required when": (
        "deals.csv",
        """
        deal_id,account_id,type,created_at,closed_at,outcome,qualified
        D-1,A-1,upsell,2024-01-01,,won,yes
        """,
        "deals.csv row 2, column closed_at: is empty; required when outcome is won or lost",
    ),
    "wrong width": (
        "accounts.csv",
        """
        account_id,name,created_at
        A-8,Eight,2024-01-01
        A-9,Nine,2024-01-01,oops
        """,
        "accounts.csv row 3: 'A-9,Nine,2024-01-01,oops' has 4 fields; the header has 3",
    ),
    "two headers for one column": (
        "accounts.csv",
        """
        account_id,Account ID,name,created_at
        A-9,A-9,Nine,2024-01-01
        """,
        "accounts.csv: columns 'account_id' and 'Account ID' both give account_id",
    ),
    "headers that differ in case and spaces only": (
        "subscriptions.csv",
        """
        subscription_id,account_id,mrr,valid_from,MRR 
        S-9,A-1,5,2024-01-01,6
        """,
        "subscriptions.csv: columns 'mrr' and 'MRR ' both give mrr",
    ),
    "a column the database reserves": (
        "accounts.csv",
        """
        account_id,name,created_at,RowID
        A-9,Nine,2024-01-01,1
        """,
        "accounts.csv: column 'RowID': 'rowid' is a name the database reserves (rowid, oid, "
        "tableoid, ctid, xmin, xmax, cmin, cmax, or starting with _tandem or __); rename it "
        "in the file or with --mapping",
    ),
    "NUL in an id": (
        "accounts.csv",
        """
        account_id,name,created_at
        A-\x009,Nine,2024-01-01
        """,
        "accounts.csv row 2, column account_id: 'A-?9' holds a control character (such as NUL)",
    ),
    "a line break inside a key": (
        "accounts.csv",
        """
        account_id,name,created_at
        "A-
        9",Nine,2024-01-01
        """,
        "accounts.csv row 2, column account_id: 'A-?9' holds a control character (such as NUL)",
    ),
    "a bell in a name": (
        "accounts.csv",
        """
        account_id,name,created_at
        A-9,Ni\x07ne,2024-01-01
        """,
        "accounts.csv row 2, column name: 'Ni?ne' holds a control character (such as NUL) "
        "(tab and line breaks are allowed outside keys)",
    ),
    "an offset no zone has": (
        "accounts.csv",
        """
        account_id,name,created_at
        A-8,Eight,2024-01-01T10:00:00+14:00
        A-9,Nine,2024-01-01T10:00:00+25:00
        """,
        "accounts.csv row 3, column created_at: '2024-01-01T10:00:00+25:00' is not an "
        "ISO-8601 date or time",
    ),
    "an absurd amount": (
        "subscriptions.csv",
        """
        subscription_id,account_id,mrr,valid_from
        S-8,A-1,1000000000000,2024-01-01
        S-9,A-1,1e308,2024-01-01
        """,
        "subscriptions.csv row 3, column mrr: '1e+308' is beyond ±1e+12, the largest number "
        "Tandem accepts (see docs/data-model.md)",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_issue_message(ws_with_accounts: Workspace, here: Path, case: tuple[str, str, str]) -> None:
    name, text, expected = case
    assert issues(ws_with_accounts, name, text) == [expected]


def test_every_duplicate_names_the_first_row(ws_with_accounts: Workspace, here: Path) -> None:
    lines = issues(
        ws_with_accounts,
        "deals.csv",
        """
        deal_id,account_id,type,created_at,closed_at,outcome,qualified
        D-1,A-1,upsell,2024-01-01,,open,yes
        D-2,A-1,upsell,2024-01-01,,open,yes
        D-1,A-1,upsell,2024-01-01,,open,yes
        d-1,A-1,upsell,2024-01-01,,open,yes
        D-1,A-2,renewal,2024-02-01,,open,no
        """,
    )
    assert lines == [
        "deals.csv row 4, column deal_id: 'D-1' duplicates row 2",
        "deals.csv row 6, column deal_id: 'D-1' duplicates row 2",
    ]


def test_usage_events_key_treats_missing_user_ids_as_equal(
    ws_with_accounts: Workspace, here: Path
) -> None:
    """Same account, no user, same instant (written two ways), same event: a duplicate."""
    lines = issues(
        ws_with_accounts,
        "usage_events.csv",
        """
        account_id,user_id,ts,event
        A-1,,2024-01-01T10:00:00Z,session
        A-1,U-1,2024-01-01T10:00:00Z,session
        A-1,,2024-01-01 12:00:00+02:00,session
        """,
    )
    assert lines == [
        "usage_events.csv row 4, column account_id, user_id, ts, event: "
        "'A-1, , 2024-01-01T10:00:00Z, session' duplicates row 2"
    ]


def test_all_issues_of_a_row_and_a_file_are_listed_in_order(
    ws_with_accounts: Workspace, here: Path
) -> None:
    lines = issues(
        ws_with_accounts,
        "deals.csv",
        """
        deal_id,account_id,type,created_at,closed_at,outcome,amount,qualified
        D-1,A-1,upsell,2024-01-01,2024-02-01,won,100,yes
        D-2,A-1,Upsell,2024-13-01,,maybe,abc,maybe
        D-3,A-999,renewal,2024-01-01,,won,-5,no
        """,
    )
    assert lines == [
        "deals.csv row 3, column created_at: '2024-13-01' is not an ISO-8601 date or time",
        "deals.csv row 3, column outcome: 'maybe' is not one of won, lost, open",
        "deals.csv row 3, column amount: 'abc' is not a number",
        "deals.csv row 3, column qualified: 'maybe' is not a boolean (true/false, yes/no, 1/0)",
        "deals.csv row 4, column account_id: 'A-999' is not a known account "
        "(load it in accounts first or in the same load)",
        "deals.csv row 4, column closed_at: is empty; required when outcome is won or lost",
        "deals.csv row 4, column amount: '-5' must be ≥ 0",
    ]


def test_issues_are_capped_per_file_and_the_rest_counted(tmp_path: Path, here: Path) -> None:
    Workspace.init(tmp_path / "capped").close()
    ws = Workspace(tmp_path / "capped", settings=Settings(load=LoadSettings(max_issues_per_file=2)))
    write(here / "accounts.csv", "account_id,name,created_at\n" + "A,,x\n" * 3)
    write(here / "team_members.csv", "member_id,name,team\nM-1,Ann,legal\n")
    lines = refused(ws, [Path("accounts.csv"), Path("team_members.csv")])
    ws.close()
    assert lines == [
        "team_members.csv row 2, column team: 'legal' is not one of "
        "marketing, sales, customer_success, support, onboarding",
        "accounts.csv row 2, column name: is empty; a value is required",
        "accounts.csv row 2, column created_at: 'x' is not an ISO-8601 date or time",
        "... and 6 more issues",
        LAST,
    ]


def test_csat_scale_is_the_workspace_knob(tmp_path: Path, here: Path) -> None:
    Workspace.init(tmp_path / "ten").close()
    knobs = MetricSettings(csat_scale_min=0, csat_scale_max=10)
    ws = Workspace(tmp_path / "ten", settings=Settings(metrics=knobs))
    write(here / "accounts.csv", "account_id,name,created_at\nA-1,Acme,2024-01-01\n")
    write(
        here / "survey_responses.csv",
        """
        response_id,account_id,survey,score,responded_at
        R-1,A-1,csat,0,2024-01-01
        R-2,A-1,csat,10,2024-01-01
        """,
    )
    report = ws.load([here])
    assert report.counts("survey_responses").new == 2
    ws.close()


def test_an_account_loaded_in_the_same_load_is_known(ws: Workspace, here: Path) -> None:
    write(here / "accounts.csv", "account_id,name,created_at\nA-7,Seven,2024-01-01\n")
    write(
        here / "orders.csv",
        """
        order_id,account_id,ordered_at,amount
        O-1,A-7,2024-03-01T09:30:00Z,12.5
        """,
    )
    ws.load([Path("orders.csv"), Path("accounts.csv")])
    assert rows(ws, "orders", "order_id, account_id") == [("O-1", "A-7")]


def test_values_are_normalised(ws_with_accounts: Workspace, here: Path) -> None:
    """Case and blanks in enums and booleans, offsets in instants, instants as dates."""
    write(
        here / "deals.csv",
        """
        deal_id,account_id,type,created_at,closed_at,outcome,amount,qualified
        " D-1 ",A-1, Upsell ,2024-01-01T23:30:00-02:00,2024-02-01,WON,1e3,Y
        D-2,A-1,renewal,2024-01-01,,Open,4.0,f
        """,
    )
    write(
        here / "subscriptions.csv",
        """
        subscription_id,account_id,mrr,seats,valid_from
        S-1,A-1,10,4.0,2024-03-31T23:00:00-05:00
        """,
    )
    ws_with_accounts.load([here])
    import datetime as dt

    assert rows(
        ws_with_accounts, "deals", "deal_id, type, created_at, outcome, amount, qualified"
    ) == [
        ("D-1", "upsell", dt.datetime(2024, 1, 2, 1, 30), "won", 1000.0, True),
        ("D-2", "renewal", dt.datetime(2024, 1, 1), "open", 4.0, False),
    ]
    assert rows(ws_with_accounts, "subscriptions", "seats, valid_from") == [
        (4, dt.date(2024, 4, 1))
    ]
