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

__all__ = ["STATUS", "error_body", "install_error_handlers", "status_for"]

log = logging.getLogger(__name__)

STATUS: list[tuple[type[HotlineError], int]] = [
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (IllegalTransition, 409),
    (Unauthenticated, 401),
    (PermissionDenied, 403),
    (Throttled, 429),
    (Unavailable, 503),
]


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


def _in_language(request: Request, message: str) -> str:
    """The message in the caller's language when the UI catalog has it (else as written)."""
    catalogs = getattr(request.app.state, "catalogs", None)
    principal = getattr(request.state, "principal", None)
    if catalogs is None or principal is None:
        return message
    return str(catalogs.gettext(principal.language, message))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HotlineError)
    async def _domain(request: Request, error: HotlineError) -> JSONResponse:
        status = status_for(error)
        headers = {}
        if isinstance(error, Throttled):
            headers["Retry-After"] = str(int(error.retry_after_s) + 1)
        message = _in_language(request, error.message)
        return JSONResponse(error_body(error.code, message, error.details), status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(tuple(e.get("loc", ()))), "message": str(e.get("msg", ""))}
            for e in error.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return JSONResponse(
            error_body(
                "invalid_input", f"{first['field']}: {first['message']}", {"errors": errors}
            ),
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(error.detail)), error.status_code, headers=error.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal", "internal error; see the server log"), 500)
