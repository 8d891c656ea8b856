"""The default shared scorecard: the issue's sections and metrics, written by init."""

from __future__ import annotations

from pathlib import Path

from tandem.scorecards.defaults import default_text, write_default
from tandem.scorecards.definition import parse
from tandem.semantic.catalog import default_catalog

#: Issue 12, point 2, in order.
EXPECTED = {
    "Revenue": [
        "net_revenue_retention",
        "gross_revenue_retention",
        "revenue_churn_rate",
        "expansion_revenue",
        "upsells_cross_sells",
        "expansion_win_rate",
        "arpc",
        "customer_lifetime_value",
        "cac",
        "ltv_cac",
    ],
    "Customers": [
        "customer_churn_rate",
        "customer_retention_rate",
        "nps",
        "csat",
        "ces",
        "customer_escalation_rate",
        "first_contact_resolution",
    ],
    "Onboarding and adoption": [
        "days_to_onboard",
        "onboarding_success_rate",
        "time_to_value",
        "adoption_rate",
        "sessions_per_day",
        "time_in_product_per_day",
    ],
    "Handoff": ["deal_handoff_accuracy"],
    "Acquisition": [
        "pilot_success_rate",
        "free_to_paid_conversion_rate",
        "repeat_purchase_rate",
    ],
}


def test_the_default_has_the_issues_sections_and_metrics() -> None:
    catalog = default_catalog().metrics
    d = parse(default_text(), "shared.yml", catalog)
    assert {s.title: [e.metric for e in s.metrics] for s in d.sections} == EXPECTED
    assert list(EXPECTED) == [s.title for s in d.sections]
    nps = next(e for e in d.entries if e.metric == "nps")
    assert catalog["nps"].measures == ("promoters", "passives", "detractors", "nps_responses")
    assert nps.teams is None  # the catalog's teams


def test_write_default_never_replaces_a_file(tmp_path: Path) -> None:
    written = write_default(tmp_path)
    assert written == tmp_path / "scorecards" / "shared.yml"
    assert written.read_text(encoding="utf-8") == default_text()
    written.write_text("title: mine\n", encoding="utf-8")
    assert write_default(tmp_path) is None
    assert written.read_text(encoding="utf-8") == "title: mine\n"
    assert [p.name for p in written.parent.iterdir()] == ["shared.yml"]
