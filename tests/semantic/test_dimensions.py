"""Cutting metrics by account dimensions, worked out by hand.

The history (``COMPANY``), March 2024 unless said otherwise (opening day 29 Feb):

| account | segment | region | csm      | rep       | subscriptions                          |
|---------|---------|--------|----------|-----------|----------------------------------------|
| A       | SMB     | EU     | m1 (Ann) | r1 (Rita) | 100 Pro from 1 Jan                     |
| B       | SMB     | US     | m2 (Bob) | —         | 50 Basic, 1 Jan to valid_to 10 March   |
| C       | ENT     | EU     | m1 (Ann) | —         | 300 Pro 15 Feb – 20 March, then 400    |
|         |         |        |          |           | Enterprise                             |
| D       | —       | —      | —        | —         | 70 Basic from 5 March                  |

Overall March: S = {A, B, C}; E = {A, C, D}; B churns; D is new; MRR 100 + 400 + 70 = 570.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from tandem.errors import UsageError
from tests.seed import insert, sub

COMPANY = {
    "team_members": [
        {"member_id": "m1", "name": "Ann", "team": "customer_success"},
        {"member_id": "m2", "name": "Bob", "team": "customer_success"},
        {"member_id": "r1", "name": "Rita", "team": "sales"},
    ],
    "accounts": [
        {
            "account_id": "A",
            "name": "A",
            "created_at": "2023-12-01",
            "segment": "SMB",
            "region": "EU",
            "csm_id": "m1",
            "sales_rep_id": "r1",
        },
        {
            "account_id": "B",
            "name": "B",
            "created_at": "2023-12-01",
            "segment": "SMB",
            "region": "US",
            "csm_id": "m2",
        },
        {
            "account_id": "C",
            "name": "C",
            "created_at": "2023-12-01",
            "segment": "ENT",
            "region": "EU",
            "csm_id": "m1",
        },
        {"account_id": "D", "name": "D", "created_at": "2023-12-01"},
    ],
    "subscriptions": [
        sub("A", 100, "2024-01-01", plan="Pro"),
        sub("B", 50, "2024-01-01", "2024-03-10", plan="Basic"),
        sub("C", 300, "2024-02-15", "2024-03-20", plan="Pro"),
        sub("C", 400, "2024-03-20", plan="Enterprise"),
        sub("D", 70, "2024-03-05", plan="Basic"),
    ],
}
MARCH = {"start": "2024-03", "end": "2024-03"}


def groups(out: pd.DataFrame, *columns: str) -> dict[Any, dict[str, Any]]:
    """Rows keyed by their dimension value(s), a missing value as None."""

    def clean(v: Any) -> Any:
        return None if pd.isna(v) else v

    keyed = {}
    for rec in out.to_dict("records"):
        key = tuple(clean(rec[c]) for c in columns)
        keyed[key[0] if len(columns) == 1 else key] = {k: clean(v) for k, v in rec.items()}
    assert len(keyed) == len(out), "one row per group"
    return keyed


def test_by_segment_with_a_missing_segment_as_its_own_group(seeded):
    """March by segment:
    SMB {A, B}: S = 2, E = {A} = 1, B lost → churn 50 %; MRR 100; churned MRR 50.
    ENT {C}:    S = 1, E = 1 → churn 0 %; MRR 400; expansion 400 − 300 = 100.
    no segment {D}: S = 0 (churn has no value), E = 1, new 1, MRR 70 = new MRR 70.
    """
    ws = seeded(COMPANY)
    results = ws.compute(
        ["customers", "customer_churn_rate", "mrr", "new_customers"], by=["segment"], **MARCH
    )
    customers = groups(results["customers"].rows, "segment")
    assert set(customers) == {"SMB", "ENT", None}
    assert [customers[s]["value"] for s in ("SMB", "ENT", None)] == [1, 1, 1]
    assert [customers[s]["customers_at_start"] for s in ("SMB", "ENT", None)] == [2, 1, 0]
    assert [customers[s]["lost_customers"] for s in ("SMB", "ENT", None)] == [1, 0, 0]
    churn = groups(results["customer_churn_rate"].rows, "segment")
    assert (churn["SMB"]["value"], churn["ENT"]["value"], churn[None]["value"]) == (50.0, 0.0, None)
    mrr = groups(results["mrr"].rows, "segment")
    assert (mrr["SMB"]["value"], mrr["ENT"]["value"], mrr[None]["value"]) == (100.0, 400.0, 70.0)
    assert (mrr["SMB"]["churned_mrr"], mrr["ENT"]["expansion_mrr"], mrr[None]["new_mrr"]) == (
        50.0,
        100.0,
        70.0,
    )
    new = groups(results["new_customers"].rows, "segment")
    assert (new["SMB"]["value"], new["ENT"]["value"], new[None]["value"]) == (0, 0, 1)
    assert results["customers"].dimensions == ("segment",)


def test_several_dimensions_at_once(seeded):
    """March by segment and region: only the four combinations that exist.
    (SMB, EU) A: customers 1; (SMB, US) B: customers 0, churned 1; (ENT, EU) C: 1;
    (none, none) D: 1, new."""
    ws = seeded(COMPANY)
    out = ws.compute(["customers", "churned_customers"], by=["segment", "region"], **MARCH)
    customers = groups(out["customers"].rows, "segment", "region")
    assert {k: v["value"] for k, v in customers.items()} == {
        ("SMB", "EU"): 1,
        ("SMB", "US"): 0,
        ("ENT", "EU"): 1,
        (None, None): 1,
    }
    churned = groups(out["churned_customers"].rows, "segment", "region")
    assert {k: v["value"] for k, v in churned.items()} == {
        ("SMB", "EU"): 0,
        ("SMB", "US"): 1,
        ("ENT", "EU"): 0,
        (None, None): 0,
    }
    assert list(out["customers"].rows.columns[:4]) == ["period", "segment", "region", "value"]


def test_by_csm_adds_the_csm_name(seeded):
    """March by CSM: Ann (m1) has A and C: customers 2, MRR 100 + 400 = 500;
    Bob (m2) has B: customers 0, churned 1, MRR 0; no CSM: D, customers 1, MRR 70."""
    ws = seeded(COMPANY)
    out = ws.compute(["customers", "mrr", "churned_customers"], by=["csm"], **MARCH)
    rows = out["mrr"].rows
    assert list(rows.columns[:4]) == ["period", "csm_id", "csm_name", "value"]
    mrr = groups(rows, "csm_id", "csm_name")
    assert {k: v["value"] for k, v in mrr.items()} == {
        ("m1", "Ann"): 500.0,
        ("m2", "Bob"): 0.0,
        (None, None): 70.0,
    }
    customers = groups(out["customers"].rows, "csm_id", "csm_name")
    assert {k: v["value"] for k, v in customers.items()} == {
        ("m1", "Ann"): 2,
        ("m2", "Bob"): 0,
        (None, None): 1,
    }
    churned = groups(out["churned_customers"].rows, "csm_id")
    assert churned["m2"]["value"] == 1


def test_by_sales_rep_adds_the_reps_name(seeded):
    """March by sales rep: Rita (r1) has A: customers 1; no rep: B, C, D: customers 2
    (C and D), churned 1 (B)."""
    ws = seeded(COMPANY)
    out = ws.compute(["customers", "churned_customers"], by=["sales_rep"], **MARCH)
    customers = groups(out["customers"].rows, "sales_rep_id", "sales_rep_name")
    assert {k: v["value"] for k, v in customers.items()} == {("r1", "Rita"): 1, (None, None): 2}
    churned = groups(out["churned_customers"].rows, "sales_rep_id")
    assert (churned["r1"]["value"], churned[None]["value"]) == (0, 1)


def test_by_plan_uses_the_latest_row_started_by_the_periods_last_day(seeded):
    """The plan of each account in a period: its latest subscription row starting on or
    before the period's last day.

    February (last day 29 Feb): A Pro, B Basic, C Pro (row of 15 Feb), D none yet.
      Pro {A, C}: customers 2, S (31 Jan) = {A} = 1, new {C} 1, MRR 400.
      Basic {B}: customers 1, MRR 50. Enterprise: nobody → 0. No plan {D}: 0.
    March (last day 31 March): A Pro, B Basic (the plan it left from), C Enterprise (row of
      20 March), D Basic.
      Pro {A}: customers 1, MRR 100.
      Enterprise {C}: S = 1 (C paid on 29 Feb), customers 1, expansion 100, MRR 400.
      Basic {B, D}: S = {B} 1, customers {D} 1, churned 1, new 1; MRR 70, churned MRR 50.
      No plan: nobody → 0.
    """
    ws = seeded(COMPANY)
    out = ws.compute(
        ["customers", "mrr", "new_customers", "churned_customers"],
        by=["plan"],
        start="2024-02",
        end="2024-03",
    )
    feb = dt.date(2024, 2, 1)

    def month(slug: str, first: dt.date) -> dict[Any, dict[str, Any]]:
        rows = out[slug].rows
        return groups(rows[rows["period"] == first], "plan")

    customers = month("customers", feb)
    assert {k: v["value"] for k, v in customers.items()} == {
        "Pro": 2,
        "Basic": 1,
        "Enterprise": 0,
        None: 0,
    }
    assert customers["Pro"]["customers_at_start"] == 1
    assert {k: v["value"] for k, v in month("new_customers", feb).items()} == {
        "Pro": 1,
        "Basic": 0,
        "Enterprise": 0,
        None: 0,
    }
    assert {k: v["value"] for k, v in month("mrr", feb).items()} == {
        "Pro": 400.0,
        "Basic": 50.0,
        "Enterprise": 0.0,
        None: 0.0,
    }
    march = dt.date(2024, 3, 1)
    customers = month("customers", march)
    assert {k: v["value"] for k, v in customers.items()} == {
        "Pro": 1,
        "Basic": 1,
        "Enterprise": 1,
        None: 0,
    }
    assert customers["Enterprise"]["customers_at_start"] == 1
    assert customers["Basic"]["customers_at_start"] == 1
    mrr = month("mrr", march)
    assert {k: v["value"] for k, v in mrr.items()} == {
        "Pro": 100.0,
        "Basic": 70.0,
        "Enterprise": 400.0,
        None: 0.0,
    }
    assert mrr["Enterprise"]["expansion_mrr"] == 100.0
    assert (mrr["Basic"]["churned_mrr"], mrr["Basic"]["new_mrr"]) == (50.0, 70.0)
    assert month("churned_customers", march)["Basic"]["value"] == 1
    assert month("new_customers", march)["Basic"]["value"] == 1


def test_by_cohort_is_the_month_of_the_first_paid_day(seeded):
    """Cohort = YYYY-MM of the first day with MRR > 0.

    A, B first paid January 2024; C February; D March. F was on a free plan from
    November 2023 and pays from 1 Feb 2024 → cohort 2024-02, not 2023-11. G has only a
    free row → no cohort (its own, empty group, with no customers).
    March: 2024-01 {A, B}: customers 1, S 2, churned 1; 2024-02 {C, F}: customers 2;
    2024-03 {D}: customers 1, new 1; no cohort {G}: 0.
    """
    ws = seeded(
        {
            **COMPANY,
            "subscriptions": [
                *COMPANY["subscriptions"],
                sub("F", 0, "2023-11-01", "2024-02-01", plan="Free"),
                sub("F", 20, "2024-02-01", plan="Pro"),
                sub("G", 0, "2023-11-01", plan="Free"),
            ],
        }
    )
    out = ws.compute(["customers", "churned_customers", "new_customers"], by=["cohort"], **MARCH)
    customers = groups(out["customers"].rows, "cohort")
    assert {k: v["value"] for k, v in customers.items()} == {
        "2024-01": 1,
        "2024-02": 2,
        "2024-03": 1,
        None: 0,
    }
    assert customers["2024-01"]["customers_at_start"] == 2
    churned = groups(out["churned_customers"].rows, "cohort")
    assert churned["2024-01"]["value"] == 1
    new = groups(out["new_customers"].rows, "cohort")
    assert {k: v["value"] for k, v in new.items()} == {
        "2024-01": 0,
        "2024-02": 0,
        "2024-03": 1,
        None: 0,
    }


def test_an_extra_account_column_is_a_dimension(seeded):
    """A user-loaded column ``tier``: A and B gold, C silver, D without tier.
    March: gold {A, B}: customers 1, churned 1, churn 50 %; silver {C}: 1; none {D}: 1.
    Filtered to gold: the same churn 50 % and customers 1."""
    ws = seeded({})
    with ws.writer() as store:
        store.raw.execute("ALTER TABLE accounts ADD COLUMN tier VARCHAR")  # type: ignore[attr-defined]
    tiers = {"A": "gold", "B": "gold", "C": "silver", "D": None}
    insert(ws, "team_members", COMPANY["team_members"])
    insert(ws, "accounts", [{**a, "tier": tiers[a["account_id"]]} for a in COMPANY["accounts"]])
    insert(ws, "subscriptions", COMPANY["subscriptions"])
    out = ws.compute(["customers", "customer_churn_rate"], by=["tier"], **MARCH)
    customers = groups(out["customers"].rows, "tier")
    assert {k: v["value"] for k, v in customers.items()} == {"gold": 1, "silver": 1, None: 1}
    churn = groups(out["customer_churn_rate"].rows, "tier")
    assert churn["gold"]["value"] == 50.0
    gold = ws.compute(["customers", "customer_churn_rate"], where={"tier": "gold"}, **MARCH)
    assert gold["customers"].rows["value"].tolist() == [1]
    assert gold["customer_churn_rate"].rows["value"].tolist() == [50.0]


def test_where_keeps_only_the_matching_accounts(seeded):
    """Filtered to segment SMB ({A, B}), March: customers 1, churn 50 %, MRR 100,
    churned MRR 50; no dimension column is added. Filtered to CSM m1 ({A, C}): customers 2,
    MRR 500. Filtered to plan Basic ({B, D} in March): customers 1, churned 1, new 1."""
    ws = seeded(COMPANY)
    smb = ws.compute(["customers", "customer_churn_rate", "mrr"], where={"segment": "SMB"}, **MARCH)
    assert list(smb["mrr"].rows.columns[:2]) == ["period", "value"]
    assert smb["customers"].rows["value"].tolist() == [1]
    assert smb["customer_churn_rate"].rows["value"].tolist() == [50.0]
    assert smb["mrr"].rows["value"].tolist() == [100.0]
    assert smb["mrr"].rows["churned_mrr"].tolist() == [50.0]
    ann = ws.compute(["customers", "mrr"], where={"csm": "m1"}, **MARCH)
    assert ann["customers"].rows["value"].tolist() == [2]
    assert ann["mrr"].rows["value"].tolist() == [500.0]
    basic = ws.compute(
        ["customers", "churned_customers", "new_customers"], where={"plan": "Basic"}, **MARCH
    )
    assert [basic[s].rows["value"].tolist() for s in basic] == [[1], [1], [1]]


def test_where_and_by_together(seeded):
    """Filtered to region EU ({A, C}) and cut by segment: SMB {A} customers 1, ENT {C} 1;
    no other group appears."""
    ws = seeded(COMPANY)
    out = ws.metric("customers", by="segment", where={"region": "EU"}, **MARCH)
    assert {k: v["value"] for k, v in groups(out, "segment").items()} == {"SMB": 1, "ENT": 1}


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        ({"by": ["segmnt"]}, "did you mean 'segment'"),
        ({"by": ["regoin"]}, "did you mean 'region'"),
        ({"where": {"cohrt": "2024-01"}}, "did you mean 'cohort'"),
        ({"by": ["name"]}, "unknown dimension 'name'"),
    ],
)
def test_an_unknown_dimension_is_a_usage_error_with_a_suggestion(seeded, cut, message):
    ws = seeded(COMPANY)
    with pytest.raises(UsageError, match=message):
        ws.metric("customers", **MARCH, **cut)
