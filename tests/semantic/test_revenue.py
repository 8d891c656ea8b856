"""Customer and revenue metrics against values worked out by hand.

Periods are months unless a test says otherwise. The opening day of March 2024 is
29 February; the last day is 31 March. m0 / m1 are an account's MRR on those two days.
Each test computes the metrics it checks in one pass (``series`` / ``rows``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.seed import rows, series, sub

MARCH = dt.date(2024, 3, 1)


def test_churn_and_retention_with_the_traps(seeded):
    """Five accounts through March 2024.

    A: paying 100 all along                          → in S, retained.
    B: 200 until valid_to 2024-03-01 (exclusive):    last paid day 29 Feb, so in S
       and gone on 31 March                          → churned in March, not February.
    C: starts 2024-03-01 (a change on the 1st belongs to March): m0 = 0, m1 = 50
                                                     → new, in N, not in S.
    D: pays 80, leaves 5 March, returns 20 March     → in S and in E: retained.
    E: starts 10 March, ends 25 March                → new customer, but in neither S nor E.

    S = {A, B, D} = 3; E = {A, C, D} = 3; N = {C} = 1; lost = {B} = 1.
    churn = 100 × 1 / 3 = 33.33…; retention = 100 × (3 − 1) / 3 = 66.66…
    new customers = {C, E} = 2.
    """
    ws = seeded(
        {
            "subscriptions": [
                {
                    "subscription_id": "a",
                    "account_id": "A",
                    "mrr": 100.0,
                    "valid_from": "2024-01-01",
                },
                {
                    "subscription_id": "b",
                    "account_id": "B",
                    "mrr": 200.0,
                    "valid_from": "2024-01-01",
                    "valid_to": "2024-03-01",
                },
                {
                    "subscription_id": "c",
                    "account_id": "C",
                    "mrr": 50.0,
                    "valid_from": "2024-03-01",
                },
                {
                    "subscription_id": "d1",
                    "account_id": "D",
                    "mrr": 80.0,
                    "valid_from": "2024-01-01",
                    "valid_to": "2024-03-05",
                },
                {
                    "subscription_id": "d2",
                    "account_id": "D",
                    "mrr": 80.0,
                    "valid_from": "2024-03-20",
                },
                {
                    "subscription_id": "e",
                    "account_id": "E",
                    "mrr": 30.0,
                    "valid_from": "2024-03-10",
                    "valid_to": "2024-03-25",
                },
            ]
        }
    )
    got = series(
        ws,
        "customer_churn_rate",
        "customer_retention_rate",
        "new_customers",
        "customers",
        "churned_customers",
        start="2024-02",
        end="2024-03",
    )
    march = rows(ws, "customer_churn_rate", period="2024-03")["customer_churn_rate"]
    assert (march["lost_customers"], march["customers_at_start"]) == (1, 3)
    assert got["customer_churn_rate"][1] == pytest.approx(100 / 3)
    assert got["customer_retention_rate"][1] == pytest.approx(200 / 3)
    assert got["new_customers"][1] == 2
    assert got["customers"][1] == 3
    # B was still a customer on 29 February, the last day of February: not churned then.
    assert got["churned_customers"] == [0, 1]


def test_mrr_movements_add_up(seeded):
    """March 2024, by account (m0 → m1):

    A 100 → 150 expansion 50; B 200 → 120 contraction 80; C 300 → 0 churn 300;
    D 0 → 60 new (never paid); R 0 → 90 reactivation (paid in January);
    F 40 → 0 by moving to a zero-MRR plan: churn 40.

    MRR on 29 Feb = 100 + 200 + 300 + 40 = 640; on 31 March = 150 + 120 + 60 + 90 = 420.
    640 + 60 + 50 + 90 − 80 − 340 = 420.
    NRR = 100 × (150 + 120 + 0 + 0) / 640 = 42.1875; GRR = 100 × (100 + 120) / 640 = 34.375.
    Revenue churn = 100 × (340 + 80) / 640 = 65.625.
    """
    ws = seeded(
        {
            "subscriptions": [
                {
                    "subscription_id": "a1",
                    "account_id": "A",
                    "mrr": 100.0,
                    "valid_from": "2024-01-01",
                    "valid_to": "2024-03-15",
                },
                {
                    "subscription_id": "a2",
                    "account_id": "A",
                    "mrr": 150.0,
                    "valid_from": "2024-03-15",
                },
                {
                    "subscription_id": "b1",
                    "account_id": "B",
                    "mrr": 200.0,
                    "valid_from": "2024-01-01",
                    "valid_to": "2024-03-02",
                },
                {
                    "subscription_id": "b2",
                    "account_id": "B",
                    "mrr": 120.0,
                    "valid_from": "2024-03-02",
                },
                {
                    "subscription_id": "c1",
                    "account_id": "C",
                    "mrr": 300.0,
                    "valid_from": "2024-01-01",
                    "valid_to": "2024-03-31",
                },
                {
                    "subscription_id": "d1",
                    "account_id": "D",
                    "mrr": 60.0,
                    "valid_from": "2024-03-31",
                },
                {
                    "subscription_id": "r1",
                    "account_id": "R",
                    "mrr": 90.0,
                    "valid_from": "2024-01-01",
                    "valid_to": "2024-02-01",
                },
                {
                    "subscription_id": "r2",
                    "account_id": "R",
                    "mrr": 90.0,
                    "valid_from": "2024-03-10",
                },
                {
                    "subscription_id": "f1",
                    "account_id": "F",
                    "mrr": 40.0,
                    "valid_from": "2024-01-01",
                    "valid_to": "2024-03-03",
                },
                {
                    "subscription_id": "f2",
                    "account_id": "F",
                    "mrr": 0.0,
                    "plan": "Free",
                    "valid_from": "2024-03-03",
                },
            ]
        }
    )
    got = rows(
        ws,
        "mrr",
        "arr",
        "net_revenue_retention",
        "gross_revenue_retention",
        "existing_customer_revenue_growth_rate",
        "revenue_churn_rate",
        "arpc",
        period="2024-03",
    )
    mrr = got["mrr"]
    assert mrr["mrr_at_start"] == 640
    assert mrr["mrr_at_end"] == mrr["value"] == 420
    assert (mrr["new_mrr"], mrr["expansion_mrr"], mrr["reactivation_mrr"]) == (60, 50, 90)
    assert (mrr["contraction_mrr"], mrr["churned_mrr"]) == (80, 340)
    assert got["arr"]["value"] == 12 * 420
    assert got["net_revenue_retention"]["value"] == 42.1875
    assert got["gross_revenue_retention"]["value"] == 34.375
    assert got["existing_customer_revenue_growth_rate"]["value"] == 42.1875 - 100
    assert got["revenue_churn_rate"]["value"] == 65.625
    assert got["arpc"]["value"] == 420 / 4


def test_empty_denominators_have_no_value_and_periods_do_not_vanish(seeded):
    """Nobody pays before April: January to March have S = 0, so churn has no value,
    while counts are 0 and every month is listed."""
    ws = seeded(
        {
            "subscriptions": [
                {
                    "subscription_id": "a",
                    "account_id": "A",
                    "mrr": 10.0,
                    "valid_from": "2024-04-10",
                },
            ]
        }
    )
    got = series(ws, "customer_churn_rate", "customers", start="2024-01", end="2024-05")
    assert got["customer_churn_rate"] == [None, None, None, None, 0.0]
    assert got["customers"] == [0, 0, 0, 1, 1]


def test_customer_counts_walk_from_opening_day_to_last_day(seeded):
    """Customers, new and churned customers, January to April 2024.

    A 100 from 1 Jan; B 200 from 1 Jan to valid_to 1 March (last paid day 29 Feb);
    C 50 from 1 March; D 80 from 1 Jan, gap 5–19 March, back on 20 March;
    E 30 from 10 to 25 March; G paid 40 from June to August 2023, back at 60 on 15 March.

    January (opening day 31 Dec 2023): S = 0; E = {A, B, D} = 3, all first paid in January.
    February (opening 31 Jan): S = E = {A, B, D} = 3; nobody new.
    March (opening 29 Feb): S = {A, B, D} = 3; E = {A, C, D, G} = 4;
      gained N = {C, G} = 2; lost = {B} = 1; E = S + gained − lost = 3 + 2 − 1 = 4.
      new customers = first-ever paid day in March = {C, E} = 2 (G paid in 2023: back, not new).
      churn = 100 × 1 / 3; retention = 100 × (E − N) / S = 100 × (4 − 2) / 3.
    April (opening 31 March): S = E = {A, C, D, G} = 4.
    """
    ws = seeded(
        {
            "subscriptions": [
                sub("A", 100, "2024-01-01"),
                sub("B", 200, "2024-01-01", "2024-03-01"),
                sub("C", 50, "2024-03-01"),
                sub("D", 80, "2024-01-01", "2024-03-05"),
                sub("D", 80, "2024-03-20"),
                sub("E", 30, "2024-03-10", "2024-03-25"),
                sub("G", 40, "2023-06-01", "2023-09-01"),
                sub("G", 60, "2024-03-15"),
            ]
        }
    )
    slugs = (
        "customers",
        "new_customers",
        "churned_customers",
        "customer_churn_rate",
        "customer_retention_rate",
    )
    got = series(ws, *slugs, start="2024-01", end="2024-04")
    assert got["customers"] == [3, 3, 4, 4]
    assert got["new_customers"] == [3, 0, 2, 0]
    assert got["churned_customers"] == [0, 0, 1, 0]
    assert got["customer_churn_rate"] == [None, 0.0, pytest.approx(100 / 3), 0.0]
    assert got["customer_retention_rate"] == [None, 100.0, pytest.approx(200 / 3), 100.0]
    march = rows(ws, *slugs, period="2024-03")
    assert march["customers"] == {
        "period": MARCH,
        "value": 4,
        "customers_at_start": 3,
        "gained_customers": 2,
        "lost_customers": 1,
        "customers_at_end": 4,
    }
    assert march["churned_customers"] == {
        "period": MARCH,
        "value": 1,
        "lost_customers": 1,
        "customers_at_start": 3,
    }
    assert march["new_customers"] == {"period": MARCH, "value": 2, "first_time_customers": 2}
    assert march["customer_churn_rate"] == {
        "period": MARCH,
        "value": pytest.approx(100 / 3),
        "lost_customers": 1,
        "customers_at_start": 3,
    }
    assert march["customer_retention_rate"] == {
        "period": MARCH,
        "value": pytest.approx(200 / 3),
        "customers_at_end": 4,
        "gained_customers": 2,
        "customers_at_start": 3,
    }


def test_leaving_and_returning_within_the_period_is_the_net_change(seeded):
    """March 2024. D and K both pay 80, stop on 5 March and come back on 20 March:
    D at 120, K at 50. P is new at 500 from 10 March.

    D: m0 = 80, m1 = 120 → expansion 40 (no churn, no reactivation).
    K: m0 = 80, m1 = 50  → contraction 30.
    P: m0 = 0, m1 = 500, never paid before → new 500.
    S = {D, K} = 2, both customers on 31 March: churn 0 %, retention 100 × (3 − 1) / 2 = 100 %.
    MRR: start 160, end 120 + 50 + 500 = 670 = 160 + 500 + 40 − 30.
    NRR over S = 100 × (120 + 50) / 160 = 106.25 (P excluded); growth = 6.25.
    GRR = 100 × (min(80, 120) + min(80, 50)) / 160 = 100 × 130 / 160 = 81.25.
    Revenue churn = 100 × (0 + 30) / 160 = 18.75.
    """
    ws = seeded(
        {
            "subscriptions": [
                sub("D", 80, "2024-01-01", "2024-03-05"),
                sub("D", 120, "2024-03-20"),
                sub("K", 80, "2024-01-01", "2024-03-05"),
                sub("K", 50, "2024-03-20"),
                sub("P", 500, "2024-03-10"),
            ]
        }
    )
    got = rows(
        ws,
        "mrr",
        "customer_churn_rate",
        "customer_retention_rate",
        "churned_customers",
        "net_revenue_retention",
        "existing_customer_revenue_growth_rate",
        "gross_revenue_retention",
        "revenue_churn_rate",
        period="2024-03",
    )
    assert got["mrr"] == {
        "period": MARCH,
        "value": 670.0,
        "mrr_at_start": 160.0,
        "new_mrr": 500.0,
        "expansion_mrr": 40.0,
        "reactivation_mrr": 0.0,
        "contraction_mrr": 30.0,
        "churned_mrr": 0.0,
        "mrr_at_end": 670.0,
    }
    assert got["customer_churn_rate"]["value"] == 0.0
    assert got["customer_retention_rate"]["value"] == 100.0
    assert got["churned_customers"]["value"] == 0
    assert got["net_revenue_retention"] == {
        "period": MARCH,
        "value": 106.25,
        "start_customers_mrr_at_end": 170.0,
        "mrr_at_start": 160.0,
    }
    assert got["existing_customer_revenue_growth_rate"] == {
        "period": MARCH,
        "value": 6.25,
        "start_customers_mrr_at_end": 170.0,
        "mrr_at_start": 160.0,
    }
    assert got["gross_revenue_retention"] == {
        "period": MARCH,
        "value": 81.25,
        "start_customers_mrr_kept": 130.0,
        "mrr_at_start": 160.0,
    }
    assert got["revenue_churn_rate"] == {
        "period": MARCH,
        "value": 18.75,
        "churned_mrr": 0.0,
        "contraction_mrr": 30.0,
        "mrr_at_start": 160.0,
    }


def test_a_customer_new_and_gone_within_the_period(seeded):
    """A pays 100 all along. N pays 70 from 5 to 20 March 2024, and again from 10 May.

    March: N's first-ever paid day is 5 March → a new customer; but m0 = m1 = 0, so N is in
    neither S nor E: churned customers 0, churn 100 × 0 / 1 = 0, retention 100 × (1 − 0) / 1,
    and N moves no MRR (new MRR 0, churned MRR 0).
    April: N is not new again (first paid in March) and not in S.
    May: m0 = 0 < m1 = 70 and N paid before → reactivation 70 (opening MRR 100), not new.
    """
    ws = seeded(
        {
            "subscriptions": [
                sub("A", 100, "2024-01-01"),
                sub("N", 70, "2024-03-05", "2024-03-20"),
                sub("N", 70, "2024-05-10"),
            ]
        }
    )
    got = series(
        ws,
        "new_customers",
        "churned_customers",
        "customers",
        "customer_churn_rate",
        "customer_retention_rate",
        "new_mrr",
        "churned_mrr",
        "reactivation_mrr",
        start="2024-03",
        end="2024-05",
    )
    assert got == {
        "new_customers": [1, 0, 0],
        "churned_customers": [0, 0, 0],
        "customers": [1, 1, 2],
        "customer_churn_rate": [0.0, 0.0, 0.0],
        "customer_retention_rate": [100.0, 100.0, 100.0],
        "new_mrr": [0.0, 0.0, 0.0],
        "churned_mrr": [0.0, 0.0, 0.0],
        "reactivation_mrr": [0.0, 0.0, 70.0],
    }
    may = rows(ws, "reactivation_mrr", period="2024-05")["reactivation_mrr"]
    assert (may["reactivation_mrr"], may["mrr_at_start"]) == (70.0, 100.0)


def test_several_rows_of_one_account_add_up(seeded):
    """A pays 100 from 1 Jan 2024, plus an add-on of 50 from 10 March to valid_to 1 April
    (last day 31 March) and a seat pack of 30 from 31 March to 15 April.

    March: m0 (29 Feb) = 100; m1 (31 March) = 100 + 50 + 30 = 180 → expansion 80.
    April: m0 (31 March) = 180; m1 (30 April) = 100 → contraction 80.
    One account: customers = 1 in both months; ARPC = 180 / 1, then 100 / 1;
    ARR March = 12 × 180 = 2160.
    """
    ws = seeded(
        {
            "subscriptions": [
                sub("A", 100, "2024-01-01"),
                sub("A", 50, "2024-03-10", "2024-04-01"),
                sub("A", 30, "2024-03-31", "2024-04-15"),
            ]
        }
    )
    got = series(
        ws,
        "mrr",
        "arr",
        "expansion_mrr",
        "contraction_mrr",
        "customers",
        "arpc",
        start="2024-03",
        end="2024-04",
    )
    assert got == {
        "mrr": [180.0, 100.0],
        "arr": [2160.0, 1200.0],
        "expansion_mrr": [80.0, 0.0],
        "contraction_mrr": [0.0, 80.0],
        "customers": [1, 1],
        "arpc": [180.0, 100.0],
    }
    march = rows(ws, "arpc", "expansion_mrr", period="2024-03")
    assert march["arpc"] == {
        "period": MARCH,
        "value": 180.0,
        "mrr_at_end": 180.0,
        "customers_at_end": 1,
    }
    assert march["expansion_mrr"] == {
        "period": MARCH,
        "value": 80.0,
        "expansion_mrr": 80.0,
        "mrr_at_start": 100.0,
    }


def test_a_free_plan_is_not_paying(seeded):
    """F pays 40 (Pro) from 1 Jan 2024, moves to Free (MRR 0) on 3 March, back to Pro on
    1 May. Z starts on Free on 1 Jan and pays 25 from 1 April.

    customers Jan–May: F, F, none, Z, F + Z = [1, 1, 0, 1, 2].
    March: F has m0 = 40 > 0 = m1 → churned customer (churn 100 %), churned MRR 40.
    April: S = 0 → churn has no value; Z's first paid day is 1 April → new, new MRR 25
      (the free months do not count as paying before).
    May: F has m0 = 0 < m1 = 40 and paid before → reactivation 40, not new.
    new customers Jan–May: F in January, Z in April = [1, 0, 0, 1, 0].
    ARPC: 40 / 1, 40 / 1, no value (E = 0), 25 / 1, 65 / 2 = 32.5.
    """
    ws = seeded(
        {
            "subscriptions": [
                sub("F", 40, "2024-01-01", "2024-03-03", plan="Pro"),
                sub("F", 0, "2024-03-03", "2024-05-01", plan="Free"),
                sub("F", 40, "2024-05-01", plan="Pro"),
                sub("Z", 0, "2024-01-01", "2024-04-01", plan="Free"),
                sub("Z", 25, "2024-04-01", plan="Pro"),
            ]
        }
    )
    got = series(
        ws,
        "customers",
        "new_customers",
        "churned_customers",
        "customer_churn_rate",
        "churned_mrr",
        "new_mrr",
        "reactivation_mrr",
        "arpc",
        start="2024-01",
        end="2024-05",
    )
    assert got == {
        "customers": [1, 1, 0, 1, 2],
        "new_customers": [1, 0, 0, 1, 0],
        "churned_customers": [0, 0, 1, 0, 0],
        "customer_churn_rate": [None, 0.0, 100.0, None, 0.0],
        "churned_mrr": [0.0, 0.0, 40.0, 0.0, 0.0],
        "new_mrr": [40.0, 0.0, 0.0, 25.0, 0.0],
        "reactivation_mrr": [0.0, 0.0, 0.0, 0.0, 40.0],
        "arpc": [40.0, 40.0, None, 25.0, 32.5],
    }


def test_valid_to_is_exclusive_and_the_first_of_the_month_opens_it(seeded):
    """B pays 200 from 15 Jan to valid_to 1 April 2024; J pays 70 to valid_to 31 March;
    C pays 300 from 1 April.

    March (opening 29 Feb, last day 31 March): S = {B, J}; J's last paid day is 30 March,
    so E = {B}: J churns in March (churned MRR 70, churn 50 %), B does not.
    April (opening 31 March): S = {B}; B's last paid day was 31 March → churned in April
    (churned MRR 200, churn 100 %); C starts on the 1st → new in April (new MRR 300).
    """
    ws = seeded(
        {
            "subscriptions": [
                sub("B", 200, "2024-01-15", "2024-04-01"),
                sub("J", 70, "2024-01-01", "2024-03-31"),
                sub("C", 300, "2024-04-01"),
            ]
        }
    )
    got = series(
        ws,
        "churned_mrr",
        "new_mrr",
        "mrr",
        "customers",
        "churned_customers",
        "customer_churn_rate",
        "new_customers",
        start="2024-03",
        end="2024-04",
    )
    assert got == {
        "churned_mrr": [70.0, 200.0],
        "new_mrr": [0.0, 300.0],
        "mrr": [200.0, 300.0],
        "customers": [1, 1],
        "churned_customers": [1, 1],
        "customer_churn_rate": [50.0, 100.0],
        "new_customers": [0, 1],
    }


GRACE_ROWS = [
    # G: 100 to valid_to 28 March, back at 150 on 4 April: unpaid 28 March – 3 April = 7 days.
    sub("G", 100, "2024-01-01", "2024-03-28"),
    sub("G", 150, "2024-04-04"),
    # H: 100 to valid_to 28 March, back at 100 on 5 April: unpaid 28 March – 4 April = 8 days.
    sub("H", 100, "2024-01-01", "2024-03-28"),
    sub("H", 100, "2024-04-05"),
    # M: two rows (60 + 40) both ending 28 March, back at 100 on 2 April: a 5-day gap.
    sub("M", 60, "2024-01-01", "2024-03-28"),
    sub("M", 40, "2024-02-01", "2024-03-28"),
    sub("M", 100, "2024-04-02"),
]


def test_churn_grace_days_covers_short_gaps_at_the_pre_gap_mrr(seeded):
    """churn_grace_days = 7, March and April 2024 (rows in GRACE_ROWS).

    G's 7-day gap and M's 5-day gap are covered: on 31 March G still pays 100 and M 100
    (60 + 40, the MRR of their last day before the gap). H's 8-day gap is not.
    March: S = {G, H, M} = 3, m0 = 300; E = {G, M}; lost = {H} → churn 100 / 3;
      churned MRR 100; MRR on 31 March = 200.
    April: S = {G, M}, m0 = 200; G 100 → 150 = expansion 50; M 100 → 100; H back:
      reactivation 100 (not new). MRR on 30 April = 350 = 200 + 50 + 100. Churn 0.
    No bridge makes anyone new: new customers 0 in both months.
    """
    ws = seeded({"subscriptions": GRACE_ROWS}, churn_grace_days=7)
    window = {"start": "2024-03", "end": "2024-04"}
    results = ws.compute(["mrr", "customer_churn_rate", "customers", "new_customers"], **window)
    mrr = results["mrr"].rows
    assert mrr["mrr_at_start"].tolist() == [300.0, 200.0]
    assert mrr["mrr_at_end"].tolist() == [200.0, 350.0]
    assert mrr["churned_mrr"].tolist() == [100.0, 0.0]
    assert mrr["expansion_mrr"].tolist() == [0.0, 50.0]
    assert mrr["reactivation_mrr"].tolist() == [0.0, 100.0]
    assert mrr["new_mrr"].tolist() == [0.0, 0.0]
    assert results["customer_churn_rate"].rows["value"].tolist() == [pytest.approx(100 / 3), 0.0]
    assert results["customers"].rows["value"].tolist() == [2, 3]
    assert results["new_customers"].rows["value"].tolist() == [0, 0]
    assert results["mrr"].knobs == {"churn_grace_days": 7}


def test_without_grace_every_gap_is_churn_and_reactivation(seeded):
    """The same rows (GRACE_ROWS) with the default churn_grace_days = 0.

    March: S = {G, H, M} = 3, none pays on 31 March → churn 100 %, churned MRR 300.
    April: S = 0; G 150, H 100, M 100 all come back having paid before → reactivation 350.
    """
    ws = seeded({"subscriptions": GRACE_ROWS})
    got = series(
        ws,
        "customer_churn_rate",
        "churned_mrr",
        "reactivation_mrr",
        "expansion_mrr",
        "customers",
        "new_customers",
        start="2024-03",
        end="2024-04",
    )
    assert got == {
        "customer_churn_rate": [100.0, None],
        "churned_mrr": [300.0, 0.0],
        "reactivation_mrr": [0.0, 350.0],
        "expansion_mrr": [0.0, 0.0],
        "customers": [0, 3],
        "new_customers": [0, 0],
    }


def test_a_one_day_gap_is_churn_unless_grace_covers_it(seeded):
    """Weeks. A pays 100 to valid_to Sunday 10 March 2024 (last day Saturday 9 March) and
    again from Monday 11 March. On Sunday 10 March, the last day of the week of 4 March,
    A pays nothing.

    grace 0: week of 4 March: churned (m0 = 100 on Sunday 3 March, m1 = 0); week of
      11 March: reactivation 100.
    grace 1: the one-day gap is covered: no churn, no reactivation, MRR 100 on 10 March.
    """
    subs = {
        "subscriptions": [sub("A", 100, "2024-01-01", "2024-03-10"), sub("A", 100, "2024-03-11")]
    }
    slugs = ("churned_mrr", "reactivation_mrr", "mrr", "churned_customers")
    window = {"grain": "week", "start": "2024-03-04", "end": "2024-03-17"}
    assert series(seeded(subs), *slugs, **window) == {
        "churned_mrr": [100.0, 0.0],
        "reactivation_mrr": [0.0, 100.0],
        "mrr": [0.0, 100.0],
        "churned_customers": [1, 0],
    }
    assert series(seeded(subs, churn_grace_days=1), *slugs, **window) == {
        "churned_mrr": [0.0, 0.0],
        "reactivation_mrr": [0.0, 0.0],
        "mrr": [100.0, 100.0],
        "churned_customers": [0, 0],
    }


def test_weeks_are_iso_weeks_starting_on_monday(seeded):
    """Weeks of Monday 4 March and Monday 11 March 2024, asked for from Wednesday 6 March
    to Tuesday 12 March.

    A pays 100 from Monday 4 March (the week's first day: new in that week, its opening
    day being Sunday 3 March). B pays 50 to valid_to Monday 11 March (last paid day Sunday
    10 March). C pays 20 from Sunday 10 March.
    Week 1 (4–10 March): S = {B}; E = {A, B, C} = 3; new 2; MRR 50 → 170, new MRR 120.
    Week 2 (11–17 March): S = {A, B, C}; E = {A, C}; B churns: churn 100 / 3, churned 50.
    The ISO week holding Wednesday 1 January 2025 starts on Monday 30 December 2024.
    """
    ws = seeded(
        {
            "subscriptions": [
                sub("A", 100, "2024-03-04"),
                sub("B", 50, "2024-01-01", "2024-03-11"),
                sub("C", 20, "2024-03-10"),
            ]
        }
    )
    results = ws.compute(
        ["mrr", "customers", "new_customers", "customer_churn_rate"],
        grain="week",
        start="2024-03-06",
        end="2024-03-12",
    )
    mrr = results["mrr"].rows
    assert mrr["period"].tolist() == [dt.date(2024, 3, 4), dt.date(2024, 3, 11)]
    assert mrr["mrr_at_start"].tolist() == [50.0, 170.0]
    assert mrr["value"].tolist() == [170.0, 120.0]
    assert mrr["new_mrr"].tolist() == [120.0, 0.0]
    assert mrr["churned_mrr"].tolist() == [0.0, 50.0]
    assert results["customers"].rows["value"].tolist() == [3, 2]
    assert results["new_customers"].rows["value"].tolist() == [2, 0]
    assert results["customer_churn_rate"].rows["value"].tolist() == [0.0, pytest.approx(100 / 3)]
    first = ws.metric("customers", grain="week", start="2025-01-01", end="2025-01-01")
    assert first["period"].tolist() == [dt.date(2024, 12, 30)]


def test_quarters_and_years(seeded):
    """A pays 100 from 15 Nov 2023. B pays 200 from 1 May 2023 to valid_to 1 Jan 2024
    (last day 31 Dec 2023). C pays 30 from 10 Feb to 1 March 2024. D pays 60 from 31 March.

    Q4 2023 (opening 30 Sep): S = {B}; E = {A, B}; new {A}: new MRR 100; MRR 300.
    Q1 2024 (opening 31 Dec 2023): S = {A, B}; E = {A, D}; lost {B}: churn 50 %,
      retention 100 × (2 − 1) / 2 = 50 %; new {C, D} = 2; MRR 300 → 160: churned 200, new 60.
    2023 (opening 31 Dec 2022): S = 0 (no churn value); E = {A, B}; new 2; new MRR 300.
    2024 (opening 31 Dec 2023): S = {A, B}; E = {A, D}: churn 50 %; new 2; MRR 160.
    """
    ws = seeded(
        {
            "subscriptions": [
                sub("A", 100, "2023-11-15"),
                sub("B", 200, "2023-05-01", "2024-01-01"),
                sub("C", 30, "2024-02-10", "2024-03-01"),
                sub("D", 60, "2024-03-31"),
            ]
        }
    )
    slugs = ["mrr", "customer_churn_rate", "customer_retention_rate", "new_customers", "customers"]
    q = ws.compute(slugs, grain="quarter", start="2023-11-01", end="2024-02-01")
    assert q["mrr"].rows["period"].tolist() == [dt.date(2023, 10, 1), dt.date(2024, 1, 1)]
    assert q["mrr"].rows["value"].tolist() == [300.0, 160.0]
    assert q["mrr"].rows["new_mrr"].tolist() == [100.0, 60.0]
    assert q["mrr"].rows["churned_mrr"].tolist() == [0.0, 200.0]
    assert q["customer_churn_rate"].rows["value"].tolist() == [0.0, 50.0]
    assert q["customer_retention_rate"].rows["value"].tolist() == [100.0, 50.0]
    assert q["new_customers"].rows["value"].tolist() == [1, 2]
    assert q["customers"].rows["value"].tolist() == [2, 2]
    y = ws.compute(slugs, grain="year", start="2023-06-30", end="2024-12-31")
    assert y["mrr"].rows["period"].tolist() == [dt.date(2023, 1, 1), dt.date(2024, 1, 1)]
    assert y["mrr"].rows["value"].tolist() == [300.0, 160.0]
    assert y["mrr"].rows["new_mrr"].tolist() == [300.0, 60.0]
    assert y["mrr"].rows["churned_mrr"].tolist() == [0.0, 200.0]
    assert y["customer_churn_rate"].rows["value"].isna().tolist() == [True, False]
    assert y["customer_churn_rate"].rows["value"].iloc[1] == 50.0
    assert y["new_customers"].rows["value"].tolist() == [2, 2]
    assert y["customers"].rows["value"].tolist() == [2, 2]


def test_revenue_ratios_have_no_value_without_opening_revenue(seeded):
    """A starts paying 100 on 1 Feb 2024. January: no MRR on 31 Dec or 31 Jan, so
    revenue churn, NRR, GRR, growth and ARPC (E = 0) have no value; MRR and ARR are 0.
    February: m0 = 0 still (opening day 31 Jan) → the ratios have no value; ARPC = 100 / 1.
    """
    ws = seeded({"subscriptions": [sub("A", 100, "2024-02-01")]})
    got = series(
        ws,
        "revenue_churn_rate",
        "net_revenue_retention",
        "gross_revenue_retention",
        "existing_customer_revenue_growth_rate",
        "arpc",
        "mrr",
        "arr",
        start="2024-01",
        end="2024-02",
    )
    assert got == {
        "revenue_churn_rate": [None, None],
        "net_revenue_retention": [None, None],
        "gross_revenue_retention": [None, None],
        "existing_customer_revenue_growth_rate": [None, None],
        "arpc": [None, 100.0],
        "mrr": [0.0, 100.0],
        "arr": [0.0, 1200.0],
    }


def test_expansion_revenue_is_expansion_mrr(seeded):
    """A 100 → 130 on 10 March 2024 (+30); B 50 → 90 on 1 March (+40, a change on the 1st
    belongs to March); C 80 → 60 (contraction, not counted). Expansion = 30 + 40 = 70;
    opening MRR = 100 + 50 + 80 = 230. February: nothing changes, expansion 0."""
    ws = seeded(
        {
            "subscriptions": [
                sub("A", 100, "2024-01-01", "2024-03-10"),
                sub("A", 130, "2024-03-10"),
                sub("B", 50, "2024-01-01", "2024-03-01"),
                sub("B", 90, "2024-03-01"),
                sub("C", 80, "2024-01-01", "2024-03-10"),
                sub("C", 60, "2024-03-10"),
            ]
        }
    )
    got = ws.compute(["expansion_revenue"], start="2024-02", end="2024-03")
    out = got["expansion_revenue"].rows
    assert out["value"].tolist() == [0.0, 70.0]
    assert out["expansion_mrr"].tolist() == [0.0, 70.0]
    assert out["mrr_at_start"].tolist() == [230.0, 230.0]


MRR_WALK = [
    "mrr_at_start",
    "new_mrr",
    "expansion_mrr",
    "reactivation_mrr",
    "contraction_mrr",
    "churned_mrr",
    "mrr_at_end",
]
COMPONENTS = {
    "customers": ["customers_at_start", "gained_customers", "lost_customers", "customers_at_end"],
    "new_customers": ["first_time_customers"],
    "churned_customers": ["lost_customers", "customers_at_start"],
    "customer_churn_rate": ["lost_customers", "customers_at_start"],
    "customer_retention_rate": ["customers_at_end", "gained_customers", "customers_at_start"],
    "mrr": MRR_WALK,
    "arr": MRR_WALK,
    "new_mrr": ["new_mrr", "mrr_at_start"],
    "expansion_mrr": ["expansion_mrr", "mrr_at_start"],
    "contraction_mrr": ["contraction_mrr", "mrr_at_start"],
    "churned_mrr": ["churned_mrr", "mrr_at_start"],
    "reactivation_mrr": ["reactivation_mrr", "mrr_at_start"],
    "revenue_churn_rate": ["churned_mrr", "contraction_mrr", "mrr_at_start"],
    "net_revenue_retention": ["start_customers_mrr_at_end", "mrr_at_start"],
    "gross_revenue_retention": ["start_customers_mrr_kept", "mrr_at_start"],
    "existing_customer_revenue_growth_rate": ["start_customers_mrr_at_end", "mrr_at_start"],
    "expansion_revenue": ["expansion_mrr", "mrr_at_start"],
    "arpc": ["mrr_at_end", "customers_at_end"],
}


def test_every_revenue_metric_carries_its_components(seeded):
    """Columns are period, value, then the numerator/denominator or counts (SPEC.md)."""
    ws = seeded({"subscriptions": [sub("A", 100, "2024-01-01")]})
    results = ws.compute(list(COMPONENTS), start="2024-01", end="2024-01")
    for slug, components in COMPONENTS.items():
        assert list(results[slug].rows.columns) == ["period", "value", *components], slug
