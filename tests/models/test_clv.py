"""Fitting on the orders table: recovery of known parameters, refusals, per-account scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ibis
import pyarrow as pa
import pytest

from tandem import Workspace
from tandem.errors import TandemError, UsageError
from tandem.models import simulate
from tandem.models.clv import (
    ACCOUNT_COLUMNS,
    AccountPredictions,
    ClvRequest,
    fit_clv,
    score_accounts,
)
from tandem.models.estimation import ModelRefused
from tandem.settings import ModelSettings
from tests.models.conftest import TODAY, tables

START = dt.date(2024, 1, 1)
CAL_END = dt.date(2024, 12, 31)
TRUTH = simulate.Truth()


@pytest.fixture(scope="module")
def drawn() -> ibis.Table:
    """20,000 customers drawn from the models (simulate.Truth) over 104 weeks."""
    con = ibis.duckdb.connect()
    return con.create_table("orders", simulate.orders(20_000, start=START, weeks=104))


def test_known_parameters_are_recovered(drawn: ibis.Table) -> None:
    """Customers drawn from r = 3, α = 20, a = 1.2, b = 12 and p = 6, q = 4,
    γ = 15: the fit on 52 weeks finds them within sampling error (and the
    rounding of purchase times to days)."""
    fits = fit_clv(drawn, ModelSettings(), ClvRequest(CAL_END), today=TODAY)
    fit = fits.fits[0]
    assert fit.customers == 20_000
    got = (fit.bgnbd.r, fit.bgnbd.alpha, fit.bgnbd.a, fit.bgnbd.b)
    assert got == pytest.approx((TRUTH.r, TRUTH.alpha, TRUTH.a, TRUTH.b), rel=0.2)
    value = fit.gamma_gamma
    assert (value.p, value.q, value.v) == pytest.approx((TRUTH.p, TRUTH.q, TRUTH.v), rel=0.1)


def test_holdout_forecast_of_drawn_customers(drawn: ibis.Table) -> None:
    """When the data follow the model, the 52-week forecast is within 3% of what they did."""
    request = ClvRequest(CAL_END, dt.date(2025, 12, 30))
    holdout = fit_clv(drawn, ModelSettings(), request, today=TODAY).fits[0].holdout
    assert holdout is not None
    assert holdout.predicted_transactions == pytest.approx(holdout.actual_transactions, rel=0.03)


def _few(n: int) -> list[dict[str, object]]:
    return [
        {
            "order_id": f"o{a}-{k}",
            "account_id": f"A{a}",
            "ordered_at": f"2024-0{1 + k}-0{1 + a}",
            "amount": 10.0,
        }
        for a in range(n)
        for k in range(2)
    ]


def test_too_few_repeat_customers_is_refused(workspace: Callable[..., Workspace]) -> None:
    ws = workspace({"orders": _few(5)})
    with pytest.raises(ModelRefused) as info:
        fit_clv(tables(ws).orders, ModelSettings(), ClvRequest(), today=TODAY)
    assert str(info.value) == (
        "orders up to 2024-02-05: 5 of 5 customers made a repeat purchase; the models need "
        "at least 30 (knob models.min_repeat_customers)"
    )
    assert isinstance(info.value, TandemError) and info.value.exit_code == 2


def test_a_fit_that_does_not_converge_is_refused() -> None:
    """Fifty customers buying every week without fail: nothing tells how they drop
    out, so b runs off to infinity."""
    rows = [
        {"account_id": f"A{c}", "ordered_at": START + dt.timedelta(days=7 * k), "amount": 10.0}
        for c in range(50)
        for k in range(20)
    ]
    orders = ibis.memtable(pa.Table.from_pylist(rows)).mutate(
        ordered_at=lambda t: t.ordered_at.cast("timestamp")
    )
    with pytest.raises(ModelRefused, match=r"^the BG/NBD fit did not converge \(a parameter ran"):
        fit_clv(orders, ModelSettings(), ClvRequest(START + dt.timedelta(days=140)), today=TODAY)


def test_value_tied_to_frequency_is_refused(drawn: ibis.Table) -> None:
    """Each order's amount replaced by 5 × the customer's number of orders."""
    counts = drawn.group_by("account_id").aggregate(n=drawn.count())
    tied = drawn.join(counts, "account_id").mutate(amount=lambda t: 5.0 * t.n).drop("n")
    with pytest.raises(ModelRefused, match=r"correlation is 0\.\d\d \(limit 0\.3, knob"):
        fit_clv(tied, ModelSettings(), ClvRequest(CAL_END), today=TODAY)


def test_holdout_needs_a_calibration_end(drawn: ibis.Table) -> None:
    with pytest.raises(UsageError, match="--holdout-end needs --calibration-end"):
        fit_clv(drawn, ModelSettings(), ClvRequest(holdout_end=CAL_END), today=TODAY)
    with pytest.raises(UsageError, match="must be after --calibration-end 2024-12-31"):
        fit_clv(drawn, ModelSettings(), ClvRequest(CAL_END, CAL_END), today=TODAY)


def test_per_group_fits_and_refusals(drawn: ibis.Table) -> None:
    """Accounts split in two halves plus a group of 3 too small to fit."""
    ids = drawn.select("account_id").distinct().to_pyarrow()["account_id"].to_pylist()
    segment = {a: "tiny" if i < 3 else ("even" if i % 2 else "odd") for i, a in enumerate(ids)}
    accounts = ibis.memtable(
        pa.table(
            {"account_id": list(segment), "name": list(segment), "segment": list(segment.values())}
        )
    )
    fits = fit_clv(
        drawn, ModelSettings(), ClvRequest(CAL_END, by="segment"), today=TODAY, accounts=accounts
    )
    assert [f.group for f in fits.fits] == ["even", "odd"]
    assert sum(f.customers for f in fits.fits) == 20_000 - 3
    assert [r.group for r in fits.refused] == ["tiny"]
    assert "3 of 3 customers made a repeat purchase" in fits.refused[0].reason
    for f in fits.fits:
        assert f.bgnbd.r == pytest.approx(TRUTH.r, rel=0.25)


@pytest.fixture(scope="module")
def scored(drawn: ibis.Table) -> AccountPredictions:
    knobs = ModelSettings(discount_rate=0.0)
    return score_accounts(
        drawn, knobs, gross_margin=0.6, horizon_weeks=26, calibration_end=CAL_END, today=TODAY
    )


def test_account_columns_and_undiscounted_value(scored: AccountPredictions) -> None:
    """Without discounting, clv = margin × expected value × expected purchases."""
    rows = scored.rows.to_pandas()
    assert tuple(rows.columns) == ACCOUNT_COLUMNS
    assert len(rows) == 20_000
    assert ((rows.p_alive > 0) & (rows.p_alive <= 1)).all()
    want = 0.6 * rows.expected_avg_value * rows.expected_transactions
    assert rows.clv.to_numpy() == pytest.approx(want.to_numpy(), rel=1e-12)


def test_discounting_week_by_week(drawn: ibis.Table) -> None:
    """Horizon 2 weeks, 10% a year: clv = m × (E1 / 1.1^(7/365.25) + (E2 − E1) / 1.1^(14/365.25))
    with E1, E2 the expected purchases over 1 and 2 weeks."""
    knobs = ModelSettings(discount_rate=0.1)
    got = score_accounts(
        drawn, knobs, gross_margin=1.0, horizon_weeks=2, calibration_end=CAL_END, today=TODAY
    )
    rows = got.rows.to_pandas()
    model = got.fit.bgnbd
    x, t_x, T = (rows[c].to_numpy(dtype=float) for c in ("frequency", "recency_weeks", "T_weeks"))
    e1, e2 = model.expected(1.0, x, t_x, T), model.expected(2.0, x, t_x, T)
    want = rows.expected_avg_value * (e1 / 1.1 ** (7 / 365.25) + (e2 - e1) / 1.1 ** (14 / 365.25))
    assert rows.clv.to_numpy() == pytest.approx(want.to_numpy(), rel=1e-12)
    assert rows.expected_transactions.to_numpy() == pytest.approx(e2, rel=1e-12)


def test_weeks_in_the_output_whatever_the_unit(drawn: ibis.Table) -> None:
    """The time unit changes α (in days: α / 7) but not the predictions or the weeks shown."""
    weekly = score_accounts(
        drawn, ModelSettings(), gross_margin=1.0, calibration_end=CAL_END, today=TODAY
    )
    daily = score_accounts(
        drawn,
        ModelSettings(time_unit_days=1.0),
        gross_margin=1.0,
        calibration_end=CAL_END,
        today=TODAY,
    )
    assert daily.fit.bgnbd.alpha == pytest.approx(weekly.fit.bgnbd.alpha * 7, rel=1e-4)
    for column in ("recency_weeks", "T_weeks", "p_alive", "clv"):
        a, b = weekly.rows[column].to_numpy(), daily.rows[column].to_numpy()
        assert a == pytest.approx(b, rel=1e-4), column


def test_horizon_must_be_positive(drawn: ibis.Table) -> None:
    with pytest.raises(UsageError, match="--horizon-weeks 0: must be more than 0"):
        score_accounts(drawn, ModelSettings(), gross_margin=1.0, horizon_weeks=0, today=TODAY)


def test_empty_orders_are_refused(workspace: Callable[..., Workspace]) -> None:
    ws = workspace({"accounts": [{"account_id": "A", "name": "A", "created_at": "2024-01-01"}]})
    with pytest.raises(ModelRefused, match="the orders table is empty"):
        fit_clv(tables(ws).orders, ModelSettings(), ClvRequest(), today=TODAY)
