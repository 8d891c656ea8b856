"""One account's health: its score over the last twelve months and each component's part in it.

A member asks only about accounts of their book (another is a 404, as in
/api/accounts/{id}).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from tandem.apps.web.api.common import WS, data_of
from tandem.apps.web.auth import ApiUser
from tandem.apps.web.errors import ERROR_RESPONSES, ApiError
from tandem.service.workspace import Workspace

router = APIRouter(tags=["accounts"], responses=ERROR_RESPONSES)


class AccountHealth(BaseModel):
    account_id: str
    weights: dict[str, float] = Field(description="Each component's weight (tandem.toml [health])")
    red_below: float
    green_from: float
    history: list[dict[str, Any]] = Field(
        description="Per month (as of its last day, the last one as of today): score, band, "
        "missing components and each component's points, sub-score and facts"
    )


@router.get(
    "/api/accounts/{account_id}/health",
    response_model=AccountHealth,
    summary="One account's health score over time, with each component's contribution",
)
def account_health(
    principal: ApiUser,
    request: Request,
    ws: WS,
    account_id: Annotated[str, Path(max_length=200)],
) -> AccountHealth:
    data = data_of(request)
    book = data.book(ws)
    row = book.get(account_id, owner=principal.owner)
    if row is None:
        raise ApiError(404, f"no account {account_id!r}", parameter="account_id")
    found = str(row["account_id"])
    return data.answer(ws, ("health", found, book.as_of), lambda: _history(ws, found, book.as_of))


def _history(ws: Workspace, account_id: str, as_of: dt.date) -> AccountHealth:
    from tandem.health import history

    scores = history(ws, account_id)
    return AccountHealth(
        account_id=account_id,
        weights=scores.weights,
        red_below=scores.red_below,
        green_from=scores.green_from,
        history=scores.records(),
    )
