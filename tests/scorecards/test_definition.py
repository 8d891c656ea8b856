"""Scorecard YAML: valid files parse; every problem names file, line and field."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from tandem.scorecards.definition import DefinitionError, ScorecardDefinition, parse
from tandem.semantic.catalog import default_catalog

CATALOG = default_catalog().metrics


def _parse(text: str) -> ScorecardDefinition:
    return parse(textwrap.dedent(text).lstrip("\n"), "cards/test.yml", CATALOG)


def _issues(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        _parse(text)
    return [str(i) for i in caught.value.issues]


def test_a_full_definition_parses_with_defaults_filled() -> None:
    d = _parse(
        """
        title: Review
        grain: quarter
        baseline: same_period_last_year
        sections:
          - title: Customers
            metrics:
              - metric: nps
                target: 30
                status: {tolerance: 10}
                teams: [marketing, service]
                note: Quarterly survey.
              - metric: customer_churn_rate
                status: {green: 2, red: 4}
                baseline: {mean_of: 4, before: 2026-01}
              - metric: csat
                target: 80
                status: {tolerance: 5%}
                baseline: {period: 2025-12-15}
        """
    )
    assert d.grain.value == "quarter"
    assert d.baseline.kind == "last_year"
    nps, churn, csat = d.entries
    assert nps.status is not None and nps.status.tolerance == 10 and not nps.status.relative
    assert [t.value for t in nps.teams or ()] == ["marketing", "service"]
    assert churn.baseline is not None
    assert (churn.baseline.kind, churn.baseline.mean_of) == ("mean", 4)
    assert churn.baseline.before == dt.date(2026, 1, 1)
    assert csat.status is not None and csat.status.relative and csat.status.tolerance == 5
    assert csat.baseline is not None and csat.baseline.period == dt.date(2025, 12, 15)
    assert d.slugs == ["nps", "customer_churn_rate", "csat"]


def test_unknown_metric_names_line_field_and_the_near_slug() -> None:
    issues = _issues(
        """
        title: Review
        sections:
          - title: Customers
            metrics:
              - metric: nps
              - metric: customer_chrun_rate
        """
    )
    assert issues == [
        "cards/test.yml, line 6, sections[0].metrics[1].metric: unknown metric "
        "'customer_chrun_rate' (did you mean 'customer_churn_rate'?); "
        "'tandem metrics' lists them"
    ]


def test_every_issue_of_a_file_is_reported_at_once() -> None:
    issues = _issues(
        """
        title: Review
        sections:
          - title: Revenue
            metrics:
              - metric: net_revenu_retention
                target: lots
              - metric: customer_churn_rate
                status: {green: 5, red: 2}
              - metric: nps
                status: {tolerance: 10}
                tagret: 30
                teams: [success]
        """
    )
    assert issues == [
        "cards/test.yml, line 5, sections[0].metrics[0].metric: unknown metric "
        "'net_revenu_retention' (did you mean 'net_revenue_retention'?); "
        "'tandem metrics' lists them",
        "cards/test.yml, line 6, sections[0].metrics[0].target: input should be a valid "
        "number, unable to parse string as a number (got 'lots')",
        "cards/test.yml, line 8, sections[0].metrics[1].status: customer_churn_rate: lower "
        "is better, so green (5) must be lower than red (2)",
        "cards/test.yml, line 11, sections[0].metrics[2].tagret: unknown key 'tagret' "
        "(did you mean 'target'?)",
        "cards/test.yml, line 12, sections[0].metrics[2].teams[0]: 'success': input should "
        "be 'marketing', 'sales' or 'service'",
    ]


def test_thresholds_must_respect_a_higher_is_better_direction() -> None:
    issues = _issues(
        """
        title: Review
        sections:
          - title: Customers
            metrics:
              - metric: nps
                status: {green: 10, red: 20}
        """
    )
    assert issues == [
        "cards/test.yml, line 6, sections[0].metrics[0].status: nps: higher is better, so "
        "green (10) must be higher than red (20)"
    ]


def test_rule_shapes_are_checked() -> None:
    issues = _issues(
        """
        title: Review
        sections:
          - title: Customers
            metrics:
              - metric: nps
                status: {tolerance: 10}
              - metric: csat
                target: 80
                status: {green: 80}
              - metric: ces
                target: 5
                status: {green: 5, red: 4, tolerance: 1}
              - metric: csat
                target: 80
                status: {tolerance: lots%}
        """
    )
    assert issues == [
        "cards/test.yml, line 6, sections[0].metrics[0].status.tolerance: a tolerance "
        "needs a target",
        "cards/test.yml, line 9, sections[0].metrics[1].status.red: thresholds need both "
        "green and red (red is missing)",
        "cards/test.yml, line 12, sections[0].metrics[2].status: give either thresholds "
        "(green, red) or a tolerance, not both",
        "cards/test.yml, line 15, sections[0].metrics[3].status.tolerance: tolerance 'lots%' "
        "is not a number or a percentage like 10%",
    ]


def test_baseline_mistakes_are_named() -> None:
    issues = _issues(
        """
        title: Review
        baseline: last_month
        sections:
          - title: Customers
            metrics:
              - metric: nps
                baseline: {period: 2026-13}
              - metric: csat
                baseline: {mean_of: 0}
        """
    )
    assert issues == [
        "cards/test.yml, line 2, baseline: baseline 'last_month': write "
        "same_period_last_year, {period: 2026-01} or {mean_of: 3} (optionally with "
        "before: DATE)",
        "cards/test.yml, line 7, sections[0].metrics[0].baseline.period: '2026-13' is not "
        "a date like 2026-03-15, 2026-03 or 2026",
        "cards/test.yml, line 9, sections[0].metrics[1].baseline.mean_of: Input should be "
        "greater than or equal to 1",
    ]


def test_the_grain_is_a_calendar_grain() -> None:
    issues = _issues(
        "title: Review\ngrain: span\nsections:\n  - title: A\n    metrics:\n      - metric: nps\n"
    )
    assert issues == ["cards/test.yml, line 2, grain: choose week, month, quarter or year"]
    issues = _issues(
        "title: Review\ngrain: monthly\nsections:\n  - title: A\n    metrics:\n"
        "      - metric: nps\n"
    )
    assert issues[0].startswith("cards/test.yml, line 2, grain: 'monthly': input should be")


def test_missing_parts_point_at_their_parent() -> None:
    issues = _issues(
        """
        sections:
          - title: Customers
            metrics: []
          - metrics:
              - target: 3
        """
    )
    assert issues == [
        "cards/test.yml, line 1, title: required, missing",
        "cards/test.yml, line 3, sections[0].metrics: List should have at least 1 item "
        "after validation, not 0",
        "cards/test.yml, line 4, sections[1].title: required, missing",
        "cards/test.yml, line 5, sections[1].metrics[0].metric: required, missing",
    ]


def test_yaml_syntax_errors_name_the_line() -> None:
    issues = _issues(
        """
        title: Review
        sections:
          - title: Customers
            metrics:
              - metric: nps
                target: [30
        """
    )
    assert len(issues) == 1
    assert issues[0].startswith("cards/test.yml, line 7: not valid YAML:")


def test_duplicate_keys_are_refused() -> None:
    issues = _issues(
        """
        title: Review
        sections:
          - title: Customers
            metrics:
              - metric: nps
                target: 30
                target: 40
        """
    )
    assert issues == ["cards/test.yml, line 7, sections[0].metrics[0].target: duplicate key"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "cards/test.yml: empty file; a scorecard needs a title"),
        ("- a\n- b\n", "cards/test.yml, line 1: a scorecard is a mapping (title, sections)"),
    ],
)
def test_empty_or_wrong_shaped_files(text: str, reason: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse(text, "cards/test.yml", CATALOG)
    assert str(caught.value) == reason
    assert caught.value.exit_code == 2
