"""A scorecard of the hand-made company (tests/scorecards/conftest.py) for March 2026."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tandem.errors import UsageError
from tandem.scorecards import scorecard
from tandem.scorecards.build import ScorecardRequest
from tandem.scorecards.model import Line, Scorecard
from tandem.scorecards.scopes import parse_scope
from tandem.scorecards.status import Status
from tandem.service.workspace import Workspace
from tests.scorecards.conftest import MARCH


def _card(ws: Workspace, **kwargs: object) -> Scorecard:
    return scorecard(ws, "review", ScorecardRequest(period=MARCH, **kwargs))  # type: ignore[arg-type]


def _line(card: Scorecard, slug: str, nth: int = 0) -> Line:
    return [line for line in card.lines if line.slug == slug][nth]


def test_company_values_previous_change_and_status(company: Workspace) -> None:
    """March: S = 4, E = 4, one new (A4), one churned (A2): churn 25% (red past 10).
    February: S = 3, E = 4, new A5 and A6, none churned: churn 0%.
    NRR = 100 × (100 + 0 + 400 + 120) / 680 = 91.18 (amber between 90 and 100);
    GRR = 100 × (100 + 0 + 300 + 80) / 680 = 70.59."""
    card = _card(company, views=False)
    assert card.period.label == "2026-03" and card.previous_period.label == "2026-02"
    assert card.scope.label == "Whole company"
    customers = _line(card, "customers")
    assert (customers.value, customers.previous, customers.change) == (4, 4, 0)
    assert customers.status is Status.NONE
    assert (_line(card, "new_customers").value, _line(card, "new_customers").previous) == (1, 2)
    assert _line(card, "churned_customers").value == 1
    churn = _line(card, "customer_churn_rate")
    assert (churn.value, churn.previous, churn.target) == (25.0, 0.0, 5.0)
    assert churn.status is Status.RED
    assert churn.rule == "green ≤ 5, red ≥ 10"
    nrr = _line(card, "net_revenue_retention")
    assert nrr.value == pytest.approx(100 * 620 / 680)
    assert nrr.status is Status.AMBER
    assert _line(card, "gross_revenue_retention").value == pytest.approx(100 * 480 / 680)
    assert _line(card, "cac").value == 1000.0
    upsells = _line(card, "upsells_cross_sells")
    assert upsells.value == 2 and upsells.teams == ["sales"]
    assert _line(card, "mrr").components == {
        "mrr_at_start": 680.0,
        "new_mrr": 50.0,
        "expansion_mrr": 140.0,
        "reactivation_mrr": 0.0,
        "contraction_mrr": 0.0,
        "churned_mrr": 200.0,
        "mrr_at_end": 670.0,
    }


def test_nps_with_counts_interval_trend_and_low_confidence(company: Workspace) -> None:
    """March: 3 promoters, 1 passive, 1 detractor → NPS 40, green against 30.
    February: 1 promoter, 1 detractor of 2 → 0. Five responses < 30: low confidence."""
    nps = _line(_card(company, views=False), "nps")
    assert (nps.value, nps.previous, nps.change) == (40.0, 0.0, 40.0)
    assert nps.status is Status.GREEN
    assert nps.components == {
        "promoters": 3,
        "passives": 1,
        "detractors": 1,
        "nps_responses": 5,
    }
    assert (nps.responses, nps.previous_responses) == (5, 2)
    assert nps.low_confidence
    assert nps.interval is not None and nps.interval.high == 100.0
    assert nps.change_test is not None and not nps.change_test.significant
    assert nps.note == "mean of three"
    assert [p.label for p in nps.trend][:2] == ["2025-04", "2025-05"]
    assert [p.value for p in nps.trend] == [None] * 8 + [-100.0, 100.0, 0.0, 40.0]


def test_a_period_without_responses_has_no_interval_and_no_confidence_mark(
    company: Workspace,
) -> None:
    """November 2025 has no NPS response: no value, n = 0, nothing to be confident about."""
    card = scorecard(company, "review", ScorecardRequest(period=dt.date(2025, 11, 1), views=False))
    nps = _line(card, "nps")
    assert (nps.value, nps.responses, nps.status) == (None, 0, Status.NO_VALUE)
    assert not nps.low_confidence
    assert nps.interval is None and nps.interval_note == "no responses"
    assert nps.change_test is None


def test_baselines_of_each_kind(company: Workspace) -> None:
    """NPS by month: Mar 2025 100, Dec 2025 −100, Jan 2026 100, Feb 2026 0.
    Mean of the 3 months before March 2026: (−100 + 100 + 0) / 3 = 0.
    Same period last year (March 2025): 100. Fixed period 2026-01: 100.
    Mean of the 2 months before 2026-03 (Jan, Feb): 50."""
    card = _card(company, views=False)
    mean3, last_year, fixed, mean2 = (_line(card, "nps", i).baseline for i in range(4))
    assert mean3 is not None and last_year is not None and fixed is not None
    assert mean2 is not None
    assert (mean3.kind, mean3.value, mean3.label) == (
        "mean",
        0.0,
        "mean of 3 periods (2025-12 – 2026-02)",
    )
    assert (last_year.kind, last_year.value) == ("last_year", 100.0)
    assert last_year.periods == [dt.date(2025, 3, 1)]
    assert (fixed.kind, fixed.value, fixed.label) == ("period", 100.0, "2026-01")
    assert (mean2.value, mean2.periods) == (50.0, [dt.date(2026, 1, 1), dt.date(2026, 2, 1)])
    assert _line(card, "nps", 1).vs_baseline == -60.0


def test_a_csm_scorecard_counts_only_that_csms_accounts(company: Workspace) -> None:
    """C1 (Ada) has A1, A2, A6. March: S = {A1, A2}, E = {A1}: 1 customer, 1 churned,
    churn 50%; NPS from A1's 10 and 9: 100 on 2 responses; one upsell (A1).
    Costs belong to no account: CAC has no value for a CSM."""
    card = _card(company, scope=parse_scope("csm:C1"), views=False)
    assert card.scope.label == "CSM Ada (C1)"
    assert _line(card, "customers").value == 1
    assert _line(card, "churned_customers").value == 1
    assert _line(card, "customer_churn_rate").value == 50.0
    nps = _line(card, "nps")
    assert (nps.value, nps.responses) == (100.0, 2)
    assert _line(card, "upsells_cross_sells").value == 1
    cac = _line(card, "cac")
    assert cac.value is None and cac.company_wide
    assert cac.status is Status.NO_VALUE


def test_rep_and_segment_scopes(company: Workspace) -> None:
    """Rep R1 (Cy): A1, A2, A4 → E = {A1, A4}. Segment ENT: A3, A4 → MRR 400 + 50."""
    rep = _card(company, scope=parse_scope("rep:R1"), views=False)
    assert rep.scope.label == "Sales rep Cy (R1)"
    assert _line(rep, "customers").value == 2
    ent = _line(_card(company, scope=parse_scope("segment:ENT"), views=False), "mrr")
    assert ent.value == 450.0


def test_unknown_scope_values_are_named(company: Workspace) -> None:
    with pytest.raises(UsageError, match=r"no account has csm_id = 'C3'; values: C1, C2$"):
        _card(company, scope=parse_scope("csm:C3"))
    with pytest.raises(UsageError, match=r"segment = 'SMBB' \(did you mean 'SMB'\?\)"):
        _card(company, scope=parse_scope("segment:SMBB"))
    with pytest.raises(UsageError, match="'team' is not csm, rep or segment"):
        parse_scope("team:X")
    with pytest.raises(UsageError, match="write csm:ID"):
        parse_scope("csm")


@pytest.mark.parametrize("kind", ["csm", "rep", "segment"])
def test_compared_count_metrics_add_up_to_the_company(company: Workspace, kind: str) -> None:
    """Every account falls in exactly one group (a missing CSM is its own group), so a
    count summed over the groups equals the company's count."""
    card = _card(company, compare=kind, views=False)
    assert card.comparison is not None
    for league in card.comparison.leagues:
        if league.slug not in (
            "customers",
            "new_customers",
            "churned_customers",
            "upsells_cross_sells",
            "mrr",
            "nps",
        ):
            continue
        line = _line(card, league.slug)
        if league.unit in ("count", "currency"):
            assert sum(e.value or 0 for e in league.entries) == line.value, league.slug
            assert league.reference == line.value
        for name, total in line.components.items():
            parts = [e.components[name] for e in league.entries]
            assert sum(p or 0 for p in parts) == pytest.approx(total), (league.slug, name)


