"""The only place where domain errors become HTTP statuses (DESIGN §3.5).

Every error body is `{"code": "...", "message": "...", "details": {...}}`; validation errors
name each failing field (`details.errors[].field`, e.g. `skills[1].skill_id`).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from hotline.errors import (
    Conflict,
    HotlineError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Throttled,
    Unauthenticated,
    Unavailable,
)

__all__ = [
    "STATUS",
    "BodyTooLarge",
    "ErrorBody",
    "error_body",
    "error_responses",
    "install_error_handlers",
    "status_for",
]

log = logging.getLogger(__name__)


class BodyTooLarge(InvalidInput):
    """A request body over `http.max_body_bytes` (refused before it is read whole)."""

    code = "request.too_large"


STATUS: list[tuple[type[HotlineError], int]] = [
    (BodyTooLarge, 413),
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (IllegalTransition, 409),
    (Unauthenticated, 401),
    (PermissionDenied, 403),
    (Throttled, 429),
    (Unavailable, 503),
]


class ErrorBody(BaseModel):
    """Every error response: a stable `code`, a message naming what is wrong, details."""

    code: str = Field(examples=["config.not_found"])
    message: str
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="e.g. `field` (the input at fault) or `errors` (one per failing field)",
    )


_MEANING = {
    400: "the request body is not readable JSON",
    401: "not logged in, or the session or token has expired",
    403: "your role may not do this (or the CSRF header is missing)",
    404: "no such item in your tenant",
    409: "the change clashes with the current state (duplicate, illegal transition)",
    413: "the request body is larger than the server accepts",
    422: "invalid input; `details` names each field",
    429: "too many attempts; retry after `Retry-After` seconds",
    503: "the server is draining, or a part it needs is not running",
}


def error_responses(route: APIRoute, permission: str) -> dict[int | str, dict[str, Any]]:
    """The error statuses a route can answer, documented in OpenAPI with `ErrorBody`.

    From the route's shape: a body can be unreadable (400); a signed-in route can be refused
    (401, 403) or find a part not running (503); path ids can name nothing (404); writes can
    clash (409); parameters can be invalid (422). Routes add their own (429 on login)."""
    statuses: set[int] = set()
    if route.body_field is not None:
        statuses |= {400, 413, 422}
    if route.dependant.path_params or route.dependant.query_params:
        statuses.add(422)
    if route.dependant.path_params:
        statuses.add(404)
    if permission != "public":
        statuses |= {401, 403, 503}
        if set(route.methods or ()) - {"GET", "HEAD", "OPTIONS"}:
            statuses |= {404, 409}
    return {
        status: {"model": ErrorBody, "description": _MEANING[status]} for status in sorted(statuses)
    }


def status_for(error: HotlineError) -> int:
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 400


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def _field(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def _language(request: Request) -> str | None:
    """The caller's language: the signed-in user's, else the page's language cookie, else the
    browser's (Accept-Language)."""
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        return str(principal.language)
    cookie = request.cookies.get("hotline_lang")
    if cookie:
        return cookie
    # Not logged in and no page yet (a refused login by API): the browser's, Chinese first.
    accepted = request.headers.get("accept-language", "").lower()
    return ("en" if accepted.startswith("en") else "zh-CN") if accepted else None


def in_language(
    request: Request, code: str, message: str, details: dict[str, Any], status: int
) -> str:
    """The message in the caller's language (ADR 0122): the web layer installs the renderer
    (`app.state.error_text`, from the code, the details and the UI catalog); without it, or
    without a language, the message as the domain wrote it."""
    render = getattr(request.app.state, "error_text", None)
    language = _language(request)
    if render is None or language is None:
        return message
    return str(render(language, code, message, details, status))


def _jsonable(ctx: Any) -> dict[str, Any]:
    """pydantic's error context, keeping what a message may quote (limits, patterns)."""
    if not isinstance(ctx, dict):
        return {}
    return {k: v for k, v in ctx.items() if isinstance(v, str | int | float | bool)}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HotlineError)
    async def _domain(request: Request, error: HotlineError) -> JSONResponse:
        status = status_for(error)
        headers = {}
        if isinstance(error, Throttled):
            headers["Retry-After"] = str(int(error.retry_after_s) + 1)
        message = in_language(request, error.code, error.message, error.details, status)
        return JSONResponse(error_body(error.code, message, error.details), status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _field(tuple(e.get("loc", ()))),
                "message": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
                "ctx": _jsonable(e.get("ctx")),
            }
            for e in error.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        details: dict[str, Any] = {"errors": errors}
        message = in_language(
            request, "invalid_input", f"{first['field']}: {first['message']}", details, 422
        )
        return JSONResponse(error_body("invalid_input", message, details), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
            error.status_code, "http_error"
        )
        return JSONResponse(
            error_body(code, str(error.detail)), error.status_code, headers=error.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal", "internal error; see the server log"), 500)
