"""My account's security: change my password, and my authenticator app (TOTP) — set up with a
QR code rendered here, confirm, recovery codes, turn off. Admins remove a user's lost one."""

from __future__ import annotations

import io
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import SESSION_COOKIE, Uow, auth_service, client_ip, require, services_of
from hotline.auth.errors import BadCredentials, BadTotpCode
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.auth.second_factor import TotpService
from hotline.auth.throttle import ThrottlePolicy
from hotline.directory.errors import EntityNotFound
from hotline.errors import Throttled
from hotline.store.auth_repo import SqlAudit, SqlLoginFailures, SqlTotp, SqlUsers
from hotline.store.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["auth"])

Myself = Annotated[Principal, Depends(require(Permission.SELF))]
Enroller = Annotated[Principal, Depends(require(Permission.SECOND_FACTOR))]
UsersWriter = Annotated[Principal, Depends(require(Permission.USERS_WRITE))]


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=256, description="the new password")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=6, max_length=32, description="authenticator or recovery code")


def _totp(request: Request, uow: UnitOfWork) -> TotpService:
    auth = services_of(request).settings.auth
    return TotpService(
        SqlTotp(uow.conn),
        services_of(request).clock,
        issuer=auth.totp_issuer,
    )


async def _audit(
    request: Request, uow: UnitOfWork, principal: Principal, action: str, user_id: str
) -> None:
    await SqlAudit(uow.conn).add(
        {
            "tenant_id": principal.tenant_id,
            "at": services_of(request).clock.now(),
            "actor_id": principal.user_id,
            "actor_name": principal.username,
            "action": action,
            "entity": "user",
            "entity_id": user_id,
            "before": None,
            "after": None,
            "ip": client_ip(request),
        }
    )


async def _guarded(request: Request, uow: UnitOfWork, principal: Principal, attempt: Any) -> Any:
    """Run a code check under the login throttle of this account and source: a stolen session
    cannot try every code. A wrong code is recorded (committed) before the error goes out."""
    auth = services_of(request).settings.auth
    policy = ThrottlePolicy(auth.login_max_failures, auth.login_window_s, auth.login_lockout_s)
    failures = SqlLoginFailures(uow.conn)
    key = f"totp:{principal.tenant_id}:{principal.user_id}"
    now = services_of(request).clock.now()
    wait = policy.locked_for(await failures.since(key, now - policy.window_s), now)
    if wait > 0:
        raise Throttled(
            f"too many wrong codes; try again in {int(wait) + 1} s",
            retry_after_s=wait,
            code="auth.throttled",
        )
    try:
        return await attempt
    except (BadTotpCode, BadCredentials):
        await uow.rollback()
        await failures.record([key], now)
        await uow.commit()
        raise


@router.put("/auth/me/password", summary="Change my password (my other sessions end)")
async def change_password(
    body: PasswordIn, request: Request, uow: Uow, principal: Myself
) -> dict[str, str]:
    service = auth_service(services_of(request), uow)
    await _guarded(
        request,
        uow,
        principal,
        service.change_password(
            principal,
            current=body.current_password,
            new=body.password,
            session=request.cookies.get(SESSION_COOKIE),
        ),
    )
    await _audit(request, uow, principal, "password", principal.user_id)
    await uow.commit()
    return {"status": "changed"}


@router.get("/auth/totp", summary="My authenticator app: allowed, enabled, recovery codes left")
async def totp_status(request: Request, uow: Uow, principal: Myself) -> dict[str, Any]:
    return await _totp(request, uow).status(principal)


@router.post("/auth/totp/setup", summary="Start setting up an authenticator app (a new secret)")
async def totp_setup(request: Request, uow: Uow, principal: Enroller) -> dict[str, str]:
    started = await _totp(request, uow).begin(principal)
    await uow.commit()
    return {**started, "qr": "/api/v1/auth/totp/qr.svg"}


@router.get(
    "/auth/totp/qr.svg",
    summary="The QR code of the set-up in progress (SVG, drawn by the server)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def totp_qr(request: Request, uow: Uow, principal: Enroller) -> Response:
    uri = await _totp(request, uow).pending_uri(principal)
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, title="QR")
    return Response(
        out.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/auth/totp/confirm",
    summary="Turn the authenticator on with its first code; returns recovery codes (once)",
    responses={429: {"description": "too many wrong codes"}},
)
async def totp_confirm(
    body: CodeIn, request: Request, uow: Uow, principal: Enroller
) -> dict[str, Any]:
    codes = await _guarded(
        request, uow, principal, _totp(request, uow).confirm(principal, body.code)
    )
    await _audit(request, uow, principal, "totp.enable", principal.user_id)
    await uow.commit()
    return {"enabled": True, "recovery_codes": codes}


@router.post(
    "/auth/totp/disable",
    summary="Turn my authenticator off (needs a code)",
    responses={429: {"description": "too many wrong codes"}},
)
async def totp_disable(
    body: CodeIn, request: Request, uow: Uow, principal: Enroller
) -> dict[str, bool]:
    await _guarded(request, uow, principal, _totp(request, uow).disable(principal, body.code))
    await _audit(request, uow, principal, "totp.disable", principal.user_id)
    await uow.commit()
    return {"enabled": False}


@router.post(
    "/auth/totp/recovery-codes",
    summary="New recovery codes (the old ones stop working); needs a code",
    responses={429: {"description": "too many wrong codes"}},
)
async def totp_recovery_codes(
    body: CodeIn, request: Request, uow: Uow, principal: Enroller
) -> dict[str, Any]:
    service = _totp(request, uow)
    codes = await _guarded(
        request, uow, principal, service.new_recovery_codes(principal, body.code)
    )
    await _audit(request, uow, principal, "totp.recovery_codes", principal.user_id)
    await uow.commit()
    return {"recovery_codes": codes}


@router.delete(
    "/users/{user_id}/totp",
    status_code=204,
    summary="Remove a user's authenticator (a lost phone); the user logs in with the password",
)
async def totp_reset(user_id: str, request: Request, uow: Uow, principal: UsersWriter) -> Response:
    if await SqlUsers(uow.conn).get(principal.tenant_id, user_id) is None:
        raise EntityNotFound(f"no user {user_id!r}", details={"id": user_id})
    await _totp(request, uow).reset(principal.tenant_id, user_id)
    await _audit(request, uow, principal, "totp.reset", user_id)
    await uow.commit()
    return Response(status_code=204)
