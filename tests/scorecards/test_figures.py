"""Numbers as the renderers print them."""

from __future__ import annotations

from tandem.scorecards.figures import delta, figure, sparkline


def test_values_in_their_units() -> None:
    assert figure(74.04, "percent") == "74.0%"
    assert figure(3426812.4, "currency") == "3,426,812"
    assert figure(72.5, "currency") == "72.50"
    assert figure(0.0, "currency") == "0"
    assert figure(18.0, "days") == "18.0 d"
    assert figure(4.5, "score") == "4.50"
    assert figure(-21.46, "score") == "-21.5"
    assert figure(None, "percent") == "—"


def test_changes_with_their_sign() -> None:
    assert delta(-2.04, "percent") == "−2.0 pts"
    assert delta(-0.04, "percent") == "−0.04 pts"
    assert delta(0.0, "percent") == "0.0 pts"
    assert delta(0.0, "count") == "0"
    assert delta(-42125.0, "currency") == "−42,125"
    assert delta(None, "count") == "—"


def test_sparkline_has_one_block_per_period() -> None:
    assert sparkline([1.0, None, 3.0, 2.0]) == "▁ █▅"
    assert sparkline([None, None]) == ""
    assert sparkline([5.0, 5.0]) == "▄▄"
