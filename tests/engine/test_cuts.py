"""Cuts that mean what they say: filters with operators, values that exist, own dimensions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tandem.errors import UsageError
from tandem.semantic.dimensions import Filter, Op
from tandem.service.workspace import Workspace
from tests.seed import insert, sub

MARCH = {"start": "2024-03-01", "end": "2024-03-31"}

ACCOUNTS = [
    {"account_id": "A", "name": "A", "segment": "Enterprise", "acquisition_channel": "paid",
     "sales_rep_id": "R1", "csm_id": "C1", "created_at": "2020-01-01"},
    {"account_id": "B", "name": "B", "segment": "SMB", "acquisition_channel": "organic",
     "sales_rep_id": "R1", "csm_id": "C2", "created_at": "2020-01-01"},
    {"account_id": "C", "name": "C", "segment": "SMB", "acquisition_channel": "paid",
     "sales_rep_id": "R2", "csm_id": "C2", "created_at": "2020-01-01"},
]  # fmt: skip
PEOPLE = [
    {"member_id": m, "name": n, "team": t}
    for m, n, t in [
        ("R1", "Rae", "sales"),
        ("R2", "Rob", "sales"),
        ("C1", "Cy", "customer_success"),
        ("C2", "Cam", "customer_success"),
    ]
]


def _ticket(tid: str, account: str, channel: str, contacts: int, priority: str = "low") -> dict:
    return {
        "ticket_id": tid,
        "account_id": account,
        "created_at": "2024-03-01",
        "resolved_at": "2024-03-02",
        "contacts": contacts,
        "escalated": False,
        "channel": channel,
        "priority": priority,
    }


def _deal(did: str, account: str, owner: str, outcome: str) -> dict:
    return {
        "deal_id": did,
        "account_id": account,
        "owner_id": owner,
        "type": "new_business",
        "created_at": "2024-02-01",
        "closed_at": "2024-03-10",
        "outcome": outcome,
        "qualified": True,
    }


@pytest.fixture
def ws(seeded: Callable[..., Workspace]) -> Workspace:
    return seeded(
        {
            "team_members": PEOPLE,
            "accounts": ACCOUNTS,
            "subscriptions": [sub(a, 100, "2024-01-01") for a in "ABC"],
            # A (paid) by email twice, B (organic) by chat: FCR by the ticket's channel.
            "tickets": [
                _ticket("t1", "A", "email", 1, "high"),
                _ticket("t2", "A", "email", 2),
                _ticket("t3", "B", "chat", 1),
                _ticket("t4", "C", "chat", 3, "high"),
            ],
            # Deals of account A (rep R1) are owned by R2: win rate by the deal's owner.
            "deals": [
                _deal("d1", "A", "R2", "won"),
                _deal("d2", "A", "R2", "lost"),
                _deal("d3", "B", "R1", "won"),
            ],
        }
    )


def _by(rows, column: str) -> dict:
    return {r[column]: r for r in rows.to_dict("records")}


def test_first_contact_resolution_by_channel_is_the_tickets_channel(ws: Workspace) -> None:
    """email: t1 (1 contact), t2 (2) → 1 of 2 = 50; chat: t3 (1), t4 (3) → 1 of 2 = 50.
    By the account's channel instead: paid = A, C → t1, t2, t4 → 1 of 3; organic = B → 1 of 1."""
    r = ws.compute(["first_contact_resolution"], by=["channel"], **MARCH)
    res = r["first_contact_resolution"]
    assert res.dimensions == ("ticket_channel",)
    rows = _by(res.rows, "ticket_channel")
    assert {
        k: (v["resolved_on_first_contact"], v["resolved_tickets"]) for k, v in rows.items()
    } == {
        "chat": (1, 2),
        "email": (1, 2),
    }
    acct = ws.compute(["first_contact_resolution"], by=["account.channel"], **MARCH)
    rows = _by(acct["first_contact_resolution"].rows, "acquisition_channel")
    assert rows["paid"]["value"] == pytest.approx(100 / 3)
    assert rows["organic"]["value"] == 100


def test_win_rate_by_sales_rep_is_the_deals_owner(ws: Workspace) -> None:
    """Owner R2: d1 won, d2 lost → 50 %; owner R1: d3 won → 100 %. By the account's rep:
    R1 owns A and B → d1, d2, d3 → 2 of 3."""
    res = ws.compute(["win_rate"], by=["sales_rep"], **MARCH)["win_rate"]
    rows = _by(res.rows, "deal_owner")
    assert {k: v["value"] for k, v in rows.items()} == {"R1": 100, "R2": 50}
    assert rows["R2"]["deal_owner_name"] == "Rob"
    acct = _by(ws.compute(["win_rate"], by=["account.sales_rep"], **MARCH)["win_rate"].rows,
               "sales_rep_id")  # fmt: skip
    assert acct["R1"]["value"] == pytest.approx(200 / 3)


