"""``tandem summary``: the latest month with data against the month before."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.semantic.types import Direction
from tandem.service.summary import headlines
from tests.seed import sub

# A and B pay 100 and 300 from 1 January 2024; B leaves on 15 March (valid_to exclusive).
# A ticket on 31 March is the last dated row, so March is the latest complete month.
TWO = {
    "subscriptions": [sub("A", 100, "2024-01-01"), sub("B", 300, "2024-01-01", "2024-03-15")],
    "tickets": [
        {
            "ticket_id": "T1",
            "account_id": "A",
            "created_at": "2024-03-31",
            "contacts": 1,
            "escalated": False,
        }
    ],
}


def test_headlines_compare_the_last_two_months(seeded):
    """February: customers 2, churn 0 of 2 = 0 %, MRR 100 + 300 = 400.
    March: customers 1 (B left), churn 1 of 2 = 50 %, MRR 100."""
    ws = seeded(TWO)
    found = {h.slug: h for h in headlines(ws, ("customers", "customer_churn_rate", "mrr", "nps"))}
    churn = found["customer_churn_rate"]
    assert churn.period == dt.date(2024, 3, 1)
    assert (churn.previous, churn.current, churn.change) == (0, 50, 50)
    assert churn.direction is Direction.LOWER and churn.good_news is False
    assert (found["customers"].previous, found["customers"].current) == (2, 1)
    assert (found["mrr"].previous, found["mrr"].current) == (400, 100)
    assert found["nps"].current is None and found["nps"].change is None


def test_summary_prints_percentage_points(seeded, monkeypatch: pytest.MonkeyPatch):
    ws = seeded(TWO)
    ws.close()
    monkeypatch.setenv("COLUMNS", "160")
    out = CliRunner().invoke(app, ["summary", "--workspace", str(ws.path)])
    assert out.exit_code == 0, out.output
    churn = next(line for line in out.output.splitlines() if "customer_churn_rate" in line)
    assert "0.0%" in churn and "50.0%" in churn and "▲ 50.0 pts" in churn
    assert "Loaded:" in out.output and "2 subscriptions" in out.output
