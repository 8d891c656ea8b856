"""The book of accounts: built through a read session, queried with bound parameters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from tandem.accounts import AccountQuery, Book, SortKey, Status, build_book
from tandem.service.workspace import Workspace
from tests.company import TODAY, make_workspace


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    path = make_workspace(tmp_path_factory.mktemp("book"))
    with Workspace(path, today=lambda: TODAY) as ws, ws.read() as s:
        accounts, people = build_book(s, s.today)
    return Book(accounts, people, TODAY)


def test_mrr_and_status_on_the_day(book: Book) -> None:
    """See tests/company.py: on 2026-10-15 A1 pays 150 (since 2026-03-01), A2 ended
    2026-09-01, A3 1000, A4 300 (since 2026-05-01), A5 never paid."""
    rows = {r["account_id"]: r for r in book.query(AccountQuery(limit=10)).rows}
    assert {k: (r["mrr"], r["status"]) for k, r in rows.items()} == {
        "A1": (150.0, "customer"),
        "A2": (0.0, "churned"),
        "A3": (1000.0, "customer"),
        "A4": (300.0, "customer"),
        "A5": (0.0, "prospect"),
    }
    assert rows["A1"]["plan"] == "Growth" and rows["A1"]["seats"] == 15
    assert rows["A2"]["plan"] == "Starter"  # the plan it left from
    assert rows["A1"]["first_paid"] == dt.date(2025, 1, 1)
    assert rows["A4"]["csm_name"] == "Dan Ortiz" and rows["A4"]["sales_rep_name"] is None


def test_an_earlier_day(tmp_path: Path) -> None:
    """On 2026-04-15 A4 still paid 400 and A2 50; A1 had moved to 150 on 2026-03-01."""
    path = make_workspace(tmp_path)
    with Workspace(path) as ws, ws.read() as s:
        accounts, _ = build_book(s, dt.date(2026, 4, 15))
    mrr = dict(zip(accounts["account_id"].to_pylist(), accounts["mrr"].to_pylist(), strict=True))
    assert mrr == {"A1": 150.0, "A2": 50.0, "A3": 1000.0, "A4": 400.0, "A5": 0.0}


def test_owner_limits_the_book(book: Book) -> None:
    page = book.query(AccountQuery(owner="R1", sort=SortKey.NAME, descending=False))
    assert [r["account_id"] for r in page.rows] == ["A1", "A2", "A5", "A3"]
    assert page.total == 4 and page.total_mrr == 1150.0
    assert book.get("A4", owner="R1") is None
    assert book.get("A4") is not None


def test_values_are_parameters_not_sql(book: Book) -> None:
    hostile = "x' OR '1'='1"
    for q in (
        AccountQuery(search=hostile),
        AccountQuery(segment=hostile),
        AccountQuery(owner=hostile),
        AccountQuery(csm_id="E1' --"),
    ):
        assert book.query(q).total == 0
    assert book.get("A1' OR '1'='1") is None
    assert book.query(AccountQuery(status=Status.PROSPECT)).total == 1


def test_attach_fills_health(book: Book) -> None:
    extra = pa.table(
        {"account_id": ["A1", "A3"], "health_score": [35.0, 80.0], "health_band": ["red", "green"]}
    )
    book.attach(extra)
    page = book.query(AccountQuery(sort=SortKey.HEALTH, descending=False))
    assert [(r["account_id"], r["health_score"]) for r in page.rows][:2] == [
        ("A1", 35.0),
        ("A3", 80.0),
    ]
    assert [r["account_id"] for r in book.query(AccountQuery(band="red")).rows] == ["A1"]
    # Accounts without a score sort last either way.
    assert page.rows[-1]["health_score"] is None