def test_own_dimension_filters_and_priority(ws: Workspace) -> None:
    """High priority tickets: t1 (1 contact), t4 (3) → 50 %."""
    res = ws.compute(
        ["first_contact_resolution"], where=[Filter("priority", Op.EQ, ("high",))], **MARCH
    )["first_contact_resolution"]
    assert (res.rows["resolved_on_first_contact"][0], res.rows["resolved_tickets"][0]) == (1, 2)


def test_a_metric_without_the_dimension_is_refused_by_name(ws: Workspace) -> None:
    with pytest.raises(UsageError, match=r"^nps cannot be cut by ticket\.channel: only"):
        ws.compute(["nps"], by=["ticket.channel"], **MARCH)


def test_csm_and_sales_rep_together(ws: Workspace) -> None:
    """Each account in one (CSM, rep) group: C1/R1 = A, C2/R1 = B, C2/R2 = C."""
    res = ws.compute(["customers"], by=["csm", "account.sales_rep"], **MARCH)["customers"]
    got = sorted((r["csm_name"], r["sales_rep_name"], r["value"])
                 for r in res.rows.to_dict("records") if r["value"])  # fmt: skip
    assert got == [("Cam", "Rae", 1), ("Cam", "Rob", 1), ("Cy", "Rae", 1)]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (Filter("segment", Op.NE, ("SMB",)), 1),
        (Filter("segment", Op.IN, ("SMB", "Enterprise")), 3),
        (Filter("segment", Op.NOT_IN, ("SMB",)), 1),
        (Filter("csm", Op.EQ, ("C2",)), 2),
        (Filter("cohort", Op.GE, ("2024-01",)), 3),
        (Filter("cohort", Op.LT, ("2024-01",)), 0),
    ],
)
def test_filter_operators(ws: Workspace, flt: Filter, expected: int) -> None:
    res = ws.compute(["customers"], where=[flt], **MARCH)["customers"]
    assert res.rows["value"].tolist() == [expected]


def test_numeric_and_date_comparisons_use_the_columns_type(
    seeded: Callable[..., Workspace],
) -> None:
    """An extra column ``employees`` (a number): 9 < 100 < 1000 compare as numbers, not
    as text (as text, '1000' < '9')."""
    ws = seeded({})
    with ws.writer() as store:
        store.raw.execute("ALTER TABLE accounts ADD COLUMN employees BIGINT")  # type: ignore[attr-defined]
    insert(ws, "accounts", [
        {"account_id": a, "name": a, "created_at": c, "employees": n}
        for a, n, c in [("A", 9, "2023-01-01"), ("B", 100, "2023-06-01"), ("C", 1000, "2024-02-01")]
    ])  # fmt: skip
    insert(ws, "subscriptions", [sub(a, 100, "2024-01-01") for a in "ABC"])
    big = ws.compute(["customers"], where=[Filter("employees", Op.GE, ("100",))], **MARCH)
    assert big["customers"].rows["value"].tolist() == [2]


def test_unknown_values_are_refused_with_the_nearest(ws: Workspace) -> None:
    with pytest.raises(UsageError) as caught:
        ws.compute(["customers"], where={"segment": "enterprise"}, **MARCH)
    assert str(caught.value).startswith("no segment 'enterprise'; did you mean 'Enterprise'?")
    with pytest.raises(UsageError, match=r"no ticket\.channel 'fax'"):
        ws.compute(["first_contact_resolution"], where={"channel": "fax"}, **MARCH)


def test_values_reach_the_database_as_values_never_as_sql(ws: Workspace) -> None:
    """A hostile value is just a value: one that does not exist, or one compared as text
    ('Enterprise' and 'SMB' sort before 'x'); the tables are untouched."""
    hostile = "x'); DROP TABLE accounts; --"
    with pytest.raises(UsageError, match="no segment"):
        ws.compute(["customers"], where={"segment": hostile}, **MARCH)
    res = ws.compute(["customers"], where=[Filter("segment", Op.LT, (hostile,))], **MARCH)
    assert res["customers"].rows["value"].tolist() == [3]
    assert ws.row_counts()["accounts"] == 3
