"""Customer and revenue metrics against values worked out by hand.

Periods are months. The opening day of March 2024 is 29 February; the last
day is 31 March. m0 / m1 are an account's MRR on those two days.
"""

from __future__ import annotations

import pytest

from tests.metrics.seed import row, values


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
    ws = seeded({
        "subscriptions": [
            {"subscription_id": "a", "account_id": "A", "mrr": 100.0, "valid_from": "2024-01-01"},
            {"subscription_id": "b", "account_id": "B", "mrr": 200.0, "valid_from": "2024-01-01",
             "valid_to": "2024-03-01"},
            {"subscription_id": "c", "account_id": "C", "mrr": 50.0, "valid_from": "2024-03-01"},
            {"subscription_id": "d1", "account_id": "D", "mrr": 80.0, "valid_from": "2024-01-01",
             "valid_to": "2024-03-05"},
            {"subscription_id": "d2", "account_id": "D", "mrr": 80.0, "valid_from": "2024-03-20"},
            {"subscription_id": "e", "account_id": "E", "mrr": 30.0, "valid_from": "2024-03-10",
             "valid_to": "2024-03-25"},
        ]
    })
    churn = row(ws, "customer_churn_rate", "2024-03")
    assert (churn["lost_customers"], churn["customers_at_start"]) == (1, 3)
    assert churn["value"] == pytest.approx(100 / 3)
    retention = row(ws, "customer_retention_rate", "2024-03")
    assert retention["value"] == pytest.approx(200 / 3)
    assert row(ws, "new_customers", "2024-03")["value"] == 2
    assert row(ws, "customers", "2024-03")["value"] == 3
    # B was still a customer on 29 February, the last day of February: not churned then.
    assert row(ws, "churned_customers", "2024-02")["value"] == 0


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
    ws = seeded({
        "subscriptions": [
            {"subscription_id": "a1", "account_id": "A", "mrr": 100.0, "valid_from": "2024-01-01",
             "valid_to": "2024-03-15"},
            {"subscription_id": "a2", "account_id": "A", "mrr": 150.0, "valid_from": "2024-03-15"},
            {"subscription_id": "b1", "account_id": "B", "mrr": 200.0, "valid_from": "2024-01-01",
             "valid_to": "2024-03-02"},
            {"subscription_id": "b2", "account_id": "B", "mrr": 120.0, "valid_from": "2024-03-02"},
            {"subscription_id": "c1", "account_id": "C", "mrr": 300.0, "valid_from": "2024-01-01",
             "valid_to": "2024-03-31"},
            {"subscription_id": "d1", "account_id": "D", "mrr": 60.0, "valid_from": "2024-03-31"},
            {"subscription_id": "r1", "account_id": "R", "mrr": 90.0, "valid_from": "2024-01-01",
             "valid_to": "2024-02-01"},
            {"subscription_id": "r2", "account_id": "R", "mrr": 90.0, "valid_from": "2024-03-10"},
            {"subscription_id": "f1", "account_id": "F", "mrr": 40.0, "valid_from": "2024-01-01",
             "valid_to": "2024-03-03"},
            {"subscription_id": "f2", "account_id": "F", "mrr": 0.0, "plan": "Free",
             "valid_from": "2024-03-03"},
        ]
    })
    mrr = row(ws, "mrr", "2024-03")
    assert mrr["mrr_at_start"] == 640
    assert mrr["mrr_at_end"] == mrr["value"] == 420
    assert (mrr["new_mrr"], mrr["expansion_mrr"], mrr["reactivation_mrr"]) == (60, 50, 90)
    assert (mrr["contraction_mrr"], mrr["churned_mrr"]) == (80, 340)
    assert row(ws, "arr", "2024-03")["value"] == 12 * 420
    assert row(ws, "net_revenue_retention", "2024-03")["value"] == 42.1875
    assert row(ws, "gross_revenue_retention", "2024-03")["value"] == 34.375
    assert row(ws, "existing_customer_revenue_growth_rate", "2024-03")["value"] == 42.1875 - 100
    assert row(ws, "revenue_churn_rate", "2024-03")["value"] == 65.625
    assert row(ws, "arpc", "2024-03")["value"] == 420 / 4


def test_empty_denominators_have_no_value_and_periods_do_not_vanish(seeded):
    """Nobody pays before April: January to March have S = 0, so churn has no value,
    while counts are 0 and every month is listed."""
    ws = seeded({
        "subscriptions": [
            {"subscription_id": "a", "account_id": "A", "mrr": 10.0, "valid_from": "2024-04-10"},
        ]
    })
    assert values(ws, "customer_churn_rate", start="2024-01", end="2024-05") == [
        None, None, None, None, 0.0
    ]
    assert values(ws, "customers", start="2024-01", end="2024-05") == [0, 0, 0, 1, 1]
