"""Request dependencies: the unit of work, the caller (`Principal`), CSRF and RBAC checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request, WebSocket
from fastapi.dependencies.models import Dependant

from hotline.auth.errors import Forbidden, PasswordChangeRequired
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.auth.service import AuthService
from hotline.auth.throttle import LoginLimits, ThrottlePolicy
from hotline.auth.tokens import API_TOKEN_PREFIX, same
from hotline.errors import PermissionDenied, Unauthenticated
from hotline.store.auth_repo import (
    SqlDevices,
    SqlLoginFailures,
    SqlSessions,
    SqlTenants,
    SqlTokens,
    SqlTotp,
    SqlUsers,
)
from hotline.store.uow import UnitOfWork

if TYPE_CHECKING:
    from hotline.app import Services

__all__ = [
    "CSRF_HEADER",
    "DEVICE_COOKIE",
    "SESSION_COOKIE",
    "Caller",
    "Uow",
    "auth_service",
    "client_ip",
    "permission_of",
    "principal_from",
    "require",
    "services_of",
]

SESSION_COOKIE = "hotline_session"
DEVICE_COOKIE = "hotline_device"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def services_of(request: Request | WebSocket) -> Services:
    services: Services = request.app.state.services
    return services


def client_ip(request: Request | WebSocket) -> str | None:
    return request.client.host if request.client else None


def auth_service(services: Services, uow: UnitOfWork) -> AuthService:
    auth = services.settings.auth
    return AuthService(
        tenants=SqlTenants(uow.conn),
        users=SqlUsers(uow.conn),
        sessions=SqlSessions(uow.conn),
        tokens=SqlTokens(uow.conn),
        failures=SqlLoginFailures(uow.conn),
        devices=SqlDevices(uow.conn),
        totp=SqlTotp(uow.conn),
        clock=services.clock,
        limits=LoginLimits(
            pair=ThrottlePolicy(auth.login_max_failures, auth.login_window_s, auth.login_lockout_s),
            source=ThrottlePolicy(
                auth.login_source_max_failures, auth.login_window_s, auth.login_source_lockout_s
            ),
            account=ThrottlePolicy(
                auth.login_account_max_failures, auth.login_window_s, auth.login_account_lockout_s
            ),
        ),
        session_ttl_s=auth.session_ttl_s,
        default_language=services.settings.default_language,
    )


async def get_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    async with services_of(request).uow() as uow:
        yield uow


Uow = Annotated[UnitOfWork, Depends(get_uow)]


async def principal_from(request: Request | WebSocket) -> Principal:
    """Resolve the caller from a bearer API token or the session cookie."""
    services = services_of(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        if not token.startswith(API_TOKEN_PREFIX):
            raise Unauthenticated("the bearer token is not a Hotline API token")
        async with services.uow() as uow:
            principal = await auth_service(services, uow).from_api_token(token)
            await uow.commit()  # last_used_at
            return principal
    async with services.uow(write=False) as uow:
        auth = auth_service(services, uow)
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise Unauthenticated("please log in")
        return await auth.from_session(cookie)


async def _caller(request: Request) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = await principal_from(request)
    if principal.via == "session" and request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not principal.csrf_token or not same(sent, principal.csrf_token):
            raise PermissionDenied(
                "missing or wrong CSRF token (send the X-CSRF-Token header)", code="auth.csrf"
            )
    request.state.principal = principal
    return principal


_caller.hotline_permission = "authenticated"  # type: ignore[attr-defined]
Caller = Annotated[Principal, Depends(_caller)]


def permission_of(dependant: Dependant) -> str | None:
    """The permission a route's dependencies demand (documented as `x-permission`)."""
    found: list[str] = []

    def walk(d: Dependant) -> None:
        marker = getattr(d.call, "hotline_permission", None)
        if marker:
            found.append(str(marker))
        for sub in d.dependencies:
            walk(sub)

    walk(dependant)
    specific = [p for p in found if p != "authenticated"]
    return specific[0] if specific else (found[0] if found else None)


def require(permission: Permission) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that lets the call through only with `permission` (the one RBAC check)."""

    async def check(principal: Caller) -> Principal:
        if principal.must_change_password and permission is not Permission.SELF:
            raise PasswordChangeRequired()
        if not principal.can(permission):
            raise Forbidden(
                f"your role may not do this ({permission})",
                details={"permission": str(permission)},
            )
        return principal

    check.hotline_permission = str(permission)  # type: ignore[attr-defined]
    return check
