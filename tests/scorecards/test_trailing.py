"""Trailing-twelve-month NRR and GRR: one custom period through the facade."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.scorecards.trailing import MISSING_FEATURE, span_of, supports_span, trailing
from tandem.service.workspace import Workspace


def test_the_span_opens_twelve_months_before_the_last_day() -> None:
    assert span_of(dt.date(2026, 10, 31)) == (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
    assert span_of(dt.date(2026, 2, 28)) == (dt.date(2025, 3, 1), dt.date(2026, 2, 28))
    assert span_of(dt.date(2028, 2, 29)) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))
    assert span_of(dt.date(2026, 9, 30)) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))


def test_without_the_span_feature_the_view_says_what_is_missing(company: Workspace) -> None:
    if supports_span(company):
        pytest.skip("Workspace.compute has span: the values are tested below")
    t = trailing(company, dt.date(2026, 3, 31), {})
    assert not t.available and t.net_revenue_retention is None
    assert t.note is not None and MISSING_FEATURE in t.note


def test_trailing_retention_by_hand(company: Workspace) -> None:
    """Twelve months to 31 March 2026, opening day 31 March 2025: S = {A1 (100), A3 (300)}
    (A2 starts in June). On 31 March 2026 A1 pays 100 and A3 400:
    NRR = 100 × 500 / 400 = 125; GRR = 100 × (100 + 300) / 400 = 100."""
    if not supports_span(company):
        pytest.skip(f"needs {MISSING_FEATURE} in the service (not on main yet)")
    t = trailing(company, dt.date(2026, 3, 31), {})
    assert t.available
    assert (t.first_day, t.last_day) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert t.net_revenue_retention == pytest.approx(125.0)
    assert t.gross_revenue_retention == pytest.approx(100.0)
