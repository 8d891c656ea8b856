"""The cohort matrix of the hand-made company (tests/scorecards/conftest.py), March 2026."""

from __future__ import annotations

import datetime as dt

from tandem.scorecards.cohorts import cohort_matrix
from tandem.service.workspace import Workspace

END = dt.date(2026, 3, 31)


def test_cohort_rows_by_hand(company: Workspace) -> None:
    """Cohorts are months of the first paid day; the window is April 2025 to March 2026.

    2025-06: A2 (200), a customer at the end of June to February, gone in March (M9).
    2026-02: A5 (80) and A6 (60, 10–20 Feb): size 2, A6 is gone by the end of February,
             so M0 = 1 customer (50%) with MRR 80; in March A5 pays 120: revenue 150%.
    2026-03: A4 (50): size 1, 100% at M0.
    A1 and A3 (cohort 2025-01) are older than the window; other months have no cohort.
    """
    matrix = cohort_matrix(company, END, {})
    rows = {r.cohort: r for r in matrix.rows}
    assert list(rows) == [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
    assert matrix.months == list(range(12))
    june = rows["2025-06"]
    assert (june.size, june.start_mrr) == (1, 200.0)
    assert june.customers == [1] * 9 + [0, None, None]
    assert june.logo == [100.0] * 9 + [0.0, None, None]
    assert june.revenue == [100.0] * 9 + [0.0, None, None]
    feb = rows["2026-02"]
    assert (feb.size, feb.start_mrr) == (2, 80.0)
    assert feb.customers[:2] == [1, 1] and feb.mrr[:2] == [80.0, 120.0]
    assert feb.logo[:3] == [50.0, 50.0, None]
    assert feb.revenue[:3] == [100.0, 150.0, None]
    march = rows["2026-03"]
    assert (march.size, march.logo[0], march.revenue[0]) == (1, 100.0, 100.0)
    empty = rows["2025-09"]
    assert empty.size == 0 and empty.logo == [None] * 12
    assert empty.customers[:7] == [0] * 7


def test_the_diagonal_is_each_cohort_in_the_latest_month(company: Workspace) -> None:
    """The cells of March 2026 (k = months since the cohort's month): June 2025 at k = 9
    has lost A2 (0%, 0%); February 2026 at k = 1 keeps A5 (50%, 120 / 80 = 150%); March
    2026 at k = 0 is A4 (100%, 100%)."""
    matrix = cohort_matrix(company, END, {})
    diagonal = {r.cohort: (r.logo[11 - i], r.revenue[11 - i]) for i, r in enumerate(matrix.rows)}
    assert diagonal["2025-06"] == (0.0, 0.0)
    assert diagonal["2026-02"] == (50.0, 150.0)
    assert diagonal["2026-03"] == (100.0, 100.0)


def test_a_scope_keeps_its_own_accounts(company: Workspace) -> None:
    """CSM C1 (A1, A2, A6): cohort 2026-02 holds only A6 (size 1, gone at M0: 0%)."""
    rows = {r.cohort: r for r in cohort_matrix(company, END, {"csm_id": "C1"}).rows}
    assert (rows["2026-02"].size, rows["2026-02"].logo[0]) == (1, 0.0)
    assert rows["2025-06"].size == 1
    assert rows["2026-03"].size == 0