def test_league_tables_are_best_first_with_names(company: Workspace) -> None:
    """NPS in March by CSM: Ada (A1: 10, 9) 100; no CSM (A5: 10) 100; Bo (A3: 3, A4: 8)
    −50. Churn rate (lower is better): Bo 0% (A3 stays), no CSM 0%, Ada 50%."""
    card = _card(company, compare="csm", views=False)
    assert card.comparison is not None
    leagues = {lg.slug: lg for lg in card.comparison.leagues}
    nps = leagues["nps"]
    assert [(e.label, e.value) for e in nps.entries] == [
        ("(none)", 100.0),
        ("Ada", 100.0),
        ("Bo", -50.0),
    ]
    assert [e.status for e in nps.entries] == [Status.GREEN, Status.GREEN, Status.RED]
    assert [e.responses for e in nps.entries] == [1, 2, 2]
    assert all(e.low_confidence for e in nps.entries)
    churn = leagues["customer_churn_rate"]
    assert [(e.label, e.value) for e in churn.entries] == [
        ("(none)", 0.0),
        ("Bo", 0.0),
        ("Ada", 50.0),
    ]
    assert churn.reference == 25.0 and churn.reference_label == "Whole company"


def test_the_waterfall_walks_from_opening_to_closing(company: Workspace) -> None:
    """680 + 50 (A4 new) + 140 (A3 +100, A5 +40) + 0 − 0 − 200 (A2) = 670."""
    card = _card(company)
    assert card.waterfall is not None
    assert [(s.label, s.amount) for s in card.waterfall.steps] == [
        ("Opening MRR", 680.0),
        ("New", 50.0),
        ("Expansion", 140.0),
        ("Reactivation", 0.0),
        ("Contraction", 0.0),
        ("Churn", 200.0),
        ("Closing MRR", 670.0),
    ]
    assert card.waterfall.balanced


def test_the_scorecard_is_plain_json(company: Workspace) -> None:
    card = _card(company, compare="segment")
    data = json.loads(json.dumps(card.to_json()))
    assert data["period"] == {"start": "2026-03-01", "end": "2026-03-31", "label": "2026-03"}
    assert data["sections"][0]["lines"][4]["status"] == "green"
    assert data["comparison"]["dimension"] == "segment"
    assert Scorecard.model_validate(data) == card
