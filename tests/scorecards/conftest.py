"""A hand-made company for scorecard tests, every number of it worked out by hand.

Six accounts, two CSMs (C1 Ada, C2 Bo) and one account without a CSM, two reps,
two segments. Subscriptions (MRR, from – until, exclusive):

    A1  C1 R1 SMB  100 from 2025-01-01
    A2  C1 R1 SMB  200 from 2025-06-01 until 2026-03-15          (churns in March)
    A3  C2 R2 ENT  300 from 2025-01-01, 400 from 2026-03-10      (expands in March)
    A4  C2 R1 ENT   50 from 2026-03-05                           (new in March)
    A5  —  R2 SMB   80 from 2026-02-01, 120 from 2026-03-20      (new in February)
    A6  C1 R2 SMB   60 from 2026-02-10 until 2026-02-20          (in and out in February)

March 2026: opening day 28 Feb: S = {A1, A2, A3, A5} (4), MRR 680. Last day: E = {A1,
A3, A4, A5} (4), MRR 670. New A4 (50), expansion A3 + A5 (100 + 40), churn A2 (200).
February 2026: S = {A1, A2, A3} (3), E = {A1, A2, A3, A5} (4), new A5 and A6 (2).

NPS responses: March 2026 A1 10, A1 9, A3 3, A4 8, A5 10 (3 promoters, 1 passive, 1
detractor: NPS 40); February A1 6, A3 9 (NPS 0); January A1 10 (100); December 2025
A3 0 (−100); March 2025 A1 9 (100).
Deals closed in March 2026: A1 upsell won, A3 cross-sell won, A3 upsell lost (all
qualified), A4 new business won. Costs: 1,000 of marketing acquisition in March.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tandem.scorecards import scorecard
from tandem.scorecards.build import ScorecardRequest
from tandem.scorecards.model import Scorecard
from tandem.service.workspace import Workspace
from tandem.settings import MetricSettings, Settings
from tests.seed import insert, sub

MARCH = dt.date(2026, 3, 1)

REVIEW = textwrap.dedent(
    """
    title: Review
    baseline: {mean_of: 3}
    sections:
      - title: Customers
        metrics:
          - metric: customers
          - metric: new_customers
          - metric: churned_customers
          - metric: customer_churn_rate
            target: 5
            status: {green: 5, red: 10}
          - metric: nps
            target: 30
            status: {tolerance: 10}
            note: mean of three
          - metric: nps
            baseline: same_period_last_year
          - metric: nps
            baseline: {period: 2026-01}
          - metric: nps
            baseline: {mean_of: 2, before: 2026-03}
      - title: Revenue
        metrics:
          - metric: mrr
          - metric: net_revenue_retention
            target: 100
            status: {green: 100, red: 90}
          - metric: gross_revenue_retention
          - metric: upsells_cross_sells
            teams: [sales]
          - metric: cac
    """
).lstrip()


def _nps(account: str, score: int, day: str) -> dict[str, Any]:
    return {
        "response_id": f"r-{account}-{day}-{score}",
        "account_id": account,
        "survey": "nps",
        "score": score,
        "responded_at": day,
    }


def _deal(deal: str, account: str, kind: str, closed: str, outcome: str) -> dict[str, Any]:
    return {
        "deal_id": deal,
        "account_id": account,
        "type": kind,
        "created_at": "2026-01-05",
        "closed_at": closed,
        "outcome": outcome,
        "amount": 1000.0,
        "qualified": True,
    }


ROWS: dict[str, list[dict[str, Any]]] = {
    "team_members": [
        {"member_id": "C1", "name": "Ada", "team": "customer_success"},
        {"member_id": "C2", "name": "Bo", "team": "customer_success"},
        {"member_id": "R1", "name": "Cy", "team": "sales"},
        {"member_id": "R2", "name": "Di", "team": "sales"},
    ],
    "accounts": [
        {
            "account_id": a,
            "name": a,
            "csm_id": c,
            "sales_rep_id": r,
            "segment": s,
            "created_at": "2024-12-01",
        }
        for a, c, r, s in (
            ("A1", "C1", "R1", "SMB"),
            ("A2", "C1", "R1", "SMB"),
            ("A3", "C2", "R2", "ENT"),
            ("A4", "C2", "R1", "ENT"),
            ("A5", None, "R2", "SMB"),
            ("A6", "C1", "R2", "SMB"),
        )
    ],
    "subscriptions": [
        sub("A1", 100, "2025-01-01"),
        sub("A2", 200, "2025-06-01", "2026-03-15"),
        sub("A3", 300, "2025-01-01", "2026-03-10"),
        sub("A3", 400, "2026-03-10"),
        sub("A4", 50, "2026-03-05"),
        sub("A5", 80, "2026-02-01", "2026-03-20"),
        sub("A5", 120, "2026-03-20"),
        sub("A6", 60, "2026-02-10", "2026-02-20"),
    ],
    "survey_responses": [
        _nps("A1", 10, "2026-03-02"),
        _nps("A1", 9, "2026-03-12"),
        _nps("A3", 3, "2026-03-03"),
        _nps("A4", 8, "2026-03-30"),
        _nps("A5", 10, "2026-03-31"),
        _nps("A1", 6, "2026-02-10"),
        _nps("A3", 9, "2026-02-11"),
        _nps("A1", 10, "2026-01-15"),
        _nps("A3", 0, "2025-12-01"),
        _nps("A1", 9, "2025-03-20"),
    ],
    "deals": [
        _deal("D1", "A1", "upsell", "2026-03-03", "won"),
        _deal("D2", "A3", "cross_sell", "2026-03-20", "won"),
        _deal("D3", "A3", "upsell", "2026-03-25", "lost"),
        _deal("D4", "A4", "new_business", "2026-03-04", "won"),
    ],
    "costs": [
        {"month": "2026-03-01", "category": "marketing", "purpose": "acquisition", "amount": 1000.0}
    ],
}


def make_company(folder: Path) -> Workspace:
    """The hand-made company in ``folder``, with the review scorecard in it."""
    Workspace.init(folder).close()
    settings = Settings(metrics=MetricSettings(min_survey_responses=30))
    ws = Workspace(folder, settings=settings, today=lambda: dt.date(2030, 1, 1))
    for name, items in ROWS.items():
        insert(ws, name, items)
    (folder / "scorecards").mkdir(exist_ok=True)
    (folder / "scorecards" / "review.yml").write_text(REVIEW, encoding="utf-8")
    return ws


@pytest.fixture
def company(tmp_path: Path) -> Iterator[Workspace]:
    ws = make_company(tmp_path / "company")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scorecard]:
    """The review scorecard for March 2026, compared across CSMs, with every view."""
    ws = make_company(tmp_path_factory.mktemp("company"))
    yield scorecard(ws, "review", ScorecardRequest(period=MARCH, compare="csm"))
    ws.close()


def need(tool: str) -> str:
    """The path of a system tool ``make system`` installs; skip (or, under
    TANDEM_REQUIRE_BACKENDS=1 as in make test, fail) when it is missing."""
    import os
    import shutil

    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} is not installed (scripts/setup-system.sh installs it)"
        if os.environ.get("TANDEM_REQUIRE_BACKENDS") == "1":
            pytest.fail(f"{reason}; TANDEM_REQUIRE_BACKENDS=1: run 'make system'")
        pytest.skip(reason)
    return path
