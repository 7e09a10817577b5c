"""Logging in and out, resolving sessions and API tokens into a `Principal`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hotline.auth import ports
from hotline.auth.errors import (
    BadCredentials,
    BadTotpCode,
    LoginThrottled,
    SessionExpired,
    TotpRequired,
)
from hotline.auth.model import Principal, User
from hotline.auth.passwords import hash_password, verify_password
from hotline.auth.second_factor import verify_code
from hotline.auth.throttle import LoginLimits, ThrottlePolicy, source_of
from hotline.auth.tokens import digest, new_api_token, new_secret
from hotline.clock import Clock
from hotline.errors import HotlineError
from hotline.ids import new_id
from hotline.tenants.errors import TenantSuspended

__all__ = ["AuthService", "LoginOutcome"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """The result of a login attempt. Failures are data too: the edge commits the recorded
    failure before it raises `error`, so throttling survives the error response."""

    token: str | None = None
    principal: Principal | None = None
    error: HotlineError | None = None
    device: str | None = None  # a new device cookie for this browser, to set with the session


class AuthService:
    def __init__(
        self,
        *,
        tenants: ports.Tenants,
        users: ports.Users,
        sessions: ports.Sessions,
        tokens: ports.Tokens,
        failures: ports.LoginFailures,
        devices: ports.Devices,
        totp: ports.Totp,
        clock: Clock,
        limits: LoginLimits,
        session_ttl_s: float,
        default_language: str,
    ) -> None:
        self._tenants = tenants
        self._users = users
        self._sessions = sessions
        self._tokens = tokens
        self._failures = failures
        self._devices = devices
        self._totp = totp
        self._clock = clock
        self._limits = limits
        self._ttl = session_ttl_s
        self._default_language = default_language

    async def resolve_tenant(self, slug: str | None) -> dict[str, object]:
        if slug:
            tenant = await self._tenants.by_slug(slug)
            if tenant is None:
                raise BadCredentials("unknown tenant, user name or password")
            return tenant
        all_tenants = await self._tenants.all()
        if len(all_tenants) != 1:
            raise BadCredentials("name the tenant to log in to", details={"field": "tenant"})
        return all_tenants[0]

    async def _principal(self, tenant: dict[str, object], user: User, **extra: object) -> Principal:
        agent_id = await self._users.agent_id(user.tenant_id, user.id)
        return Principal(
            tenant_id=user.tenant_id,
            tenant_slug=str(tenant["slug"]),
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            roles=user.roles,
            language=user.language or str(tenant["language"]) or self._default_language,
            agent_id=agent_id,
            must_change_password=user.must_change_password,
            **extra,  # type: ignore[arg-type]
        )

    async def login(
        self,
        *,
        tenant_slug: str | None,
        username: str,
        password: str,
        ip: str | None,
        user_agent: str | None,
        code: str | None = None,
        device: str | None = None,
    ) -> LoginOutcome:
        """Check the password (and the authenticator code when the account has one) under the
        three throttles of `auth.throttle`. `device` is the browser's device cookie, if any."""
        now = self._clock.now()
        try:
            tenant = await self.resolve_tenant(tenant_slug)
        except BadCredentials as error:
            return LoginOutcome(error=error)
        tenant_id = str(tenant["id"])
        name = username.lower()
        source = source_of(ip)
        pair_key = f"pair:{tenant_id}:{name}:{source}"
        source_key = f"src:{source}"
        account_key = f"acct:{tenant_id}:{name}"
        user = await self._users.by_username(tenant_id, username)
        known_device = (
            device is not None
            and user is not None
            and await self._devices.known(digest(device), tenant_id, user.id)
        )
        wait = await self._locked(self._limits.pair, pair_key, now)
        wait = max(wait, await self._locked(self._limits.source, source_key, now))
        if not known_device:
            wait = max(wait, await self._locked(self._limits.account, account_key, now))
        if wait > 0:
            return LoginOutcome(
                error=LoginThrottled(
                    f"too many failed logins; try again in {int(wait) + 1} s", retry_after_s=wait
                )
            )
        failed_keys = [pair_key, source_key] + ([] if known_device else [account_key])
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None or not user.active:
            await self._failures.record(failed_keys, now)
            return LoginOutcome(error=BadCredentials("unknown tenant, user name or password"))
        if _suspended(tenant):  # told only to who knows the password
            return LoginOutcome(error=TenantSuspended(str(tenant["slug"])))
        second = await self._totp.get(tenant_id, user.id)
        if second is not None and second["confirmed_at"] is not None:
            if not code:
                return LoginOutcome(
                    error=TotpRequired("enter the code from your authenticator app")
                )
            if not await verify_code(self._totp, second, code, now):
                await self._failures.record(failed_keys, now)
                return LoginOutcome(error=BadTotpCode("the authenticator code does not match"))
        await self._failures.clear(pair_key)
        await self._failures.purge(now - self._limits.window_s)
        token = new_secret()
        csrf = new_secret()
        await self._sessions.purge_expired(now)
        await self._sessions.add(
            {
                "token_hash": digest(token),
                "tenant_id": user.tenant_id,
                "user_id": user.id,
                "csrf_token": csrf,
                "created_at": now,
                "expires_at": now + self._ttl,
                "ip": ip,
                "user_agent": (user_agent or "")[:255],
            }
        )
        new_device = None
        if known_device and device is not None:
            await self._devices.touch(digest(device), now)
        else:
            new_device = new_secret()
            await self._devices.add(
                {
                    "token_hash": digest(new_device),
                    "tenant_id": tenant_id,
                    "user_id": user.id,
                    "created_at": now,
                    "last_seen_at": now,
                }
            )
        principal = await self._principal(tenant, user, via="session", csrf_token=csrf)
        return LoginOutcome(token=token, principal=principal, device=new_device)

    async def _locked(self, policy: ThrottlePolicy, key: str, now: float) -> float:
        return policy.locked_for(await self._failures.since(key, now - policy.window_s), now)

    async def change_password(
        self, principal: Principal, *, current: str, new: str, session: str | None
    ) -> None:
        """Change my own password: the current one is checked, the new one meets the policy;
        my other sessions (all but `session`, the one asking) end."""
        user = await self._users.get(principal.tenant_id, principal.user_id)
        if user is None or not verify_password(user.password_hash, current):
            raise BadCredentials(
                "the current password is wrong", details={"field": "current_password"}
            )
        password_hash = hash_password(
            new, context=[user.username, user.display_name, principal.tenant_slug]
        )
        await self._users.update(
            principal.tenant_id,
            principal.user_id,
            {
                "password_hash": password_hash,
                "must_change_password": False,
                "updated_at": self._clock.now(),
            },
        )
        await self._sessions.delete_for_user(
            principal.tenant_id, principal.user_id, keep=digest(session) if session else None
        )

    async def logout(self, token: str) -> None:
        await self._sessions.delete(digest(token))

    async def from_session(self, token: str) -> Principal:
        row = await self._sessions.get(digest(token))
        if row is None:
            raise SessionExpired("please log in")
        if row["expires_at"] < self._clock.now():
            await self._sessions.delete(row["token_hash"])
            raise SessionExpired("the session has expired; please log in again")
        user = await self._users.get(row["tenant_id"], row["user_id"])
        tenant = await self._tenants.get(row["tenant_id"])
        if user is None or tenant is None or not user.active:
            raise SessionExpired("please log in")
        if _suspended(tenant):
            raise TenantSuspended(str(tenant["slug"]))
        return await self._principal(tenant, user, via="session", csrf_token=row["csrf_token"])

    async def from_api_token(self, token: str) -> Principal:
        row = await self._tokens.by_hash(digest(token))
        now = self._clock.now()
        if (
            row is None
            or row["revoked_at"] is not None
            or (row["expires_at"] is not None and row["expires_at"] < now)
        ):
            raise BadCredentials("the API token is unknown, revoked or expired")
        user = await self._users.get(row["tenant_id"], row["user_id"])
        tenant = await self._tenants.get(row["tenant_id"])
        if user is None or tenant is None or not user.active:
            raise BadCredentials("the API token's user is disabled")
        if _suspended(tenant):
            raise TenantSuspended(str(tenant["slug"]))
        if row["last_used_at"] is None or now - row["last_used_at"] > 60:
            await self._tokens.touch(row["id"], now)
        return await self._principal(tenant, user, via="token")

    async def create_api_token(
        self, principal: Principal, name: str, expires_in_days: int | None
    ) -> tuple[str, dict[str, object]]:
        now = self._clock.now()
        token = new_api_token()
        row: dict[str, object] = {
            "id": new_id(now),
            "tenant_id": principal.tenant_id,
            "user_id": principal.user_id,
            "name": name,
            "token_hash": digest(token),
            "created_at": now,
            "expires_at": now + expires_in_days * 86400 if expires_in_days else None,
            "last_used_at": None,
            "revoked_at": None,
        }
        await self._tokens.add(row)
        return token, {k: v for k, v in row.items() if k != "token_hash"}


def _suspended(tenant: dict[str, object]) -> bool:
    """Suspended, or deleted and waiting for its purge: nobody of that center gets in."""
    return str(tenant.get("status") or "active") != "active"
