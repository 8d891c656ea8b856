"""Red / amber / green in both directions, at and around every threshold."""

from __future__ import annotations

import pytest

from tandem.scorecards.definition import Rule
from tandem.scorecards.status import Status, describe, status_of
from tandem.semantic.types import Direction

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
G, A, R = Status.GREEN, Status.AMBER, Status.RED


@pytest.mark.parametrize(
    ("value", "expected"),
    [(101, G), (100, G), (99.99, A), (95.01, A), (95, R), (80, R)],
)
def test_thresholds_higher_is_better(value: float, expected: Status) -> None:
    """green: 100, red: 95 → green at 100 or more, red at 95 or less, amber between."""
    assert status_of(value, None, Rule(green=100, red=95), HIGHER) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.5, G), (2, G), (2.01, A), (3.99, A), (4, R), (10, R)],
)
def test_thresholds_lower_is_better(value: float, expected: Status) -> None:
    """green: 2, red: 4 for a churn rate → green at 2 or less, red at 4 or more."""
    assert status_of(value, None, Rule(green=2, red=4), LOWER) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(35, G), (30, G), (25, A), (20, A), (19.99, R)],
)
def test_tolerance_higher_is_better(value: float, expected: Status) -> None:
    """Target 30, tolerance 10: green from 30, amber down to 20 included, red below."""
    assert status_of(value, 30, Rule(tolerance=10), HIGHER) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(25, G), (30, G), (32, A), (33, A), (33.01, R)],
)
def test_relative_tolerance_lower_is_better(value: float, expected: Status) -> None:
    """Days to onboard, target 30, tolerance 10% = 3 days: amber up to 33, red past it."""
    assert status_of(value, 30, Rule(tolerance=10, relative=True), LOWER) is expected


def test_a_target_without_a_rule_is_green_or_red() -> None:
    assert status_of(80, 80, None, HIGHER) is G
    assert status_of(79.9, 80, None, HIGHER) is R
    assert status_of(5, 5, None, LOWER) is G
    assert status_of(5.1, 5, None, LOWER) is R


def test_no_value_and_no_target() -> None:
    assert status_of(None, 30, Rule(tolerance=10), HIGHER) is Status.NO_VALUE
    assert status_of(12.0, None, None, HIGHER) is Status.NONE


def test_values_a_rounding_error_away_from_a_threshold_are_on_it() -> None:
    """100 × 0.57 is 56.99999999999999 in floating point; 0.1 + 0.2 is 0.30000000000000004."""
    assert 100 * 0.57 != 57
    assert status_of(100 * 0.57, None, Rule(green=57, red=50), HIGHER) is G
    assert status_of(0.1 + 0.2, 0.3, None, LOWER) is G


def test_rules_in_words() -> None:
    assert describe(Rule(green=100, red=95), None, HIGHER) == "green ≥ 100, red ≤ 95"
    assert describe(Rule(green=2, red=4), None, LOWER) == "green ≤ 2, red ≥ 4"
    assert describe(Rule(tolerance=10), 30, HIGHER) == "green ≥ 30, amber ≥ 20 (tolerance 10)"
    assert (
        describe(Rule(tolerance=10, relative=True), 30, LOWER)
        == "green ≤ 30, amber ≤ 33 (tolerance 10% of target)"
    )
    assert describe(None, 80, HIGHER) == "green ≥ 80, red otherwise"
    assert describe(None, None, HIGHER) == "no target"
