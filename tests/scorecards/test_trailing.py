"""Trailing-twelve-month NRR and GRR: one custom period through the facade."""

from __future__ import annotations

import datetime as dt

import pytest

from tandem.scorecards.trailing import span_of, trailing
from tandem.service.workspace import Workspace


def test_the_span_opens_twelve_months_before_the_last_day() -> None:
    assert span_of(dt.date(2026, 10, 31)) == (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
    assert span_of(dt.date(2026, 2, 28)) == (dt.date(2025, 3, 1), dt.date(2026, 2, 28))
    assert span_of(dt.date(2028, 2, 29)) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))
    assert span_of(dt.date(2026, 9, 30)) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))


def test_trailing_retention_by_hand(company: Workspace) -> None:
    """Twelve months to 31 March 2026, opening day 31 March 2025: S = {A1 (100), A3 (300)}
    (A2 starts in June). On 31 March 2026 A1 pays 100 and A3 400:
    NRR = 100 × 500 / 400 = 125; GRR = 100 × (100 + 300) / 400 = 100."""
    t = trailing(company, dt.date(2026, 3, 31), {})
    assert (t.first_day, t.last_day) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert t.net_revenue_retention == pytest.approx(125.0)
    assert t.gross_revenue_retention == pytest.approx(100.0)
