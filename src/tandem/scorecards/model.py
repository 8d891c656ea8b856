"""The scorecard as data: typed, JSON-serialisable, the same for every format.

``Scorecard.to_json()`` is what ``--format json`` prints and what the web API
returns; the table, CSV, HTML, XLSX and PDF renderers read nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from tandem.scorecards.status import Status


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PeriodInfo(_Out):
    start: dt.date
    end: dt.date
    label: str


class Scope(_Out):
    """Whose numbers: the whole company, one CSM's or sales rep's book, or one segment."""

    kind: Literal["company", "csm", "rep", "segment"] = "company"
    value: str | None = None
    label: str = "Whole company"

    @property
    def where(self) -> dict[str, str]:
        column = {"csm": "csm_id", "rep": "sales_rep_id", "segment": "segment"}
        return (
            {} if self.kind == "company" or self.value is None else {column[self.kind]: self.value}
        )


class Point(_Out):
    period: dt.date
    label: str
    value: float | None


class BaselineOut(_Out):
    kind: str
    label: str
    value: float | None
    periods: list[dt.date]


class IntervalOut(_Out):
    low: float
    high: float
    level: float
    method: str


class ChangeTest(_Out):
    test: str
    p_value: float
    significant: bool


class Line(_Out):
    """One metric of the scorecard in the period shown."""

    slug: str
    name: str
    unit: str
    direction: str
    higher_is_better: bool
    teams: list[str]
    description: str
    note: str | None = None
    value: float | None
    previous: float | None
    change: float | None
    baseline: BaselineOut | None
    vs_baseline: float | None
    target: float | None
    rule: str
    status: Status
    trend: list[Point]
    components: dict[str, float | None]
    #: Survey metrics: responses in the period and the one before, a 95% interval.
    responses: int | None = None
    previous_responses: int | None = None
    interval: IntervalOut | None = None
    interval_note: str | None = None
    low_confidence: bool = False
    change_test: ChangeTest | None = None
    company_wide: bool = False
    fingerprint: str


class Section(_Out):
    title: str
    note: str | None = None
    lines: list[Line]


class LeagueEntry(_Out):
    key: str | None
    label: str
    value: float | None
    previous: float | None
    status: Status
    responses: int | None = None
    low_confidence: bool = False
    components: dict[str, float | None]


class League(_Out):
    """One metric across every CSM, rep or segment, best first, with the scope's value."""

    slug: str
    name: str
    unit: str
    higher_is_better: bool
    reference: float | None
    reference_label: str
    entries: list[LeagueEntry]


class Comparison(_Out):
    dimension: Literal["csm", "rep", "segment"]
    title: str
    leagues: list[League]


class Trailing(_Out):
    """Net and gross revenue retention over the twelve months ending with the period."""

    first_day: dt.date
    last_day: dt.date
    net_revenue_retention: float | None = None
    gross_revenue_retention: float | None = None


class LifetimeValue(_Out):
    """The catalog's customer lifetime value beside the model's predicted CLV."""

    simple_clv: float | None = None
    predicted_clv: float | None = None
    accounts_scored: int = 0
    horizon_weeks: int
    note: str
    #: Why the model gave no figure (too few repeat customers, no convergence...).
    refused: str | None = None


class Step(_Out):
    name: str
    label: str
    amount: float
    kind: Literal["total", "increase", "decrease"]


class Waterfall(_Out):
    """The period's MRR walk: opening + new + expansion + reactivation − contraction − churn."""

    steps: list[Step]
    balanced: bool


class CohortRow(_Out):
    cohort: str
    size: int
    start_mrr: float
    customers: list[int | None]
    mrr: list[float | None]
    logo: list[float | None]
    revenue: list[float | None]


class Cohorts(_Out):
    """Logo and revenue retention by signup month; column k is k months after signup."""

    months: list[int]
    rows: list[CohortRow]


class Scorecard(_Out):
    name: str
    title: str
    description: str | None
    source: str
    grain: str
    period: PeriodInfo
    previous_period: PeriodInfo
    scope: Scope
    computed_on: dt.date
    low_confidence_below: int
    sections: list[Section]
    comparison: Comparison | None = None
    trailing: Trailing | None = None
    waterfall: Waterfall | None = None
    cohorts: Cohorts | None = None
    lifetime: LifetimeValue | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (dates as ISO strings), as the CLI and the API give them."""
        return self.model_dump(mode="json")

    @property
    def lines(self) -> list[Line]:
        return [line for s in self.sections for line in s.lines]
