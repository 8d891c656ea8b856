"""The models' aggregations give the same histories and lifetimes on PostgreSQL and Spark.

The purchase histories (one pass per customer-day in Ibis) of the CDNOW sample and the
lifetimes by paid coverage (the catalog's islands, with a grace) of a small generated
company are computed on DuckDB and on each other engine, then compared customer by
customer: counts and days exactly, money to 9 significant digits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tandem.models.groups import account_groups
from tandem.models.survival import lifetimes
from tandem.models.transactions import Customers, Window, summarise
from tandem.service.workspace import Workspace
from tandem.settings import MetricSettings
from tests.models.conftest import cdnow_purchases, write_csv

pytestmark = pytest.mark.xdist_group("backends")

WINDOW = Window(dt.date(1997, 9, 30), dt.date(1998, 6, 30))
AS_OF = dt.date(2026, 10, 31)
TODAY = dt.date(2026, 11, 15)


@pytest.fixture(scope="module")
def cdnow_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("cdnow-files")
    purchases = cdnow_purchases()
    ids = sorted({a for a, _, _ in purchases})
    accounts = [{"account_id": f"cd{a}", "name": a, "created_at": "1997-01-01"} for a in ids]
    orders = [
        {"order_id": f"cd{i}", "account_id": f"cd{a}", "ordered_at": d.isoformat(), "amount": v}
        for i, (a, d, v) in enumerate(purchases)
    ]
    return [write_csv(folder / "accounts.csv", accounts), write_csv(folder / "orders.csv", orders)]


def _workspace(folder: Path, url: str, company: Path, cdnow: list[Path]) -> Workspace:
    Workspace.init(folder, backend_url=url).close()
    ws = Workspace(folder, today=lambda: TODAY)
    ws.load([company])
    ws.load(list(cdnow))
    return ws


def _figures(ws: Workspace) -> tuple[Customers, dict[str, np.ndarray]]:
    with ws.read() as s:
        orders = s.table("orders")
        cdnow = orders.filter(orders.account_id.startswith("cd"))
        customers = summarise(cdnow, WINDOW)
        subs, accounts = s.table("subscriptions"), s.table("accounts")
        life = lifetimes(
            subs, MetricSettings(churn_grace_days=7), AS_OF, account_groups("segment", accounts)
        )
    return customers, {
        "account_id": life.account_id,
        "days": life.days,
        "churned": life.churned,
        "group": life.group,  # type: ignore[dict-item]
    }


def _same(expected: tuple[Customers, dict[str, np.ndarray]], got: Workspace) -> None:
    (want_c, want_l), (have_c, have_l) = expected, _figures(got)
    assert len(want_c) == len(have_c) == 2357
    for name in ("account_id", "frequency", "first_day", "holdout_frequency"):
        assert np.array_equal(getattr(want_c, name), getattr(have_c, name)), name
    for name in ("recency", "age", "value"):
        assert getattr(have_c, name) == pytest.approx(getattr(want_c, name), rel=1e-9), name
    assert len(want_l["days"]) > 50 and want_l["churned"].any()
    for name, values in want_l.items():
        assert np.array_equal(values, have_l[name]), name


@pytest.fixture(scope="module")
def expected(
    tmp_path_factory: pytest.TempPathFactory, company: Path, cdnow_files: list[Path]
) -> tuple[Customers, dict[str, np.ndarray]]:
    ws = _workspace(tmp_path_factory.mktemp("duck"), "", company, cdnow_files)
    try:
        return _figures(ws)
    finally:
        ws.close()


@pytest.mark.postgres
def test_postgres_histories_and_lifetimes(
    tmp_path: Path,
    postgres_server: Callable[[], str],
    company: Path,
    cdnow_files: list[Path],
    expected: tuple[Customers, dict[str, np.ndarray]],
) -> None:
    ws = _workspace(tmp_path / "pg", postgres_server(), company, cdnow_files)
    try:
        assert ws.store.name == "postgres"
        _same(expected, ws)
    finally:
        ws.close()


@pytest.mark.spark
def test_spark_histories_and_lifetimes(
    tmp_path: Path,
    spark_ready: None,
    company: Path,
    cdnow_files: list[Path],
    expected: tuple[Customers, dict[str, np.ndarray]],
) -> None:
    ws = _workspace(tmp_path / "ws", f"pyspark://{tmp_path / 'warehouse'}", company, cdnow_files)
    try:
        assert ws.store.name == "pyspark"
        _same(expected, ws)
    finally:
        ws.close()
