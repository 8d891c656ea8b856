"""Headers that differ from the schema: forgiving matching and mapping files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.errors import UsageError
from tandem.load.mapping import assign, header_key, read_mapping
from tandem.service.workspace import Workspace
from tests.load.files import rows, write


@pytest.mark.parametrize(
    ("header", "key"),
    [
        (" Account_ID ", "account_id"),
        ("Account ID", "account_id"),
        ("Health-Tier", "health_tier"),
        ("Région", "région"),
        ("MRR (€)", "mrr"),
    ],
)
def test_header_key(header: str, key: str) -> None:
    assert header_key(header) == key


def test_headers_match_in_any_case_and_extras_are_kept(ws: Workspace, tmp_path: Path) -> None:
    path = write(
        tmp_path / "accounts.csv",
        """
        " Account_ID ",NAME,Created At,Health Tier
        A-1,Acme,2024-01-01,gold
        """,
    )
    ws.load([path])
    assert rows(ws, "accounts", "account_id, name, created_at, health_tier") == [
        ("A-1", "Acme", dt.datetime(2024, 1, 1), "gold")
    ]


def test_flat_and_per_table_mappings(ws: Workspace, tmp_path: Path) -> None:
    mapping = write(
        tmp_path / "map.yaml",
        """
        Company: name
        Opened: created_at
        accounts:
          Customer Ref: account_id
        subscriptions:
          Customer Ref: account_id
          Ref: subscription_id
          Monthly: mrr
          From: valid_from
        """,
    )
    write(tmp_path / "in" / "accounts.csv", "Customer Ref,Company,Opened\nA-1,Acme,2024-01-01\n")
    write(
        tmp_path / "in" / "subscriptions.csv",
        "Ref,Customer Ref,Monthly,From\nS-1,A-1,9,2024-02-01\n",
    )
    ws.load([tmp_path / "in"], mapping=mapping)
    assert rows(ws, "accounts", "account_id, name") == [("A-1", "Acme")]
    assert rows(ws, "subscriptions", "subscription_id, account_id, mrr") == [("S-1", "A-1", 9.0)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Customer: acount_id\n",
            "'Customer' maps to 'acount_id', which is not a column of any "
            "table (did you mean 'account_id'?)",
        ),
        (
            "accounts:\n  Opened: opened_at\n",
            "'Opened' maps to 'opened_at', which is not a column of accounts",
        ),
        ("acounts:\n  Ref: account_id\n", "unknown table 'acounts' (did you mean 'accounts'?)"),
        (
            "- a\n- b\n",
            "expected a map 'source column: canonical column', or 'table: {source "
            "column: canonical column}'",
        ),
        ("a: [b\n", "cannot read the mapping: "),
    ],
)
def test_mapping_mistakes_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "map.yaml", text)
    with pytest.raises(UsageError) as caught:
        read_mapping(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_a_missing_mapping_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such mapping file"):
        read_mapping(tmp_path / "nope.yaml")


def test_a_mapped_header_colliding_with_a_canonical_one_is_reported() -> None:
    from tandem.load.mapping import Mapping

    result = assign(
        "accounts",
        ["account_id", "Ref", "name", "created_at"],
        Mapping(everywhere={"ref": "account_id"}),
    )
    assert result.problems == ("columns 'account_id' and 'Ref' both give account_id",)
