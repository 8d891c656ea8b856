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


def test_a_partial_month_is_named_and_not_compared(seeded):
    """Data to 15 March 2024 (B's valid_to, no later row): March is partial, so the
    summary shows February against January and says why."""
    from tandem.service.summary import summarize

    ws = seeded({"subscriptions": TWO["subscriptions"]})
    summary = summarize(ws, ("customers",))
    assert summary.period == dt.date(2024, 2, 1)
    assert summary.partial == dt.date(2024, 3, 1)
    assert summary.data_end == dt.date(2024, 3, 15)
    assert any("March 2024 is partial (data to 2024-03-15)" in n for n in summary.notes)
    (line,) = summary.headlines
    assert (line.previous, line.current) == (2, 2)


def test_rates_over_data_never_loaded_have_no_value(seeded):
    """Customers but no usage and no tickets loaded: adoption and escalation rate are no
    value, not 0 %, and the result says which table is empty; counts stay 0."""
    ws = seeded(TWO)
    results = ws.compute(["adoption_rate", "customer_escalation_rate", "customers"],
                         start="2024-02", end="2024-02")  # fmt: skip
    adoption = results["adoption_rate"]
    assert adoption.rows["value"].isna().all()
    assert adoption.rows["adopted_customers"].tolist() == [0]
    assert any("nothing is loaded in usage_events" in str(w) for w in adoption.warnings)
    assert results["customers"].rows["value"].tolist() == [2]
    assert not results["customers"].warnings


def _nps(rid: str, score: int, when: str) -> dict[str, object]:
    return {
        "response_id": rid,
        "account_id": "A",
        "survey": "nps",
        "score": score,
        "responded_at": when,
    }


def test_survey_figures_fall_back_to_the_quarter_and_say_so(seeded):
    """min_survey_responses = 3, and March 2024 has one NPS answer: the figure is shown
    for January to March: answers 10 (Jan), 9 and 0 (Feb), 10 (Mar) → promoters 3,
    detractors 1 → NPS = 100 × (3 − 1) / 4 = 50; against October to December 2023:
    2 and 9 → (1 − 1) / 2 = 0."""
    rows = [
        _nps("o", 2, "2023-11-10"),
        _nps("d", 9, "2023-12-10"),
        _nps("j", 10, "2024-01-10"),
        _nps("f1", 9, "2024-02-10"),
        _nps("f2", 0, "2024-02-11"),
        _nps("m", 10, "2024-03-10"),
    ]
    ws = seeded({**TWO, "survey_responses": rows}, min_survey_responses=3)
    found = {h.slug: h for h in headlines(ws, ("nps",))}
    nps = found["nps"]
    assert nps.window == "Jan–Mar 2024"
    assert (nps.current, nps.previous) == (50, 0)
    assert nps.note is not None and "1 responses in March 2024, fewer than 3" in nps.note
