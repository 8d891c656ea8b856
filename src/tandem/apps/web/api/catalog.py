"""The metric catalog: every definition, its knobs in force and the dimensions to cut by."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from tandem.apps.web.api.common import WS, data_of, plain
from tandem.apps.web.auth import ApiUser
from tandem.apps.web.errors import ERROR_RESPONSES
from tandem.service.workspace import Workspace

router = APIRouter(tags=["metrics"], responses=ERROR_RESPONSES)


class MetricInfo(BaseModel):
    slug: str
    name: str
    unit: str = Field(description="percent, count, currency, days, months, ratio, score, ...")
    direction: str = Field(description="'higher is better' or 'lower is better'")
    teams: list[str] = Field(description="Accountable teams: marketing, sales, service")
    definition: str
    components: list[str] = Field(description="The counts and sums the value is made of")
    knobs: dict[str, Any] = Field(description="Settings in force that change this metric")
    company_wide: bool = Field(
        description="True for cost metrics: no value when cut by a dimension"
    )
    domain: str
    sample: str | None = Field(
        description="The component counting responses, for survey metrics (low confidence "
        "below the min_survey_responses setting)"
    )
    fingerprint: str | None = Field(
        None, description="Version of the definition and knobs (on computed results)"
    )


class Catalog(BaseModel):
    metrics: list[MetricInfo]
    dimensions: list[str] = Field(description="Names accepted by 'by' and 'where'")
    grains: list[str]


def metric_info(ws: Workspace, m: Any, fingerprint: str | None = None) -> MetricInfo:
    catalog = ws.definitions
    knobs = ws.settings.metrics
    return MetricInfo(
        slug=m.slug,
        name=m.name,
        unit=m.unit.value,
        direction=m.direction.value,
        teams=[t.value for t in m.teams],
        definition=m.description,
        components=[*catalog.needed_measures(m), *(name for name, _ in m.extras)],
        knobs={k: plain(_listed(getattr(knobs, k))) for k in catalog.knobs_of(m)},
        company_wide=m.company_wide,
        domain=m.domain,
        sample=m.sample,
        fingerprint=fingerprint,
    )


def _listed(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


@router.get("/api/catalog", response_model=Catalog, summary="Every metric definition")
def catalog(principal: ApiUser, request: Request, ws: WS) -> Catalog:
    return data_of(request).answer(ws, ("catalog",), lambda: _catalog(ws))


def _catalog(ws: Workspace) -> Catalog:
    from tandem.apps.web.api.common import Grain
    from tandem.semantic.dimensions import available

    with ws.read() as s:
        columns = list(s.table("accounts").columns)
    return Catalog(
        metrics=[metric_info(ws, m) for m in ws.catalog()],
        dimensions=available(columns),
        grains=[g.value for g in Grain],
    )
