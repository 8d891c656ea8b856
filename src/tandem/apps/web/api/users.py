"""Users of the dashboard (admins only). API tokens are made with ``tandem users token``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from tandem.apps.web.api.common import WS, data_of
from tandem.apps.web.auth import Admin
from tandem.apps.web.errors import CONFLICT, ERROR_RESPONSES, ApiError
from tandem.errors import UsageError
from tandem.state.users import Role, User, Users

router = APIRouter(tags=["users"], responses=ERROR_RESPONSES)

USERNAME = Path(max_length=64)


class UserOut(BaseModel):
    username: str
    role: str
    member_id: str | None
    demo: bool
    created_at: str
    tokens: int = Field(description="API tokens the user holds")


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    role: Role
    member_id: str | None = Field(None, max_length=100)


def _users(request: Request) -> Users:
    return request.app.state.users  # type: ignore[no-any-return]


def _out(user: User, tokens: int) -> UserOut:
    return UserOut(
        username=user.username,
        role=user.role.value,
        member_id=user.member_id,
        demo=user.demo,
        created_at=user.created_at,
        tokens=tokens,
    )


@router.get("/api/users", response_model=list[UserOut], summary="Every user (admin)")
def list_users(principal: Admin, request: Request) -> list[UserOut]:
    users = _users(request)
    counts: dict[str, int] = {}
    for t in users.tokens():
        counts[t.username] = counts.get(t.username, 0) + 1
    return [_out(u, counts.get(u.username, 0)) for u in users.all()]


@router.post(
    "/api/users",
    response_model=UserOut,
    status_code=201,
    summary="Add a user (admin)",
    responses=CONFLICT,
)
def add_user(principal: Admin, request: Request, ws: WS, new: NewUser) -> UserOut:
    users = _users(request)
    if new.member_id is not None and data_of(request).book(ws).person(new.member_id) is None:
        raise ApiError(422, f"member_id: no team member {new.member_id!r}", parameter="member_id")
    try:
        user = users.add(new.username, new.password, new.role, member_id=new.member_id)
    except UsageError as exc:
        message = str(exc)
        exists = "already exists" in message
        parameter = "username" if exists else message.split(" ", 1)[0].strip(":")
        status = 409 if exists else 422
        raise ApiError(
            status, message, parameter=parameter if parameter in NewUser.model_fields else None
        ) from None
    return _out(user, 0)


@router.delete(
    "/api/users/{username}",
    status_code=204,
    response_class=Response,
    summary="Remove a user (admin)",
    responses=CONFLICT,
)
def remove_user(principal: Admin, request: Request, username: Annotated[str, USERNAME]) -> Response:
    if username == principal.user.username:
        raise ApiError(409, "you cannot remove yourself; another admin can", parameter="username")
    try:
        _users(request).remove(username)
    except UsageError:
        raise ApiError(404, f"no user {username!r}", parameter="username") from None
    return Response(status_code=204)
