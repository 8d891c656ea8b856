"""Upserts: new, updated and unchanged rows; all files land or none; extra columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.service.workspace import Workspace
from tandem.store import Staged, TableCounts
from tests.load.files import refused, rows, snapshot, write

ACCOUNTS = """
    account_id,name,segment,created_at
    A-1,Acme,SMB,2024-01-01
    A-2,Beta,SMB,2024-01-01
    A-3,Core,Enterprise,2024-01-01
    """


def test_new_updated_and_unchanged_rows(ws: Workspace, tmp_path: Path) -> None:
    first = ws.load([write(tmp_path / "v1" / "accounts.csv", ACCOUNTS)])
    assert first.counts("accounts") == TableCounts("accounts", 3, 3, 0, 0)
    changed = write(
        tmp_path / "v2" / "accounts.csv",
        """
        account_id,name,segment,created_at
        A-1,Acme,SMB,2024-01-01
        A-2,Beta Corp,SMB,2024-01-01
        A-3,Core,,2024-01-01
        A-4,Dyad,SMB,2024-01-01
        """,
    )
    second = ws.load([changed])
    assert second.counts("accounts") == TableCounts("accounts", 4, 1, 2, 1)
    assert rows(ws, "accounts", "account_id, name, segment") == [
        ("A-1", "Acme", "SMB"),
        ("A-2", "Beta Corp", "SMB"),
        ("A-3", "Core", None),
        ("A-4", "Dyad", "SMB"),
    ]
    assert [(f.table, f.rows) for f in second.files] == [("accounts", 4)]
    assert second.rows == 4 and second.seconds > 0


def test_one_bad_file_among_good_ones_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    ws.load([write(tmp_path / "seed" / "accounts.csv", ACCOUNTS)])
    folder = tmp_path / "batch"
    write(folder / "accounts.csv", "account_id,name,created_at,tier\nA-9,Nine,2024-01-01,gold\n")
    write(folder / "orders.csv", "order_id,account_id,ordered_at,amount\nO-1,A-9,2024-02-01,5\n")
    write(
        folder / "tickets.csv",
        "ticket_id,account_id,created_at,contacts,escalated\nT-1,A-1,2024-02-01,1,perhaps\n",
    )
    lines = refused(ws, [folder])
    assert lines[0].endswith(
        "row 2, column escalated: 'perhaps' is not a boolean (true/false, yes/no, 1/0)"
    )
    assert "tier" not in ws.store.table("accounts").columns


def test_a_failure_while_saving_rolls_everything_back(ws: Workspace, tmp_path: Path) -> None:
    ws.load([write(tmp_path / "accounts.csv", ACCOUNTS)])
    before = snapshot(ws)
    with pytest.raises(Exception, match="missing_relation"), ws.writer() as store:
        store.raw.execute(  # type: ignore[attr-defined]
            "CREATE TEMP TABLE good AS SELECT * REPLACE ('Changed' AS name), 'x' AS tier "
            "FROM accounts"
        )
        store.apply(
            [
                Staged("accounts", "good", (("tier", "VARCHAR"),)),
                Staged("orders", "missing_relation"),
            ]
        )
    assert snapshot(ws) == before


def test_extra_columns_are_added_and_usable_as_dimensions(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(
        folder / "accounts.csv",
        "account_id,name,created_at,Tier\nA-1,Acme,2023-01-01,gold\nA-2,Beta,2023-01-01,silver\n",
    )
    write(
        folder / "subscriptions.csv",
        "subscription_id,account_id,mrr,valid_from\n"
        "S-1,A-1,100,2024-01-01\nS-2,A-2,50,2024-01-01\n",
    )
    ws.load([folder])
    result = ws.metric("mrr", by="tier", start="2024-01", end="2024-01")
    assert sorted(zip(result["tier"], result["value"], strict=True)) == [
        ("gold", 100.0),
        ("silver", 50.0),
    ]


def test_an_extra_column_keeps_the_type_it_was_stored_with(ws: Workspace, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    first = tmp_path / "accounts.parquet"
    pq.write_table(
        pa.table(
            {
                "account_id": ["A-1"],
                "name": ["Acme"],
                "created_at": [dt.datetime(2024, 1, 1)],
                "employees": [12],
            }
        ),
        first,
    )
    ws.load([first])
    later = write(
        tmp_path / "accounts.csv",
        "account_id,name,created_at,employees\nA-1,Acme,2024-01-01,13\nA-2,Beta,2024-01-01,many\n",
    )
    assert refused(ws, [later])[0] == (
        f"{later} row 3, column employees: 'many' is not a BIGINT value "
        "(the type column employees already has)"
    )
    write(later, "account_id,name,created_at,employees\nA-1,Acme,2024-01-01,13\n")
    ws.load([later])
    assert rows(ws, "accounts", "employees") == [(13,)]


def test_the_file_loaded_last_wins_for_a_key_in_two_files(ws: Workspace, tmp_path: Path) -> None:
    ws.load([write(tmp_path / "seed" / "accounts.csv", ACCOUNTS)])
    one = write(
        tmp_path / "a" / "orders.csv",
        "order_id,account_id,ordered_at,amount\nO-1,A-1,2024-01-01,5\nO-2,A-1,2024-01-02,6\n",
    )
    two = write(
        tmp_path / "b" / "orders.csv",
        "order_id,account_id,ordered_at,amount,note\nO-2,A-2,2024-01-03,7,late\n",
    )
    report = ws.load([one, two])
    assert report.counts("orders") == TableCounts("orders", 2, 2, 0, 0)
    assert rows(ws, "orders", "order_id, account_id, amount, note") == [
        ("O-1", "A-1", 5.0, None),
        ("O-2", "A-2", 7.0, "late"),
    ]


def test_a_refused_load_lists_issues_of_every_file(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "accounts.csv", "account_id,name,created_at\nA-1,,2024-01-01\n")
    write(folder / "costs.csv", "month,category,purpose,amount\n2024-01-01,ads,acquisition,5\n")
    with pytest.raises(InputError) as caught:
        ws.load([folder])
    assert [i.file for i in caught.value.issues] == [
        str(folder / "accounts.csv"),
        str(folder / "costs.csv"),
    ]


def test_a_progress_bar_can_be_shown(ws: Workspace, tmp_path: Path) -> None:
    report = ws.load([write(tmp_path / "accounts.csv", ACCOUNTS)], progress=True)
    assert report.counts("accounts").new == 3
