"""Unit economics (CAC, CLV, LTV:CAC, CAC payback, retention cost) worked out by hand.

The main history (``HISTORY``), all MRR 100:
A, B, C pay from 1 Jan 2024 on; D pays from 1 Jan to valid_to 15 March 2024;
E pays from 1 March 2024 on.

Monthly customer churn (S = customers on the opening day, lost = those of S not paying
on the last day):
  Jan 2024: opening 31 Dec 2023, S = 0            → skipped (no rate)
  Feb 2024: S = {A, B, C, D} = 4, lost 0          → 0
  Mar 2024: S = {A, B, C, D} = 4, lost {D}        → 1/4 = 0.25
  Apr 2024 and every later month: S = {A, B, C, E}, lost 0 → 0
ARPC from March on: MRR on the last day 400 / E = 4 customers = 100.
New customers: January {A, B, C, D} = 4; March {E} = 1; February 0.
Retained customers (of S, still paying on the last day): Feb 4, March {A, B, C} = 3.

Costs: Feb 2024 marketing/acquisition 1000; March 2024 marketing/acquisition 1500,
sales/acquisition 500, customer_success/retention 600, support/retention 300.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.seed import rows, series, sub

HISTORY = {
    "accounts": [
        {"account_id": a, "name": a, "created_at": "2023-12-01", "segment": s}
        for a, s in [("A", "SMB"), ("B", "ENT"), ("C", "ENT"), ("D", "SMB"), ("E", None)]
    ],
    "subscriptions": [
        sub("A", 100, "2024-01-01"),
        sub("B", 100, "2024-01-01"),
        sub("C", 100, "2024-01-01"),
        sub("D", 100, "2024-01-01", "2024-03-15"),
        sub("E", 100, "2024-03-01"),
    ],
    "costs": [
        {
            "month": "2024-02-01",
            "category": "marketing",
            "purpose": "acquisition",
            "amount": 1000.0,
        },
        {
            "month": "2024-03-01",
            "category": "marketing",
            "purpose": "acquisition",
            "amount": 1500.0,
        },
        {"month": "2024-03-01", "category": "sales", "purpose": "acquisition", "amount": 500.0},
        {
            "month": "2024-03-01",
            "category": "customer_success",
            "purpose": "retention",
            "amount": 600.0,
        },
        {"month": "2024-03-01", "category": "support", "purpose": "retention", "amount": 300.0},
    ],
}
ECONOMICS = (
    "cac",
    "customer_lifetime_value",
    "ltv_cac",
    "cac_payback_months",
    "customer_retention_cost",
)
MARCH = dt.date(2024, 3, 1)


def test_unit_economics_in_march(seeded):
    """March 2024, default knobs (gross margin 1.0, 12-month window, every category).

    CAC = (1500 + 500) / 1 new customer = 2000.
    CLV window April 2023 – March 2024; months with S > 0: Feb (0), March (0.25)
      → mean 0.125 over 2 months; CLV = 100 × 1.0 / 0.125 = 800.
    LTV:CAC = 800 / 2000 = 0.4.  CAC payback = 2000 / (100 × 1.0) = 20 months.
    Retention cost = (600 + 300) / 3 retained = 300.
    """
    ws = seeded(HISTORY)
    got = rows(ws, *ECONOMICS, period="2024-03")
    assert got["cac"] == {
        "period": MARCH,
        "value": 2000.0,
        "acquisition_costs": 2000.0,
        "first_time_customers": 1,
    }
    assert got["customer_lifetime_value"] == {
        "period": MARCH,
        "value": pytest.approx(800.0),
        "mean_monthly_churn": 0.125,
        "churn_window_months": 2,
        "mrr_at_end": 400.0,
        "customers_at_end": 4,
    }
    assert got["ltv_cac"]["value"] == pytest.approx(0.4)
    assert got["cac_payback_months"]["value"] == pytest.approx(20.0)
    assert got["customer_retention_cost"] == {
        "period": MARCH,
        "value": 300.0,
        "retention_costs": 900.0,
        "retained_customers": 3,
    }


def test_empty_denominators_and_a_zero_mean_churn_have_no_value(seeded):
    """January to April 2024.

    January: no cost line → costs 0; 4 new customers → CAC = 0 / 4 = 0. CLV: no month of
      the window has S > 0 → no mean, no value. Retention cost: S = 0, none retained → no value.
    February: acquisition 1000 but 0 new customers → CAC has no value, and so have LTV:CAC
      and payback. CLV: only February (rate 0) → mean 0 → no value.
      Retention cost = 0 / 4 retained = 0.
    April: window May 2023 – April 2024: Feb 0, March 0.25, April 0 → mean 1/12;
      CLV = 100 / (1/12) = 1200. No new customer → no CAC.
    """
    ws = seeded(HISTORY)
    got = series(ws, *ECONOMICS, start="2024-01", end="2024-04")
    assert got["cac"] == [0.0, None, 2000.0, None]
    assert got["customer_lifetime_value"] == [
        None,
        None,
        pytest.approx(800.0),
        pytest.approx(1200.0),
    ]
    assert got["ltv_cac"] == [None, None, pytest.approx(0.4), None]
    assert got["cac_payback_months"] == [0.0, None, pytest.approx(20.0), None]
    assert got["customer_retention_cost"] == [None, 0.0, 300.0, 0.0]
    clv = ws.metric("customer_lifetime_value", start="2024-01", end="2024-04")
    assert clv["churn_window_months"].tolist() == [0, 1, 2, 3]
    assert clv["mean_monthly_churn"].isna().tolist() == [True, False, False, False]
    assert clv["mean_monthly_churn"].tolist()[1:] == [0.0, 0.125, pytest.approx(1 / 12)]


def test_the_clv_window_is_twelve_months_ending_with_the_period(seeded):
    """Year 2024: the window is January – December 2024; January has S = 0 and is skipped,
    February – December are 11 months with one churn (0.25 in March): mean 0.25 / 11;
    ARPC on 31 Dec 2024 = 100 → CLV = 100 × 11 / 0.25 = 4400.
    February 2025: window March 2024 – February 2025, 12 months, mean 0.25 / 12;
    CLV = 100 × 12 / 0.25 = 4800.
    March 2025: window April 2024 – March 2025, March 2024 has left: mean 0 → no value.
    """
    ws = seeded(HISTORY)
    year = ws.metric("customer_lifetime_value", grain="year", start="2024", end="2024")
    assert year["value"].tolist() == [pytest.approx(4400.0)]
    assert year["churn_window_months"].tolist() == [11]
    later = series(ws, "customer_lifetime_value", start="2025-02", end="2025-03")
    assert later["customer_lifetime_value"] == [pytest.approx(4800.0), None]


def test_knobs_margin_window_and_cost_categories(seeded):
    """March 2024 with gross_margin 0.5, ltv_churn_window_months 1, acquisition costs from
    marketing only and retention costs from customer_success only.

    CLV window = March alone: churn 0.25 → CLV = 100 × 0.5 / 0.25 = 200.
    CAC = 1500 / 1 = 1500. LTV:CAC = 200 / 1500 = 2/15. Payback = 1500 / (100 × 0.5) = 30.
    Retention cost = 600 / 3 = 200.
    April: window = April alone, churn 0 → CLV has no value.
    """
    ws = seeded(
        HISTORY,
        gross_margin=0.5,
        ltv_churn_window_months=1,
        acquisition_cost_categories=("marketing",),
        retention_cost_categories=("customer_success",),
    )
    got = series(ws, *ECONOMICS, start="2024-03", end="2024-04")
    assert got["customer_lifetime_value"] == [pytest.approx(200.0), None]
    assert got["cac"] == [1500.0, None]
    assert got["ltv_cac"][0] == pytest.approx(2 / 15)
    assert got["cac_payback_months"][0] == pytest.approx(30.0)
    assert got["customer_retention_cost"] == [200.0, 0.0]
    knobs = ws.compute(["customer_lifetime_value"], start="2024-03", end="2024-03")
    assert knobs["customer_lifetime_value"].knobs["gross_margin"] == 0.5
    assert knobs["customer_lifetime_value"].knobs["ltv_churn_window_months"] == 1


def test_quarters_hold_whole_months_of_cost(seeded):
    """Q1 2024 (opening day 31 Dec 2023, last day 31 March).

    CAC = (1000 + 1500 + 500) / new {A, B, C, D, E} = 3000 / 5 = 600.
    CLV: window ends with March → same as March: 800. LTV:CAC = 800 / 600 = 4/3.
    Payback = 600 / ARPC 100 = 6. Retention cost: S = 0, none retained → no value.
    """
    ws = seeded(HISTORY)
    got = rows(ws, *ECONOMICS, period="2024-01", grain="quarter")
    assert (got["cac"]["value"], got["cac"]["acquisition_costs"]) == (600.0, 3000.0)
    assert got["customer_lifetime_value"]["value"] == pytest.approx(800.0)
    assert got["ltv_cac"]["value"] == pytest.approx(4 / 3)
    assert got["cac_payback_months"]["value"] == pytest.approx(6.0)
    assert got["customer_retention_cost"]["value"] is None
    assert got["customer_retention_cost"]["retention_costs"] == 900.0


def test_costs_are_spread_over_days_at_week_grain(seeded):
    """Jan 2024 acquisition 3100 (31 days → 100 a day), retention 310 (10 a day);
    Feb 2024 acquisition 5800 (29 days → 200 a day), retention 580 (20 a day).
    X pays from 1 Jan; Y from Thursday 1 Feb; Z from Monday 5 Feb.

    Week of Monday 29 Jan (29 Jan – 4 Feb): acquisition 3 × 100 + 4 × 200 = 1100;
      retention 3 × 10 + 4 × 20 = 110; new {Y}: CAC 1100; retained {X}: 110.
    Week of Monday 5 Feb: acquisition 7 × 200 = 1400, retention 140; new {Z}: CAC 1400;
      retained {X, Y}: 140 / 2 = 70.
    Month of February: CAC = 5800 / new {Y, Z} = 2900.
    """
    ws = seeded(
        {
            "subscriptions": [
                sub("X", 100, "2024-01-01"),
                sub("Y", 100, "2024-02-01"),
                sub("Z", 100, "2024-02-05"),
            ],
            "costs": [
                {
                    "month": "2024-01-01",
                    "category": "marketing",
                    "purpose": "acquisition",
                    "amount": 3100.0,
                },
                {
                    "month": "2024-01-01",
                    "category": "support",
                    "purpose": "retention",
                    "amount": 310.0,
                },
                {
                    "month": "2024-02-01",
                    "category": "marketing",
                    "purpose": "acquisition",
                    "amount": 5800.0,
                },
                {
                    "month": "2024-02-01",
                    "category": "support",
                    "purpose": "retention",
                    "amount": 580.0,
                },
            ],
        }
    )
    weeks = ws.compute(
        ["cac", "customer_retention_cost"], grain="week", start="2024-01-29", end="2024-02-11"
    )
    cac = weeks["cac"].rows
    assert cac["period"].tolist() == [dt.date(2024, 1, 29), dt.date(2024, 2, 5)]
    assert cac["acquisition_costs"].tolist() == [pytest.approx(1100.0), pytest.approx(1400.0)]
    assert cac["first_time_customers"].tolist() == [1, 1]
    assert cac["value"].tolist() == [pytest.approx(1100.0), pytest.approx(1400.0)]
    retention = weeks["customer_retention_cost"].rows
    assert retention["retention_costs"].tolist() == [pytest.approx(110.0), pytest.approx(140.0)]
    assert retention["retained_customers"].tolist() == [1, 2]
    assert retention["value"].tolist() == [pytest.approx(110.0), pytest.approx(70.0)]
    assert series(ws, "cac", start="2024-02", end="2024-02")["cac"] == [2900.0]


def test_clv_at_week_grain_uses_the_month_of_the_weeks_last_day(seeded):
    """Week of Monday 25 March 2024 ends on Sunday 31 March: window ends with March →
    mean churn 0.125, ARPC on 31 March 100 → CLV 800. The week of Monday 1 April ends
    on 7 April: window ends with April → mean 1/12, ARPC on 7 April 100 → CLV 1200."""
    ws = seeded(HISTORY)
    got = series(ws, "customer_lifetime_value", grain="week", start="2024-03-25", end="2024-04-01")
    assert got["customer_lifetime_value"] == [pytest.approx(800.0), pytest.approx(1200.0)]


@pytest.mark.parametrize("cut", [{"by": ["segment"]}, {"where": {"segment": "SMB"}}])
def test_cost_metrics_have_no_value_when_cut_by_a_dimension(seeded, cut):
    """Costs belong to no account: cut by segment (or filtered to SMB), CAC, LTV:CAC,
    CAC payback and retention cost have no value in every row, though the same periods
    have values company-wide (test_unit_economics_in_march)."""
    ws = seeded(HISTORY)
    results = ws.compute(ECONOMICS, start="2024-03", end="2024-03", **cut)
    for slug in ("cac", "ltv_cac", "cac_payback_months", "customer_retention_cost"):
        out = results[slug].rows
        assert len(out) >= 1
        assert out["value"].isna().all(), slug


def test_clv_cut_by_segment(seeded):
    """CLV is not a cost metric: it has a value per segment. March 2024:

    SMB (A, D): Feb S = 2, lost 0 → 0; March S = 2, lost {D} → 0.5; mean 0.25;
      ARPC = 100 / 1 → CLV = 400.
    ENT (B, C): Feb 0, March 0 → mean 0 → no value.
    no segment (E): no month with S > 0 → no value; ARPC = 100 / 1.
    """
    ws = seeded(HISTORY)
    out = ws.metric("customer_lifetime_value", start="2024-03", end="2024-03", by=["segment"])
    by = {
        (s if isinstance(s, str) else None): r
        for s, r in zip(out["segment"], out.to_dict("records"), strict=True)
    }
    assert set(by) == {"SMB", "ENT", None}
    assert by["SMB"]["value"] == pytest.approx(400.0)
    assert by["SMB"]["mean_monthly_churn"] == pytest.approx(0.25)
    assert by["ENT"]["mean_monthly_churn"] == 0.0
    assert pd.isna(by["ENT"]["value"])
    assert pd.isna(by[None]["value"])
    assert by[None]["mrr_at_end"] == 100.0


COMPONENTS = {
    "cac": ["acquisition_costs", "first_time_customers"],
    "customer_lifetime_value": [
        "mean_monthly_churn",
        "churn_window_months",
        "mrr_at_end",
        "customers_at_end",
    ],
    "ltv_cac": [
        "mean_monthly_churn",
        "churn_window_months",
        "mrr_at_end",
        "customers_at_end",
        "acquisition_costs",
        "first_time_customers",
    ],
    "cac_payback_months": [
        "acquisition_costs",
        "first_time_customers",
        "mrr_at_end",
        "customers_at_end",
    ],
    "customer_retention_cost": ["retention_costs", "retained_customers"],
}


def test_every_economics_metric_carries_its_components(seeded):
    ws = seeded(HISTORY)
    results = ws.compute(list(COMPONENTS), start="2024-03", end="2024-03")
    for slug, components in COMPONENTS.items():
        assert list(results[slug].rows.columns) == ["period", "value", *components], slug
