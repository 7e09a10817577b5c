"""Logging in and out, resolving sessions and API tokens into a `Principal`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hotline.auth import ports
from hotline.auth.errors import BadCredentials, LoginThrottled, SessionExpired
from hotline.auth.model import Principal, User
from hotline.auth.passwords import verify_password
from hotline.auth.throttle import ThrottlePolicy
from hotline.auth.tokens import digest, new_api_token, new_secret
from hotline.clock import Clock
from hotline.errors import HotlineError
from hotline.ids import new_id

__all__ = ["AuthService", "LoginOutcome"]


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """The result of a login attempt. Failures are data too: the edge commits the recorded
    failure before it raises `error`, so throttling survives the error response."""

    token: str | None = None
    principal: Principal | None = None
    error: HotlineError | None = None


class AuthService:
    def __init__(
        self,
        *,
        tenants: ports.Tenants,
        users: ports.Users,
        sessions: ports.Sessions,
        tokens: ports.Tokens,
        failures: ports.LoginFailures,
        clock: Clock,
        throttle: ThrottlePolicy,
        session_ttl_s: float,
        default_language: str,
    ) -> None:
        self._tenants = tenants
        self._users = users
        self._sessions = sessions
        self._tokens = tokens
        self._failures = failures
        self._clock = clock
        self._throttle = throttle
        self._ip_throttle = replace(throttle, max_failures=throttle.max_failures * 4)
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
    ) -> LoginOutcome:
        now = self._clock.now()
        try:
            tenant = await self.resolve_tenant(tenant_slug)
        except BadCredentials as error:
            return LoginOutcome(error=error)
        keys = [f"user:{tenant['id']}:{username.lower()}"]
        if ip:
            keys.append(f"ip:{ip}")
        since = now - self._throttle.window_s
        wait = self._throttle.locked_for(await self._failures.since(keys[0], since), now)
        if ip:
            # One address may try more names than one name may be tried (a shared office NAT).
            ip_failures = await self._failures.since(keys[1], since)
            wait = max(wait, self._ip_throttle.locked_for(ip_failures, now))
        if wait > 0:
            return LoginOutcome(
                error=LoginThrottled(
                    f"too many failed logins; try again in {int(wait) + 1} s", retry_after_s=wait
                )
            )
        user = await self._users.by_username(str(tenant["id"]), username)
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None or not user.active:
            await self._failures.record(keys, now)
            return LoginOutcome(error=BadCredentials("unknown tenant, user name or password"))
        await self._failures.clear(keys[0])
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
        principal = await self._principal(tenant, user, via="session", csrf_token=csrf)
        return LoginOutcome(token=token, principal=principal)

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
