"""Login, logout and the page shells.

A page is a template holding the layout and an empty frame; its script
(``static/js/<page>.js``) fills it from the JSON API. Each page names its JSON
twin in ``data-api`` so a reader can see where the numbers come from.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from tandem import __version__
from tandem.apps.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    AdminPage,
    LeaderPage,
    PageUser,
    Principal,
    Sessions,
    _principal,
    login_keys,
)
from tandem.state.users import Role, Users

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(pathlib.Path(__file__).parent / "templates"))


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    roles: tuple[Role, ...] = (Role.ADMIN, Role.LEADER, Role.MEMBER)


NAV = (
    NavItem("/", "Scorecard"),
    NavItem("/teams", "Teams", (Role.ADMIN, Role.LEADER)),
    NavItem("/accounts", "Accounts"),
    NavItem("/alerts", "Alerts"),
    NavItem("/definitions", "Definitions"),
    NavItem("/settings", "Settings"),
    NavItem("/admin/users", "Users", (Role.ADMIN,)),
)
#: Pages not built yet are left out of the navigation.
MISSING: set[str] = set()


def _render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    page: str,
    title: str,
    api: str = "",
    charts: bool = False,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    from tandem.apps.web.assets import plotly_version

    nav = [
        n
        for n in NAV
        if principal is not None and principal.role in n.roles and n.path not in MISSING
    ]
    context = {
        "page": page,
        "title": title,
        "api": api,
        "nav": nav,
        "principal": principal,
        "csrf": principal.csrf if principal else "",
        "charts": charts,
        "plotly": f"/assets/plotly-{plotly_version()}.min.js",
        "version": __version__,
        "demo": request.app.state.config.demo,
        **extra,
    }
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def error_page(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    principal = getattr(request.state, "principal", None)
    response = _render(
        request,
        "error.html",
        principal,
        page="error",
        title=f"{status}",
        status_code=status,
        status=status,
        message=message,
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# -- login ---------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme) is followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_form(
    request: Request, next_path: str, message: str = "", status_code: int = 200, username: str = ""
) -> HTMLResponse:
    sessions: Sessions = request.app.state.sessions
    cookie, token = sessions.login_token()
    response = _render(
        request,
        "login.html",
        None,
        page="login",
        title="Log in",
        status_code=status_code,
        token=token,
        next=next_path,
        message=message,
        username=username,
    )
    response.set_cookie(LOGIN_COOKIE, cookie, max_age=3600, **sessions.cookie_args())
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    if _principal(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, _safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    sessions: Sessions = request.app.state.sessions
    limiter = request.app.state.limiter
    target = _safe_next(next_path)
    if not sessions.login_token_ok(request.cookies.get(LOGIN_COOKIE), csrf_token):
        return _login_form(
            request, target, "The form had expired; please try again.", 403, username
        )
    keys = login_keys(request, username, limiter.attempts)
    wait = limiter.retry_after(keys)
    if wait is not None:
        response = _login_form(
            request,
            target,
            f"Too many failed attempts; try again in {wait} seconds.",
            429,
            username,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    users: Users = request.app.state.users
    user = users.verify(username, password)
    if user is not None and user.demo and not request.app.state.config.demo:
        user = None  # demo passwords were printed on a terminal: only for demo mode
    if user is None:
        limiter.fail(list(keys))
        return _login_form(request, target, "Wrong username or password.", 401, username)
    limiter.forget(next(iter(keys)))
    value, _ = sessions.issue(user)
    done = RedirectResponse(target, status_code=303)
    done.set_cookie(SESSION_COOKIE, value, max_age=int(sessions.max_age), **sessions.cookie_args())
    done.delete_cookie(LOGIN_COOKIE, path="/")
    return done


@router.post("/logout")
def logout(request: Request, principal: PageUser) -> Response:
    """Ends every session of the user (the session version moves on)."""
    users: Users = request.app.state.users
    users.end_sessions(principal.user.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- pages ---------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def scorecard(request: Request, principal: PageUser) -> Response:
    return _render(
        request,
        "scorecard.html",
        principal,
        page="scorecard",
        title="Scorecard",
        charts=True,
        api="/api/scorecards/shared",
    )


@router.get("/teams", response_class=HTMLResponse)
def teams(request: Request, principal: LeaderPage) -> Response:
    return _render(
        request,
        "teams.html",
        principal,
        page="teams",
        title="Teams",
        charts=True,
        api="/api/scorecards/shared?compare=csm",
    )


@router.get("/alerts", response_class=HTMLResponse)
def alerts(request: Request, principal: PageUser) -> Response:
    return _render(
        request, "alerts.html", principal, page="alerts", title="Alerts", api="/api/alerts"
    )


@router.get("/definitions", response_class=HTMLResponse)
def definitions(request: Request, principal: PageUser) -> Response:
    return _render(
        request,
        "definitions.html",
        principal,
        page="definitions",
        title="Definitions",
        api="/api/catalog",
    )


@router.get("/metrics/{slug}", response_class=HTMLResponse)
def metric(
    request: Request, principal: PageUser, slug: Annotated[str, Path(max_length=80)]
) -> Response:
    return _render(
        request,
        "metric.html",
        principal,
        page="metric",
        title=slug,
        charts=True,
        api=f"/api/metrics/{quote(slug)}",
        slug=slug,
    )


@router.get("/accounts", response_class=HTMLResponse)
def accounts(request: Request, principal: PageUser) -> Response:
    return _render(
        request, "accounts.html", principal, page="accounts", title="Accounts", api="/api/accounts"
    )


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account(
    request: Request, principal: PageUser, account_id: Annotated[str, Path(max_length=200)]
) -> Response:
    return _render(
        request,
        "account.html",
        principal,
        page="account",
        title=account_id,
        charts=True,
        api=f"/api/accounts/{quote(account_id)}",
        account_id=account_id,
    )


@router.get("/settings", response_class=HTMLResponse)
def settings(request: Request, principal: PageUser) -> Response:
    return _render(
        request, "settings.html", principal, page="settings", title="Settings", api="/api/settings"
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, principal: AdminPage) -> Response:
    return _render(request, "users.html", principal, page="users", title="Users", api="/api/users")
