"""The FastAPI application: JSON API under /api, pages, static files, Plotly from the package.

``create_app(config)`` builds it; ``tandem serve`` runs it on Uvicorn. Without
an argument (``uvicorn --factory tandem.apps.web.server:create_app``) the
configuration comes from the environment: ``TANDEM_WORKSPACE`` (default: the
current folder), ``TANDEM_WEB_DEMO=1`` and ``TANDEM_WEB_SECRET``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tandem import __version__
from tandem.apps.web import errors
from tandem.apps.web.assets import plotly_js
from tandem.apps.web.auth import LoginLimiter, Sessions
from tandem.apps.web.config import WebConfig, load_config
from tandem.apps.web.data import Data
from tandem.state.users import Users

HERE = Path(__file__).parent
DEMO_ENV = "TANDEM_WEB_DEMO"

#: Scripts and styles from this server only; Plotly sets inline styles on its SVG.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


def create_app(config: WebConfig | None = None) -> FastAPI:
    if config is None:
        workspace = Path(os.environ.get("TANDEM_WORKSPACE", "."))
        config = load_config(workspace, demo=os.environ.get(DEMO_ENV) == "1")
    data = Data(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        data.warm_up()
        yield
        data.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Tandem",
        version=__version__,
        description="The shared scorecard's JSON API: metrics, explanations, scorecards, "
        "accounts, health and alerts. Log in through the dashboard (a session cookie) or send "
        "'Authorization: Bearer <token>' (tandem users token). Every error has the shape "
        '{"error": {"status", "code", "message", "parameter"}}.',
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.config = config
    app.state.users = Users(config.workspace)
    app.state.sessions = Sessions(
        config.secret, config.web.session_hours * 3600, config.web.secure_cookies
    )
    app.state.limiter = LoginLimiter(
        config.web.login_attempts, config.web.login_window_minutes * 60
    )
    app.state.data = data
    errors.install(app)

    app.add_middleware(SecurityHeaders)

    from tandem.apps.web import pages
    from tandem.apps.web.api import routers

    for router in routers():
        app.include_router(router)
    app.include_router(pages.router)
    app.state.error_page = pages.error_page
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        icon = (HERE / "static" / "icon.svg").read_bytes()
        return Response(
            icon, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/assets/plotly-{version}.min.js", include_in_schema=False)
    def plotly_script(version: str, request: Request) -> Response:
        text, packed = plotly_js()
        headers = {
            "Cache-Control": "public, max-age=31536000, immutable",
            "Vary": "Accept-Encoding",
        }
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(packed, media_type="text/javascript", headers=headers)
        return Response(text, media_type="text/javascript", headers=headers)

    return app


class SecurityHeaders:
    """Adds the security headers to every response (and ``no-store`` to the API's).

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` (``@app.middleware``)
    runs each request through an extra task and a streamed copy of the response,
    which cost more than a kept answer itself."""

    HEADERS = (
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.HEADERS)
        if str(scope.get("path", "")).startswith("/api/"):
            extra.append((b"cache-control", b"no-store"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
