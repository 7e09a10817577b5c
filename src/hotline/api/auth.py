"""Login, logout, the current user, language, API tokens."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    Caller,
    Uow,
    auth_service,
    client_ip,
    require,
    services_of,
)
from hotline.api.errors import ErrorBody
from hotline.api.present import present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.directory.errors import EntityNotFound
from hotline.store.auth_repo import SqlTokens, SqlUsers

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["auth"])

DEVICE_COOKIE_MAX_AGE = 400 * 86400  # the longest browsers keep a cookie


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    tenant: str | None = Field(None, max_length=64, description="tenant slug; optional with one")
    code: str | None = Field(
        None,
        max_length=32,
        description="authenticator code or recovery code, when the account has an authenticator "
        "(the first try without it answers 401 `auth.totp_required`)",
    )


class LanguageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Literal["zh-CN", "en"]


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(None, ge=1, le=3650)


def me(principal: Principal) -> dict[str, Any]:
    return {
        "user_id": principal.user_id,
        "username": principal.username,
        "display_name": principal.display_name,
        "roles": list(principal.roles),
        "language": principal.language,
        "tenant_id": principal.tenant_id,
        "tenant": principal.tenant_slug,
        "agent_id": principal.agent_id,
        "csrf_token": principal.csrf_token,
    }


@router.post(
    "/auth/login",
    summary="Log in; sets the session cookie",
    responses={
        401: {"model": ErrorBody, "description": "unknown tenant, user name or password"},
        429: {"model": ErrorBody, "description": "too many failed logins; see Retry-After"},
    },
)
async def login(body: LoginIn, request: Request, response: Response, uow: Uow) -> dict[str, Any]:
    services = services_of(request)
    outcome = await auth_service(services, uow).login(
        tenant_slug=body.tenant,
        username=body.username,
        password=body.password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        code=body.code,
        device=request.cookies.get(DEVICE_COOKIE),
    )
    await uow.commit()  # failures are recorded even when the login is refused
    if outcome.error is not None:
        raise outcome.error
    if outcome.token is None or outcome.principal is None:
        raise RuntimeError("a successful login carries a token and a principal")
    secure = services.settings.auth.cookie_secure
    https = secure == "always" or (secure == "auto" and request.url.scheme == "https")
    response.set_cookie(
        SESSION_COOKIE,
        outcome.token,
        max_age=services.settings.auth.session_ttl_s,
        httponly=True,
        samesite="strict",
        secure=https,
        path="/",
    )
    if outcome.device is not None:
        # Lets this browser past the account-wide throttle of a spread-out guessing attack.
        response.set_cookie(
            DEVICE_COOKIE,
            outcome.device,
            max_age=DEVICE_COOKIE_MAX_AGE,
            httponly=True,
            samesite="strict",
            secure=https,
            path="/api/v1/auth/login",
        )
    return me(outcome.principal)


@router.post("/auth/logout", summary="Log out")
async def logout(
    request: Request, response: Response, principal: Caller, uow: Uow
) -> dict[str, str]:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await auth_service(services_of(request), uow).logout(token)
        await uow.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"status": "logged_out"}


@router.get("/auth/me", summary="Who am I")
async def whoami(principal: Caller) -> dict[str, Any]:
    return me(principal)


@router.put("/auth/me/language", summary="Set my UI language")
async def set_language(
    body: LanguageIn,
    request: Request,
    uow: Uow,
    principal: Annotated[Principal, Depends(require(Permission.SELF))],
) -> dict[str, str]:
    await SqlUsers(uow.conn).update(
        principal.tenant_id,
        principal.user_id,
        {"language": body.language, "updated_at": services_of(request).clock.now()},
    )
    await uow.commit()
    return {"language": body.language}


@router.get("/tokens", summary="My API tokens (admins: all of the tenant)")
async def list_tokens(
    uow: Uow, principal: Annotated[Principal, Depends(require(Permission.TOKENS_WRITE))]
) -> dict[str, Any]:
    rows = await SqlTokens(uow.conn).list(principal.tenant_id, None)
    return {"items": [present(r) for r in rows], "total": len(rows)}


@router.post("/tokens", status_code=201, summary="Create an API token (shown once)")
async def create_token(
    body: TokenIn,
    request: Request,
    uow: Uow,
    principal: Annotated[Principal, Depends(require(Permission.TOKENS_WRITE))],
) -> dict[str, Any]:
    token, row = await auth_service(services_of(request), uow).create_api_token(
        principal, body.name, body.expires_in_days
    )
    await uow.commit()
    return {**present(row), "token": token}


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke an API token")
async def revoke_token(
    token_id: str,
    request: Request,
    uow: Uow,
    principal: Annotated[Principal, Depends(require(Permission.TOKENS_WRITE))],
) -> Response:
    tokens = SqlTokens(uow.conn)
    if await tokens.get(principal.tenant_id, token_id) is None:
        raise EntityNotFound(f"no API token {token_id!r}")
    await tokens.revoke(principal.tenant_id, token_id, services_of(request).clock.now())
    await uow.commit()
    return Response(status_code=204)
