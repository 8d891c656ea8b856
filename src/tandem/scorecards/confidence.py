"""Responses, a 95% interval and the test of the change, for the survey metrics.

Reads the components the catalog gives beside each survey metric (promoters,
detractors, responses...) and hands them to ``statistics``; which test is used
for which metric is written there and in docs/scorecards.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tandem.scorecards import statistics as st

#: The component holding Σ score² for the CES t interval (added to ``ces`` by the core).
CES_SQUARES = "ces_score_sq_sum"

Row = Mapping[str, float | None]


@dataclass(frozen=True)
class SurveyFigures:
    responses: int
    previous_responses: int | None
    interval: st.Interval | None
    interval_note: str | None
    low_confidence: bool
    change: st.Change | None


def _get(row: Row | None, name: str) -> float | None:
    return None if row is None else row.get(name)


def figures(slug: str, sample: str, now: Row, before: Row | None, low_below: int) -> SurveyFigures:
    """The survey figures of ``slug`` from this period's and the previous period's rows."""
    n = int(_get(now, sample) or 0)
    n0 = _get(before, sample)
    interval: st.Interval | None = None
    change: st.Change | None = None
    note: str | None = None
    match slug:
        case "nps":
            interval = st.nps_interval(_f(now, "promoters"), _f(now, "detractors"), n)
            if before is not None:
                change = st.nps_change(
                    (_f(before, "promoters"), _f(before, "detractors"), _f(before, sample)),
                    (_f(now, "promoters"), _f(now, "detractors"), n),
                )
        case "csat":
            interval = st.csat_interval(_f(now, "satisfied"), n)
            if before is not None:
                change = st.csat_change(
                    (_f(before, "satisfied"), _f(before, sample)), (_f(now, "satisfied"), n)
                )
        case "ces":
            mean = _get(now, "ces_mean_score")
            if mean is not None:
                interval = st.ces_interval(mean, _f(now, CES_SQUARES), n)
            mean0 = _get(before, "ces_mean_score")
            if mean is not None and mean0 is not None:
                change = st.ces_change(
                    (mean0, _f(before, CES_SQUARES), _f(before, sample)),
                    (mean, _f(now, CES_SQUARES), n),
                )
        case _:
            note = "no interval for this survey metric"
    if interval is None and note is None:
        note = "no interval: too few responses" if n else "no responses"
    return SurveyFigures(
        responses=n,
        previous_responses=None if n0 is None else int(n0),
        interval=interval,
        interval_note=note,
        low_confidence=0 < n < low_below,
        change=change,
    )


def _f(row: Row | None, name: str) -> float:
    value = _get(row, name)
    return 0.0 if value is None else float(value)
