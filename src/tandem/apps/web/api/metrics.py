"""A metric's series (grain, dimensions, range, filters) and the rows behind one of its numbers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from tandem.apps.web.api.catalog import MetricInfo, metric_info
from tandem.apps.web.api.common import (
    DATE_PATTERN,
    WS,
    Grain,
    book_dimension,
    check_dimensions,
    data_of,
    parse_day,
    parse_where,
    plain,
    records,
    scope_for,
    split,
)
from tandem.apps.web.auth import ApiUser, Principal
from tandem.apps.web.errors import ERROR_RESPONSES, ApiError
from tandem.service.workspace import Workspace

router = APIRouter(tags=["metrics"], responses=ERROR_RESPONSES)

#: Periods one request may ask for (a decade of weeks); more is a mistake, not a chart.
MAX_PERIODS = 600
SLUG = Path(description="Metric slug, as listed by /api/catalog", max_length=80)
GRAIN = Query(description="Period grain")
BY = Query(
    description="Dimension to cut by (segment, region, csm, plan, cohort, ...); "
    "repeat or separate with commas",
)
WHERE = Query(description="Keep only DIMENSION=VALUE; repeatable")
FROM = Query(alias="from", pattern=DATE_PATTERN, description="First day, month or year")
TO = Query(alias="to", pattern=DATE_PATTERN, description="Last day, month or year")


class MetricSeries(BaseModel):
    metric: MetricInfo
    grain: str
    dimensions: list[str] = Field(description="The dimension columns of the rows, in order")
    where: dict[str, str] = Field(description="The filters applied (a member's book included)")
    fingerprint: str
    knobs: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]] = Field(
        description="One per period (and dimension value): period, dimensions, value, components"
    )
    notes: list[str] = Field(description="Soft problems, e.g. values resting on few responses")


class Period(BaseModel):
    start: str
    end: str


class SourceRows(BaseModel):
    source: str
    description: str
    measures: list[str] = Field(description="Columns saying how each row counts")
    total_rows: int = Field(description="Rows that count; 'rows' holds the first 'limit'")
    columns: list[str]
    rows: list[dict[str, Any]]


class Explanation(BaseModel):
    metric: MetricInfo
    period: Period
    grain: str
    where: dict[str, str]
    fingerprint: str
    result: dict[str, Any] = Field(description="The value and its components in the period")
    sources: list[SourceRows]
    notes: list[str]


def find_metric(ws: Workspace, slug: str) -> Any:
    from tandem.errors import did_you_mean

    by_slug = {m.slug: m for m in ws.catalog()}
    if slug not in by_slug:
        raise ApiError(
            404, f"no metric {slug!r}{did_you_mean(slug, list(by_slug))}", parameter="slug"
        )
    return by_slug[slug]


def _periods(grain: Grain, start: dt.date, end: dt.date) -> int:
    days = (end - start).days
    return days // {Grain.WEEK: 7, Grain.MONTH: 28, Grain.QUARTER: 90, Grain.YEAR: 365}[grain] + 1


def metric_scope(
    request: Request, ws: Workspace, principal: Principal, by: list[str], where: dict[str, str]
) -> dict[str, str]:
    """Check dimension names, then narrow a member to their book."""
    check_dimensions(ws, by, "by")
    check_dimensions(ws, list(where), "where")
    if principal.owner is None:
        return where
    book = data_of(request).book(ws)
    return scope_for(principal, book_dimension(book, principal.owner), by, where)


@router.get("/api/metrics/{slug}", response_model=MetricSeries, summary="A metric by period")
def series(
    principal: ApiUser,
    request: Request,
    ws: WS,
    slug: Annotated[str, SLUG],
    grain: Annotated[Grain, GRAIN] = Grain.MONTH,
    by: Annotated[list[str] | None, BY] = None,
    start: Annotated[str | None, FROM] = None,
    end: Annotated[str | None, TO] = None,
    where: Annotated[list[str] | None, WHERE] = None,
) -> MetricSeries:
    m = find_metric(ws, slug)
    dims = split(by)
    first, last = parse_day(start, "from"), parse_day(end, "to", end=True)
    if first and last and first > last:
        raise ApiError(422, f"from {start} is after to {end}", parameter="from")
    if first and _periods(grain, first, last or ws.today()) > MAX_PERIODS:
        raise ApiError(
            422,
            f"from {start}: more than {MAX_PERIODS} {grain.value}s; narrow the range",
            parameter="from",
        )
    filters = metric_scope(request, ws, principal, dims, parse_where(where))
    key = ("series", m.slug, grain, tuple(dims), first, last, tuple(sorted(filters.items())))
    return data_of(request).answer(
        ws, key, lambda: _series(ws, m, grain, dims, first, last, filters)
    )


def _series(
    ws: Workspace,
    m: Any,
    grain: Grain,
    dims: list[str],
    first: dt.date | None,
    last: dt.date | None,
    filters: dict[str, str],
) -> MetricSeries:
    result = ws.compute([m.slug], grain=grain.value, by=dims, start=first, end=last, where=filters)[
        m.slug
    ]
    return MetricSeries(
        metric=metric_info(ws, m, result.fingerprint),
        grain=result.grain.value,
        dimensions=list(result.dimensions) + _labels(result),
        where=filters,
        fingerprint=result.fingerprint,
        knobs={k: plain(v) for k, v in result.knobs.items()},
        columns=[str(c) for c in result.rows.columns],
        rows=records(result.rows),
        notes=[str(w) for w in result.warnings],
    )


def _labels(result: Any) -> list[str]:
    dims = set(result.dimensions)
    return [
        str(c)
        for c in result.rows.columns
        if str(c).endswith("_name")
        and str(c) not in dims
        and str(c)[: -len("_name")] + "_id" in dims
    ]


@router.get(
    "/api/metrics/{slug}/explain",
    response_model=Explanation,
    summary="The rows behind a metric's number in one period",
)
def explain(
    principal: ApiUser,
    request: Request,
    ws: WS,
    slug: Annotated[str, SLUG],
    period: Annotated[
        str, Query(pattern=DATE_PATTERN, description="A day or month inside the period")
    ],
    grain: Annotated[Grain, GRAIN] = Grain.MONTH,
    where: Annotated[list[str] | None, WHERE] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows listed per source")] = 50,
) -> Explanation:
    m = find_metric(ws, slug)
    day = parse_day(period, "period")
    assert day is not None
    filters = metric_scope(request, ws, principal, [], parse_where(where))
    key = ("explain", m.slug, day, grain, limit, tuple(sorted(filters.items())))
    return data_of(request).answer(ws, key, lambda: _explain(ws, m, day, grain, limit, filters))


def _explain(
    ws: Workspace, m: Any, day: dt.date, grain: Grain, limit: int, filters: dict[str, str]
) -> Explanation:
    e = ws.explain(m.slug, day, grain=grain.value, where=filters, limit=limit)
    result = records(e.result.rows)
    return Explanation(
        metric=metric_info(ws, m, e.result.fingerprint),
        period=Period(start=e.period.start.isoformat(), end=e.period.end.isoformat()),
        grain=grain.value,
        where=filters,
        fingerprint=e.result.fingerprint,
        result=result[0] if result else {},
        sources=[
            SourceRows(
                source=s.source,
                description=s.description,
                measures=list(s.measures),
                total_rows=s.total,
                columns=[str(c) for c in s.rows.columns],
                rows=records(s.rows),
            )
            for s in e.sources
        ],
        notes=[str(w) for w in e.result.warnings],
    )
