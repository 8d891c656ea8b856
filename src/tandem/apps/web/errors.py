"""One error shape for every error the API returns.

``{"error": {"status": 422, "code": "invalid_parameter", "message": "...",
"parameter": "grain"}}``: ``parameter`` names the query, path or form field at
fault when there is one. Pages get the same message on an HTML page.
A user's mistake is a 4xx naming what to fix; only a bug is a 500, with a
generic message (the traceback goes to the server log, never to the client).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from tandem.errors import TandemError

log = logging.getLogger("tandem.web")

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_parameter",
    429: "too_many_requests",
    500: "server_error",
    503: "busy",
}


class ErrorDetail(BaseModel):
    status: int = Field(description="The HTTP status, repeated")
    code: str = Field(description="A stable machine-readable code, e.g. invalid_parameter")
    message: str = Field(description="What went wrong and how to fix it, for people")
    parameter: str | None = Field(None, description="The parameter at fault, when there is one")


class ErrorBody(BaseModel):
    error: ErrorDetail


#: Declared on every route, so the OpenAPI document shows the shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "Bad parameter"),
        (401, "Not logged in"),
        (403, "Not allowed for this role"),
        (404, "Not found"),
        (422, "Invalid parameter"),
        (429, "Too many requests"),
    )
}


CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "Conflicts with the current state"}
}


class ApiError(Exception):
    """An error with its status and, when known, the parameter at fault."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        parameter: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
        self.code = code or _CODES.get(status, "error")
        self.headers = headers


class LoginRequired(Exception):
    """A page was asked for without a session: go to the login page."""


def body(
    status: int, message: str, parameter: str | None = None, code: str | None = None
) -> dict[str, Any]:
    detail = ErrorDetail(
        status=status,
        code=code or _CODES.get(status, "error"),
        message=message,
        parameter=parameter,
    )
    return ErrorBody(error=detail).model_dump()


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith(("/api/", "/openapi.json", "/static/", "/assets/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def respond(
    request: Request,
    status: int,
    message: str,
    parameter: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    render = getattr(request.app.state, "error_page", None)
    if render is not None and _wants_html(request):
        return render(request, status, message, headers)  # type: ignore[no-any-return]
    return JSONResponse(body(status, message, parameter, code), status_code=status, headers=headers)


def _parameter(loc: tuple[Any, ...] | list[Any]) -> str | None:
    parts = [str(p) for p in loc if p not in ("query", "path", "body", "header", "cookie")]
    return ".".join(parts) if parts else None


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc.status, exc.message, exc.parameter, exc.code, exc.headers)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        parameter = _parameter(first.get("loc", ()))
        reason = str(first.get("msg", "invalid value"))
        given = first.get("input")
        shown = f" {given!r}" if isinstance(given, (str, int, float)) else ""
        message = f"{parameter or 'request'}{shown}: {reason}"
        return respond(request, 422, message, parameter)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page or API route {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return respond(request, exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(TandemError)
    async def tandem_error(request: Request, exc: TandemError) -> Response:
        # A user's mistake the facade caught (unknown dimension, bad date...).
        return respond(request, 400, str(exc).splitlines()[0] if str(exc) else "bad request")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal error: the server log has the details")
