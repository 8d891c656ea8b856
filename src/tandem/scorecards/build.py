"""Assembling a scorecard: one computation through the facade, then targets and baselines.

Every number comes from ``Workspace.compute``: the scorecard's metrics over the
trend window (the period shown and the 11 before it, plus the baselines'
periods) in one call, restricted to the scope; a comparison is one more call cut
by the dimension; the cohort matrix and the trailing-twelve-month retention one
call each. Nothing here computes a metric itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tandem.scorecards import confidence
from tandem.scorecards.baseline import baseline_value, label, periods_of
from tandem.scorecards.cohorts import cohort_matrix
from tandem.scorecards.definition import MetricEntry, ScorecardDefinition
from tandem.scorecards.lifetime import lifetime_value
from tandem.scorecards.model import (
    BaselineOut,
    ChangeTest,
    Comparison,
    IntervalOut,
    League,
    LeagueEntry,
    Line,
    PeriodInfo,
    Point,
    Scope,
    Scorecard,
    Section,
)
from tandem.scorecards.scopes import (
    COLUMN,
    COMPARE_TITLE,
    DIMENSION,
    LABEL_COLUMN,
    Kind,
    resolve_scope,
)
from tandem.scorecards.status import Status, describe, status_of
from tandem.scorecards.trailing import trailing
from tandem.scorecards.waterfall import waterfall
from tandem.semantic.calendar import Grain, Period, period, period_containing
from tandem.semantic.types import Direction

if TYPE_CHECKING:
    import pandas as pd

    from tandem.semantic.types import Metric
    from tandem.service.workspace import Workspace

#: Periods in a metric's trend, the period shown included.
TREND = 12

Row = dict[str, Any]


@dataclass(frozen=True)
class ScorecardRequest:
    """What to show: which period (default: the latest with data), whose, compared how."""

    period: dt.date | None = None
    grain: Grain | None = None
    scope: Scope = field(default_factory=Scope)
    compare: Kind | None = None
    #: The cohort matrix, the MRR waterfall and trailing-twelve-month retention.
    views: bool = True


def latest_day(ws: Workspace) -> dt.date:
    """The last day with data, not after today: the default period to show."""
    with ws.read() as s:
        extent = s.extent()
        today = s.today
    return today if extent is None else min(extent[1], today)


def build(
    ws: Workspace,
    definition: ScorecardDefinition,
    request: ScorecardRequest,
    *,
    name: str,
    source: str,
) -> Scorecard:
    """The scorecard ``definition`` for ``request``, every number through the facade."""
    grain = request.grain or definition.grain
    scope = resolve_scope(ws, request.scope)
    current = period_containing(request.period or latest_day(ws), grain)
    previous = period(current.key - 1, grain)
    trend = [period(k, grain) for k in range(current.key - TREND + 1, current.key + 1)]
    needed = list(trend)
    for entry in definition.entries:
        needed += periods_of(entry.baseline or definition.baseline, current, grain)
    slugs = definition.slugs
    extra = [] if "mrr" in slugs or not request.views else ["mrr"]
    results = _compute(
        ws,
        slugs + extra,
        grain=grain.value,
        start=min(p.start for p in needed),
        end=max(p.end for p in needed),
        where=scope.where,
    )
    by_slug = {slug: _by_period(r.rows) for slug, r in results.items()}
    low_below = ws.settings.metrics.min_survey_responses
    sections = []
    for section in definition.sections:
        lines = [
            _line(
                entry,
                results[entry.metric],
                by_slug[entry.metric],
                definition,
                current,
                previous,
                trend,
                grain,
                low_below,
            )
            for entry in section.metrics
        ]
        sections.append(Section(title=section.title, note=section.note, lines=lines))
    comparison = None
    if request.compare is not None:
        comparison = _comparison(
            ws, definition, request.compare, scope, current, previous, grain, low_below, sections
        )
    card = Scorecard(
        name=name,
        title=definition.title,
        description=definition.description,
        source=source,
        grain=grain.value,
        period=_info(current, grain),
        previous_period=_info(previous, grain),
        scope=scope,
        computed_on=ws.today(),
        low_confidence_below=low_below,
        sections=sections,
        comparison=comparison,
    )
    if not request.views:
        return card
    mrr_now = _components(by_slug["mrr"].get(current.start))
    return card.model_copy(
        update={
            "trailing": trailing(ws, current.end, scope.where),
            "waterfall": waterfall(mrr_now),
            "cohorts": cohort_matrix(ws, current.end, scope.where),
            "lifetime": lifetime_value(ws, current.end, scope.where, _simple_clv(card)),
        }
    )


def _simple_clv(card: Scorecard) -> float | None:
    """The catalog's CLV as the scorecard shows it, when the scorecard has it."""
    return next((line.value for line in card.lines if line.slug == "customer_lifetime_value"), None)


def _compute(ws: Workspace, slugs: list[str], **kwargs: Any) -> dict[str, Any]:
    # Small samples come back as data on each result (MetricResult.warnings); the
    # scorecard marks low-confidence survey values itself.
    return ws.compute(slugs, **kwargs)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return None if f != f else f


def _by_period(rows: pd.DataFrame) -> dict[dt.date, Row]:
    records: list[Row] = rows.to_dict("records")  # type: ignore[assignment]
    return {rec["period"]: rec for rec in records}


