"""Who am I, and what state is the data in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from tandem import __version__
from tandem.apps.web.api.common import WS, data_of, plain
from tandem.apps.web.auth import ApiUser
from tandem.apps.web.errors import ERROR_RESPONSES

router = APIRouter(tags=["session"], responses=ERROR_RESPONSES)


class Me(BaseModel):
    username: str
    role: str = Field(description="admin, leader or member")
    member_id: str | None = Field(description="The team member a member is linked to")
    member_name: str | None = None
    book_dimension: str | None = Field(
        None, description="csm_id or sales_rep_id: the column a member's book is kept by"
    )
    via: str = Field(description="session or token")


class Status(BaseModel):
    workspace: str
    version: str
    backend: str
    demo: bool
    today: str = Field(description="The day the server treats as today (UTC)")
    last_loaded_at: str | None = Field(description="When the data was last loaded (UTC, ISO)")
    data_from: str | None = Field(description="The first day with data")
    data_to: str | None = Field(description="The last day with data")


@router.get("/api/me", response_model=Me, summary="The logged-in user")
def me(principal: ApiUser, request: Request, ws: WS) -> Me:
    from tandem.apps.web.api.common import book_dimension

    user = principal.user
    name = None
    dimension = None
    if user.member_id:
        book = data_of(request).book(ws)
        person = book.person(user.member_id)
        name = person["name"] if person else None
        dimension = book_dimension(book, user.member_id)
    return Me(
        username=user.username,
        role=user.role.value,
        member_id=user.member_id,
        member_name=name,
        book_dimension=dimension,
        via=principal.via,
    )


@router.get("/api/status", response_model=Status, summary="When the data was last loaded")
def status(principal: ApiUser, request: Request, ws: WS) -> Status:
    data = data_of(request)
    with ws.read() as s:
        stamp = data.stamp(ws)
        extent = s.extent()
        backend = s.backend
        today = s.today
    return Status(
        workspace=ws.path.resolve().name,
        version=__version__,
        backend=backend,
        demo=data.config.demo,
        today=today.isoformat(),
        last_loaded_at=plain(stamp.loaded_at),
        data_from=plain(extent[0]) if extent else None,
        data_to=plain(extent[1]) if extent else None,
    )
