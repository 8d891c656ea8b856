"""Scorecards: the list, and one scorecard for a period, a scope and a comparison.

The answer is :class:`tandem.scorecards.model.Scorecard` as ``tandem scorecard
--format json`` prints it. A member sees the company and their own book
(``scope=mine`` or their own ``csm:``/``rep:`` id), and no comparison across
people (league tables are for leaders).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from tandem.apps.web.api.common import (
    DATE_PATTERN,
    WS,
    Grain,
    book_dimension,
    data_of,
    parse_day,
)
from tandem.apps.web.auth import ApiUser, Principal
from tandem.apps.web.errors import ERROR_RESPONSES, ApiError
from tandem.service.workspace import Workspace

router = APIRouter(tags=["scorecards"], responses=ERROR_RESPONSES)

NAME = Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="A scorecard of /api/scorecards")
SCOPE = Query(
    max_length=200,
    description="company (default), mine (a member's own book), csm:ID, rep:ID or segment:VALUE",
)


class ScorecardItem(BaseModel):
    name: str
    file: str | None = Field(description="The YAML file, or null for the built-in default")


def _scope_text(principal: Principal, ws: Workspace, request: Request, scope: str | None) -> str:
    """The scope to build, a member narrowed to the company or their own book."""
    text = (scope or "company").strip()
    owner = principal.owner
    if owner is None:
        if text == "mine":
            raise ApiError(
                422, "scope=mine: only a member has a book of their own", parameter="scope"
            )
        return text
    dimension = book_dimension(data_of(request).book(ws), owner)
    mine = f"{'rep' if dimension == 'sales_rep_id' else 'csm'}:{owner}"
    if text in ("mine", mine):
        if dimension is None:
            raise ApiError(403, f"team member {owner!r} owns no book", parameter="scope")
        return mine
    if text == "company":
        return text
    raise ApiError(
        403, f"scope={text}: members see the company and their own book", parameter="scope"
    )


@router.get("/api/scorecards", response_model=list[ScorecardItem], summary="The scorecards")
def scorecards(principal: ApiUser, ws: WS) -> list[ScorecardItem]:
    from tandem.scorecards.folder import listed

    return [
        ScorecardItem(name=name, file=str(path.relative_to(ws.path)) if path else None)
        for name, path in listed(ws.path).items()
    ]


@router.get(
    "/api/scorecards/{name}",
    summary="One scorecard: status, targets, baselines, trends, comparisons",
    responses={200: {"description": "The scorecard (as tandem scorecard --format json)"}},
    response_class=Response,
)
def scorecard(
    principal: ApiUser,
    request: Request,
    ws: WS,
    name: Annotated[str, NAME],
    period: Annotated[
        str | None, Query(pattern=DATE_PATTERN, description="A day or month in the period")
    ] = None,
    grain: Annotated[Grain | None, Query(description="Overrides the scorecard's grain")] = None,
    scope: Annotated[str | None, SCOPE] = None,
    compare: Annotated[
        Literal["csm", "rep", "segment"] | None,
        Query(description="League tables across every CSM, rep or segment"),
    ] = None,
    views: Annotated[
        bool, Query(description="Add the cohort matrix, MRR waterfall and trailing twelve months")
    ] = True,
) -> Response:
    from tandem.scorecards.folder import listed

    names = listed(ws.path)
    if name not in names:
        from tandem.errors import did_you_mean

        known = sorted(names)
        raise ApiError(404, f"no scorecard {name!r}{did_you_mean(name, known)}", parameter="name")
    if compare is not None and principal.owner is not None:
        raise ApiError(403, "compare: league tables are for leaders", parameter="compare")
    chosen = _scope_text(principal, ws, request, scope)
    day = parse_day(period, "period")
    key = ("scorecard", name, day, grain, chosen, compare, views)
    # Kept as encoded JSON: encoding a whole scorecard took longer than finding it.
    body = data_of(request).answer(
        ws, key, lambda: _encoded(_build(ws, name, day, grain, chosen, compare, views))
    )
    return Response(body, media_type="application/json")


def _encoded(card: dict[str, Any]) -> bytes:
    import json

    return json.dumps(card, ensure_ascii=False, allow_nan=False).encode()


def _build(
    ws: Workspace,
    name: str,
    day: dt.date | None,
    grain: Grain | None,
    scope: str,
    compare: str | None,
    views: bool,
) -> dict[str, Any]:
    from tandem.errors import UsageError
    from tandem.scorecards import scorecard as build_scorecard
    from tandem.scorecards.build import ScorecardRequest
    from tandem.scorecards.scopes import parse_kind, parse_scope
    from tandem.semantic.calendar import Grain as CalendarGrain

    try:
        request = ScorecardRequest(
            period=day,
            grain=CalendarGrain.parse(grain.value) if grain else None,
            scope=parse_scope(scope),
            compare=parse_kind(compare) if compare else None,
            views=views,
        )
    except UsageError as exc:
        raise ApiError(422, f"scope: {exc}", parameter="scope") from None
    try:
        card = build_scorecard(ws, name, request)
    except UsageError as exc:
        message = str(exc)
        if message.startswith("--for"):
            raise ApiError(422, "scope" + message[len("--for") :], parameter="scope") from None
        raise
    return card.to_json()