def _components(row: Row | None) -> dict[str, float | None]:
    if row is None:
        return {}
    skip = {"period", "value", *COLUMN.values(), *(c for c in LABEL_COLUMN.values() if c)}
    return {k: _num(v) for k, v in row.items() if k not in skip}


def _info(p: Period, grain: Grain) -> PeriodInfo:
    return PeriodInfo(start=p.start, end=p.end, label=label(p, grain))


def _line(
    entry: MetricEntry,
    result: Any,
    rows: Mapping[dt.date, Row],
    definition: ScorecardDefinition,
    current: Period,
    previous: Period,
    trend: list[Period],
    grain: Grain,
    low_below: int,
) -> Line:
    m: Metric = result.metric
    values = {day: _num(row["value"]) for day, row in rows.items()}
    value = values.get(current.start)
    before = values.get(previous.start)
    base = baseline_value(entry.baseline or definition.baseline, values, current, grain)
    components = _components(rows.get(current.start))
    survey: dict[str, Any] = {}
    if m.sample is not None:
        figures = confidence.figures(
            m.slug,
            m.sample,
            components,
            _components(rows.get(previous.start)) if previous.start in rows else None,
            low_below,
        )
        survey = {
            "responses": figures.responses,
            "previous_responses": figures.previous_responses,
            "interval": None if figures.interval is None else IntervalOut(**vars(figures.interval)),
            "interval_note": figures.interval_note,
            "low_confidence": figures.low_confidence,
            "change_test": None if figures.change is None else ChangeTest(**vars(figures.change)),
        }
    return Line(
        slug=m.slug,
        name=m.name,
        unit=m.unit.value,
        direction=m.direction.value,
        higher_is_better=m.direction is Direction.HIGHER,
        teams=[t.value for t in (entry.teams or m.teams)],
        description=m.description,
        note=entry.note,
        value=value,
        previous=before,
        change=None if value is None or before is None else value - before,
        baseline=BaselineOut(
            kind=base.kind, label=base.label, value=base.value, periods=list(base.periods)
        ),
        vs_baseline=None if value is None or base.value is None else value - base.value,
        target=entry.target,
        rule=describe(entry.status, entry.target, m.direction),
        status=status_of(value, entry.target, entry.status, m.direction),
        trend=[
            Point(period=p.start, label=label(p, grain), value=values.get(p.start)) for p in trend
        ],
        components=components,
        company_wide=m.company_wide,
        fingerprint=result.fingerprint,
        **survey,
    )


def _comparison(
    ws: Workspace,
    definition: ScorecardDefinition,
    kind: Kind,
    scope: Scope,
    current: Period,
    previous: Period,
    grain: Grain,
    low_below: int,
    sections: list[Section],
) -> Comparison:
    """Every metric across every value of ``kind``: one computation, best first.

    Company-wide metrics (costs) have no value for any group and get no league.
    """
    results = _compute(
        ws,
        definition.slugs,
        grain=grain.value,
        by=[DIMENSION[kind]],
        start=previous.start,
        end=current.end,
        where=scope.where,
    )
    key_col, label_col = COLUMN[kind], LABEL_COLUMN[kind]
    reference = {line.slug: line.value for line in (ln for s in sections for ln in s.lines)}
    entries_by_slug: dict[str, MetricEntry] = {}
    for e in definition.entries:  # a metric listed twice is ranked by its first rule
        entries_by_slug.setdefault(e.metric, e)
    leagues = []
    for slug in definition.slugs:
        r = results[slug]
        m: Metric = r.metric
        if m.company_wide:
            continue  # costs belong to no account: no value for any group
        entry = entries_by_slug[slug]
        groups: dict[str | None, dict[dt.date, Row]] = {}
        for rec in r.rows.to_dict("records"):
            key = rec[key_col] if isinstance(rec[key_col], str) else None
            groups.setdefault(key, {})[rec["period"]] = rec
        entries = []
        for key, by_period in groups.items():
            now = by_period.get(current.start, {})
            value = _num(now.get("value"))
            components = _components(now)
            responses = None if m.sample is None else int(components.get(m.sample) or 0)
            name = now.get(label_col) if label_col else None
            shown = (name if isinstance(name, str) else None) or key or "(none)"
            entries.append(
                LeagueEntry(
                    key=key,
                    label=str(shown),
                    value=value,
                    previous=_num(by_period.get(previous.start, {}).get("value")),
                    status=status_of(value, entry.target, entry.status, m.direction),
                    responses=responses,
                    low_confidence=responses is not None and 0 < responses < low_below,
                    components=components,
                )
            )
        leagues.append(
            League(
                slug=slug,
                name=m.name,
                unit=m.unit.value,
                higher_is_better=m.direction is Direction.HIGHER,
                reference=reference.get(slug),
                reference_label=scope.label,
                entries=_best_first(entries, m.direction),
            )
        )
    return Comparison(dimension=kind, title=COMPARE_TITLE[kind], leagues=leagues)


def _best_first(entries: list[LeagueEntry], direction: Direction) -> list[LeagueEntry]:
    sign = -1 if direction is Direction.HIGHER else 1
    return sorted(
        entries,
        key=lambda e: (e.value is None, sign * (e.value or 0.0), e.label),
    )


def status_counts(card: Scorecard) -> dict[Status, int]:
    """How many lines of the scorecard have each status."""
    counts = dict.fromkeys(Status, 0)
    for line in card.lines:
        counts[line.status] += 1
    return counts
