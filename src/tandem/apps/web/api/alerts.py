"""Alerts: the list, one alert's history, acknowledge and resolve.

A member sees the alerts routed to them (or escalated to them as a manager),
and acknowledges or resolves only those; another alert is a 404. Leaders and
admins see and act on every alert.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import BaseModel, Field

from tandem.apps.web.api.common import WS
from tandem.apps.web.auth import ApiUser, Principal
from tandem.apps.web.errors import CONFLICT, ERROR_RESPONSES, ApiError
from tandem.service.workspace import Workspace

router = APIRouter(tags=["alerts"], responses=ERROR_RESPONSES)

ALERT_ID = Path(ge=1, le=2**62, description="An alert id from /api/alerts")


class Action(BaseModel):
    note: str = Field("", max_length=2000, description="Why, for the history")


def _visible(ws: Workspace, principal: Principal, alert_id: int) -> Any:
    from tandem.alerts import list_alerts

    found = list_alerts(ws, owner=principal.owner) if principal.owner else None
    if found is not None and not any(a.alert_id == alert_id for a in found):
        raise ApiError(404, f"no alert {alert_id}", parameter="alert_id")
    return found


@router.get("/api/alerts", summary="Alerts, newest first")
def alerts(
    principal: ApiUser,
    ws: WS,
    status: Annotated[
        Literal["open", "acknowledged", "resolved"] | None,
        Query(description="Only alerts in this state"),
    ] = None,
    account: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    from tandem.alerts import list_alerts

    found = list_alerts(ws, status=status, account=account, owner=principal.owner, limit=limit)
    return [a.as_dict() for a in found]


@router.get("/api/alerts/{alert_id}", summary="One alert with its events and deliveries")
def alert(principal: ApiUser, ws: WS, alert_id: Annotated[int, ALERT_ID]) -> dict[str, Any]:
    from tandem.alerts import history
    from tandem.errors import TandemError

    _visible(ws, principal, alert_id)
    try:
        return history(ws, alert_id)
    except TandemError:
        raise ApiError(404, f"no alert {alert_id}", parameter="alert_id") from None


def _act(
    request: Request, ws: Workspace, principal: Principal, alert_id: int, verb: str, note: str
) -> dict[str, Any]:
    from tandem import alerts as module
    from tandem.errors import TandemError

    _visible(ws, principal, alert_id)
    act = module.acknowledge if verb == "ack" else module.resolve
    try:
        done = act(ws, alert_id, by=principal.user.username, note=note)
    except TandemError as exc:
        message = str(exc)
        if "no such alert" in message:
            raise ApiError(404, f"no alert {alert_id}", parameter="alert_id") from None
        raise ApiError(409, message, parameter="alert_id") from None
    return done.as_dict()


@router.post("/api/alerts/{alert_id}/ack", summary="Acknowledge an alert", responses=CONFLICT)
def acknowledge(
    principal: ApiUser,
    request: Request,
    ws: WS,
    alert_id: Annotated[int, ALERT_ID],
    action: Annotated[Action | None, Body()] = None,
) -> dict[str, Any]:
    return _act(request, ws, principal, alert_id, "ack", action.note if action else "")


@router.post("/api/alerts/{alert_id}/resolve", summary="Resolve an alert", responses=CONFLICT)
def resolve(
    principal: ApiUser,
    request: Request,
    ws: WS,
    alert_id: Annotated[int, ALERT_ID],
    action: Annotated[Action | None, Body()] = None,
) -> dict[str, Any]:
    return _act(request, ws, principal, alert_id, "resolve", action.note if action else "")
