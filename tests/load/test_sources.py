"""Which files a load reads, into which table, and the usage errors around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.errors import UsageError
from tandem.load.sources import Format, plan
from tests.load.files import write

ACCOUNT = "account_id,name,created_at\nA-1,Acme,2024-01-01\n"


def test_a_folder_loads_files_named_after_tables_in_load_order(tmp_path: Path) -> None:
    for name in [
        "usage_events.2024-05.parquet",
        "accounts.csv",
        "notes.txt",
        "accounts.jsonl",
        "team_members.xlsx",
        "crm_dump.csv",
        ".hidden.csv",
    ]:
        write(tmp_path / "data" / name, "")
    (tmp_path / "data" / "archive").mkdir()
    found = plan([tmp_path / "data"])
    assert [(Path(s.name).name, s.table, s.format) for s in found.sources] == [
        ("team_members.xlsx", "team_members", Format.XLSX),
        ("accounts.csv", "accounts", Format.CSV),
        ("accounts.jsonl", "accounts", Format.JSONL),
        ("usage_events.2024-05.parquet", "usage_events", Format.PARQUET),
    ]
    assert found.skipped == (
        f"{tmp_path / 'data' / 'crm_dump.csv'} (not named after a table)",
        f"{tmp_path / 'data' / 'notes.txt'} (not a supported file type)",
    )


def test_files_are_named_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "data" / "accounts.csv.gz", "")
    write(tmp_path / "deals.csv", "")
    monkeypatch.chdir(tmp_path)
    found = plan(["data/", "./deals.csv"])
    assert [s.name for s in found.sources] == ["data/accounts.csv.gz", "./deals.csv"]


def test_table_option_applies_to_every_file(tmp_path: Path) -> None:
    write(tmp_path / "export" / "crm.csv", "")
    write(tmp_path / "export" / "crm2.xlsx", "")
    found = plan([tmp_path / "export"], table="accounts")
    assert {s.table for s in found.sources} == {"accounts"}
    assert len(found.sources) == 2


def test_the_same_file_given_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "accounts.csv", ACCOUNT)
    assert len(plan([path, tmp_path, path]).sources) == 1


@pytest.mark.parametrize(
    ("given", "table", "message"),
    [
        (
            "acounts.csv",
            None,
            "{d}/acounts.csv: no such file or folder (did you mean 'accounts.csv'?)",
        ),
        (
            "accounts.csv",
            "acounts",
            "unknown table 'acounts' (did you mean 'accounts'?); "
            "tables: team_members, accounts, subscriptions, deals, orders, trials, handoffs, "
            "onboardings, usage_events, survey_responses, tickets, costs",
        ),
        (
            "acount.csv",
            None,
            "{d}/acount.csv: no table named 'acount' (did you mean "
            "'accounts'?); name the file after a table or pass --table (tables: team_members, "
            "accounts, subscriptions, deals, orders, trials, handoffs, onboardings, usage_events, "
            "survey_responses, tickets, costs)",
        ),
        (
            "accounts.txt",
            None,
            "{d}/accounts.txt: unsupported file type; supported: .csv.gz, "
            ".csv, .tsv, .jsonl.gz, .ndjson, .jsonl, .json, .parquet, .xlsx",
        ),
    ],
)
def test_usage_errors(tmp_path: Path, given: str, table: str | None, message: str) -> None:
    write(tmp_path / "accounts.csv", ACCOUNT)
    write(tmp_path / "acount.csv", ACCOUNT)
    write(tmp_path / "accounts.txt", ACCOUNT)
    with pytest.raises(UsageError) as caught:
        plan([tmp_path / given], table)
    assert str(caught.value) == message.format(d=tmp_path)


def test_a_folder_with_nothing_to_load_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "notes.csv", "")
    with pytest.raises(UsageError, match=r"nothing to load: .*skipped: .*notes.csv"):
        plan([tmp_path])
