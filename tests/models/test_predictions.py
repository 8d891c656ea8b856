"""account_predictions: what health, account pages and scorecards call, through a read session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from tandem import Workspace
from tandem.models.estimation import ModelRefused
from tandem.models.predictions import account_predictions, average_clv
from tests.models.conftest import cdnow_purchases, make_workspace


@pytest.fixture(scope="module")
def half_margin(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The CDNOW orders in a workspace whose tandem.toml sets gross_margin = 0.5."""
    orders = [
        {"order_id": f"o{i}", "account_id": a, "ordered_at": d.isoformat(), "amount": v}
        for i, (a, d, v) in enumerate(cdnow_purchases())
    ]
    folder: Path = tmp_path_factory.mktemp("half")
    return make_workspace(folder, {"orders": orders}, metrics={"gross_margin": 0.5})


def test_predicted_clv_and_p_alive_per_account(half_margin: Workspace) -> None:
    """Customer 1 (x = 2, t_x = 30.43, T = 38.86 weeks) at the published parameters:
    a/(b+x−1) = 0.793/3.426 = 0.23147; ((α+T)/(α+t_x))^(r+x) = (43.274/34.844)^2.243
    = 1.2419^2.243 = 1.6258; P(alive) = 1/(1 + 0.23147 × 1.6258) = 0.7266."""
    with half_margin.read() as session:
        p = account_predictions(session, horizon_weeks=39, calibration_end=dt.date(1997, 9, 30))
    short = p.predicted()
    assert short.column_names == ["account_id", "predicted_clv", "p_alive"]
    assert short.num_rows == 2357
    one = {r["account_id"]: r for r in short.to_pylist()}["1"]
    assert one["p_alive"] == pytest.approx(0.7266, abs=2e-4)
    rows = p.rows.to_pandas()
    assert p.gross_margin == 0.5 and p.discount_rate == 0.1  # the workspace's knobs
    assert (rows.clv <= 0.5 * rows.expected_avg_value * rows.expected_transactions + 1e-9).all()
    assert average_clv(p) == pytest.approx(sum(short["predicted_clv"].to_pylist()) / 2357)


def test_no_orders_is_a_refusal_callers_can_show(workspace: Callable[..., Workspace]) -> None:
    ws = workspace({"accounts": [{"account_id": "A", "name": "A", "created_at": "2024-01-01"}]})
    with ws.read() as session, pytest.raises(ModelRefused, match="orders table is empty"):
        account_predictions(session)
