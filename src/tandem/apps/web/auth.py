"""Who is asking: session cookies, API tokens, CSRF and login rate limiting.

- A login sets ``tandem_session``: a signed (itsdangerous), timestamped value
  holding the user id, their session version and a CSRF token; HttpOnly,
  SameSite=Lax, Secure when ``[web] secure_cookies``. Removing a user, changing
  their password or logging out bumps the version, which ends every session.
- Scripts send ``Authorization: Bearer tdm_...`` (``tandem users token``).
- Every state-changing request made with a session cookie carries the session's
  CSRF token: the ``csrf_token`` form field or the ``X-CSRF-Token`` header
  (pages read it from ``<meta name="csrf-token">``). The login form, made
  before any session, carries a token from its own signed cookie.
- Failed logins are counted per address and username, and per address, within
  ``[web] login_window_minutes``; past ``[web] login_attempts`` the login
  answers 429 with Retry-After until the window has passed.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tandem.apps.web.errors import ApiError, LoginRequired
from tandem.state.users import Role, User, Users

SESSION_COOKIE = "tandem_session"
LOGIN_COOKIE = "tandem_login"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """The user behind a request, and how they proved it."""

    user: User
    via: str  # "session" or "token"
    csrf: str | None = None

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def owner(self) -> str | None:
        """The team member whose book a member is limited to (None: sees everything)."""
        return None if self.user.sees_everything else self.user.member_id


class Sessions:
    def __init__(self, secret: str, max_age_seconds: float, secure: bool) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="tandem-session")
        self._login = URLSafeTimedSerializer(secret, salt="tandem-login-form")
        self.max_age = int(max_age_seconds)
        self.secure = secure

    def issue(self, user: User) -> tuple[str, str]:
        """A cookie value for ``user`` and its CSRF token."""
        csrf = secrets.token_urlsafe(24)
        return self._signer.dumps({"u": user.user_id, "v": user.session_version, "c": csrf}), csrf

    def read(self, value: str) -> dict[str, Any] | None:
        try:
            data = self._signer.loads(value, max_age=self.max_age)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def login_token(self) -> tuple[str, str]:
        """A cookie value for the login form and the token the form must echo."""
        token = secrets.token_urlsafe(24)
        return self._login.dumps(token), token

    def login_token_ok(self, cookie: str | None, given: str) -> bool:
        if not cookie or not given:
            return False
        try:
            expected = self._login.loads(cookie, max_age=3600)
        except BadSignature:
            return False
        return isinstance(expected, str) and hmac.compare_digest(expected, given)

    def cookie_args(self) -> dict[str, Any]:
        return {"httponly": True, "samesite": "lax", "secure": self.secure, "path": "/"}


class LoginLimiter:
    """Failed attempts in a sliding window, per key; thread-safe, in memory."""

    def __init__(
        self, attempts: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, keys: dict[str, int]) -> int | None:
        """Seconds to wait when any key (with its own limit) is used up, else None."""
        now = self.clock()
        with self._lock:
            waits = []
            for key, limit in keys.items():
                times = self._recent(key, now)
                if len(times) >= limit:
                    waits.append(times[len(times) - limit] + self.window - now)
        return max(1, int(max(waits)) + 1) if waits else None

    def fail(self, keys: list[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget idle keys
                for k in [k for k, v in self._failures.items() if not v]:
                    del self._failures[k]

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_keys(request: Request, username: str, attempts: int) -> dict[str, int]:
    address = client_address(request)
    return {f"{address}|{username.lower()}": attempts, f"{address}|*": attempts * 4}


def _principal(request: Request) -> Principal | None:
    users: Users = request.app.state.users
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401, "Authorization: expected 'Bearer <token>'", parameter="Authorization"
            )
        limiter: LoginLimiter = request.app.state.limiter
        key = {f"{client_address(request)}|token": limiter.attempts * 4}
        wait = limiter.retry_after(key)
        if wait is not None:
            raise ApiError(
                429,
                f"too many bad tokens; try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        user = users.by_token(token.strip())
        if user is None:
            limiter.fail(list(key))
            raise ApiError(
                401, "the API token is not valid (revoked, or mistyped)", parameter="Authorization"
            )
        return Principal(user, "token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    sessions: Sessions = request.app.state.sessions
    data = sessions.read(cookie)
    if data is None:
        return None
    user = users.by_id(int(data.get("u", 0)))
    if user is None or user.session_version != data.get("v"):
        return None
    if user.demo and not request.app.state.config.demo:
        return None
    return Principal(user, "session", str(data.get("c", "")))


async def _csrf_ok(request: Request, principal: Principal) -> bool:
    if principal.via != "session" or request.method in SAFE_METHODS:
        return True
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        kind = request.headers.get("content-type", "")
        if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            given = value if isinstance(value, str) else None
    return bool(given and principal.csrf and hmac.compare_digest(given, principal.csrf))


async def api_user(request: Request) -> Principal:
    """The API caller; 401 without a session or token, 403 on a missing CSRF token."""
    principal = _principal(request)
    if principal is None:
        raise ApiError(401, "log in, or send 'Authorization: Bearer <token>' (tandem users token)")
    if not await _csrf_ok(request, principal):
        raise ApiError(
            403, "missing or wrong CSRF token (X-CSRF-Token header)", parameter="X-CSRF-Token"
        )
    request.state.principal = principal
    return principal


async def page_user(request: Request) -> Principal:
    """The page visitor; without a session, a redirect to the login page."""
    principal = _principal(request)
    if principal is None:
        raise LoginRequired()
    if not await _csrf_ok(request, principal):
        raise ApiError(403, "the form has expired or did not come from this site; reload the page")
    request.state.principal = principal
    return principal


def role_at_least(*roles: Role) -> Callable[..., Any]:
    """A dependency admitting only ``roles`` (the API caller's)."""

    async def check(principal: Annotated[Principal, Depends(api_user)]) -> Principal:
        if principal.role not in roles:
            raise ApiError(403, f"this needs the {' or '.join(r.value for r in roles)} role")
        return principal

    return check


def page_role(*roles: Role) -> Callable[..., Any]:
    async def check(principal: Annotated[Principal, Depends(page_user)]) -> Principal:
        if principal.role not in roles:
            raise ApiError(403, f"this page needs the {' or '.join(r.value for r in roles)} role")
        return principal

    return check


ApiUser = Annotated[Principal, Depends(api_user)]
PageUser = Annotated[Principal, Depends(page_user)]
Admin = Annotated[Principal, Depends(role_at_least(Role.ADMIN))]
Leader = Annotated[Principal, Depends(role_at_least(Role.ADMIN, Role.LEADER))]
AdminPage = Annotated[Principal, Depends(page_role(Role.ADMIN))]
LeaderPage = Annotated[Principal, Depends(page_role(Role.ADMIN, Role.LEADER))]
