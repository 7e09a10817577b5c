"""SQL repositories of identity: tenants, users, sessions, API tokens, login failures, audit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.auth.model import User
from hotline.ids import new_id
from hotline.store.rows import count, row_dict, text_contains
from hotline.store.tables import (
    agents,
    api_tokens,
    audit_log,
    login_devices,
    login_failures,
    sessions,
    tenants,
    user_totp,
    users,
)

__all__ = [
    "SqlAudit",
    "SqlDevices",
    "SqlLoginFailures",
    "SqlSessions",
    "SqlTenants",
    "SqlTokens",
    "SqlTotp",
    "SqlUsers",
]


def _user(row: Any) -> User:
    d = row_dict(row)
    return User(
        id=d["id"],
        tenant_id=d["tenant_id"],
        username=d["username"],
        display_name=d["display_name"],
        roles=tuple(d["roles"]),
        language=d["language"],
        active=bool(d["active"]),
        created_at=d["created_at"],
        updated_at=d["updated_at"],
        password_hash=d["password_hash"],
        must_change_password=bool(d.get("must_change_password", False)),
    )


class SqlTenants:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def by_slug(self, slug: str) -> dict[str, Any] | None:
        row = (await self.conn.execute(select(tenants).where(tenants.c.slug == slug))).first()
        return row_dict(row) if row else None

    async def get(self, tenant_id: str) -> dict[str, Any] | None:
        row = (await self.conn.execute(select(tenants).where(tenants.c.id == tenant_id))).first()
        return row_dict(row) if row else None

    async def all(self) -> list[dict[str, Any]]:
        """Every contact center (not the platform operators' tenant), active or not."""
        q = select(tenants).where(tenants.c.kind == "center").order_by(tenants.c.slug)
        rows = await self.conn.execute(q)
        return [row_dict(r) for r in rows]

    async def add(self, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(tenants).values(**values))


class SqlUsers:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def by_username(self, tenant_id: str, username: str) -> User | None:
        q = select(users).where(users.c.tenant_id == tenant_id, users.c.username == username)
        row = (await self.conn.execute(q)).first()
        return _user(row) if row else None

    async def get(self, tenant_id: str, user_id: str) -> User | None:
        q = select(users).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
        row = (await self.conn.execute(q)).first()
        return _user(row) if row else None

    async def list(
        self, tenant_id: str, *, q: str | None, role: str | None, limit: int, offset: int
    ) -> tuple[list[User], int]:
        query = select(users).where(users.c.tenant_id == tenant_id)
        if q:
            query = query.where(
                or_(text_contains(users.c.username, q), text_contains(users.c.display_name, q))
            )
        rows = [_user(r) for r in await self.conn.execute(query.order_by(users.c.username))]
        if role:
            rows = [u for u in rows if role in u.roles]
        return rows[offset : offset + limit], len(rows)

    async def add(self, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(users).values(**values))

    async def update(self, tenant_id: str, user_id: str, values: dict[str, Any]) -> None:
        await self.conn.execute(
            update(users)
            .where(users.c.tenant_id == tenant_id, users.c.id == user_id)
            .values(**values)
        )

    async def delete(self, tenant_id: str, user_id: str) -> None:
        await self.conn.execute(
            delete(users).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
        )

    async def names(self, tenant_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        """User id → the name screens show (display name, else user name), for those found."""
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        q = select(users.c.id, users.c.display_name, users.c.username).where(
            users.c.tenant_id == tenant_id, users.c.id.in_(wanted)
        )
        return {r.id: r.display_name or r.username for r in await self.conn.execute(q)}

    async def agent_id(self, tenant_id: str, user_id: str) -> str | None:
        q = select(agents.c.id).where(agents.c.tenant_id == tenant_id, agents.c.user_id == user_id)
        return await self.conn.scalar(q)


class SqlSessions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(sessions).values(**values))

    async def get(self, token_hash: str) -> dict[str, Any] | None:
        q = select(sessions).where(sessions.c.token_hash == token_hash)
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def delete(self, token_hash: str) -> None:
        await self.conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    async def delete_for_user(
        self, tenant_id: str, user_id: str, *, keep: str | None = None
    ) -> None:
        q = delete(sessions).where(sessions.c.tenant_id == tenant_id, sessions.c.user_id == user_id)
        if keep is not None:
            q = q.where(sessions.c.token_hash != keep)
        await self.conn.execute(q)

    async def purge_expired(self, now: float) -> None:
        await self.conn.execute(delete(sessions).where(sessions.c.expires_at < now))


class SqlTokens:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(api_tokens).values(**values))

    async def by_hash(self, token_hash: str) -> dict[str, Any] | None:
        q = select(api_tokens).where(api_tokens.c.token_hash == token_hash)
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def list(self, tenant_id: str, user_id: str | None) -> list[dict[str, Any]]:
        q = select(api_tokens).where(api_tokens.c.tenant_id == tenant_id)
        if user_id is not None:
            q = q.where(api_tokens.c.user_id == user_id)
        rows = await self.conn.execute(q.order_by(api_tokens.c.created_at))
        return [{k: v for k, v in row_dict(r).items() if k != "token_hash"} for r in rows]

    async def get(self, tenant_id: str, token_id: str) -> dict[str, Any] | None:
        q = select(api_tokens).where(
            api_tokens.c.tenant_id == tenant_id, api_tokens.c.id == token_id
        )
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def revoke(self, tenant_id: str, token_id: str, now: float) -> None:
        await self.conn.execute(
            update(api_tokens)
            .where(api_tokens.c.tenant_id == tenant_id, api_tokens.c.id == token_id)
            .values(revoked_at=now)
        )

    async def touch(self, token_id: str, now: float) -> None:
        await self.conn.execute(
            update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now)
        )


class SqlLoginFailures:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record(self, keys: list[str], at: float) -> None:
        await self.conn.execute(insert(login_failures), [{"key": k, "at": at} for k in keys])

    async def since(self, key: str, since: float) -> list[float]:
        q = select(login_failures.c.at).where(
            and_(login_failures.c.key == key, login_failures.c.at >= since)
        )
        return [float(t) for t in (await self.conn.execute(q)).scalars()]

    async def clear(self, key: str) -> None:
        await self.conn.execute(delete(login_failures).where(login_failures.c.key == key))

    async def purge(self, before: float) -> None:
        await self.conn.execute(delete(login_failures).where(login_failures.c.at < before))


class SqlDevices:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def known(self, token_hash: str, tenant_id: str, user_id: str) -> bool:
        q = select(login_devices.c.token_hash).where(
            login_devices.c.token_hash == token_hash,
            login_devices.c.tenant_id == tenant_id,
            login_devices.c.user_id == user_id,
        )
        return (await self.conn.scalar(q)) is not None

    async def add(self, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(login_devices).values(**values))

    async def touch(self, token_hash: str, now: float) -> None:
        await self.conn.execute(
            update(login_devices)
            .where(login_devices.c.token_hash == token_hash)
            .values(last_seen_at=now)
        )

    async def purge(self, before: float) -> None:
        await self.conn.execute(delete(login_devices).where(login_devices.c.last_seen_at < before))


class SqlTotp:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _where(self, tenant_id: str, user_id: str) -> Any:
        return and_(user_totp.c.tenant_id == tenant_id, user_totp.c.user_id == user_id)

    async def get(self, tenant_id: str, user_id: str) -> dict[str, Any] | None:
        row = await self.conn.execute(select(user_totp).where(self._where(tenant_id, user_id)))
        found = row.first()
        return row_dict(found) if found else None

    async def put(self, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(user_totp).values(**values))

    async def update(self, tenant_id: str, user_id: str, values: dict[str, Any]) -> None:
        await self.conn.execute(
            update(user_totp).where(self._where(tenant_id, user_id)).values(**values)
        )

    async def delete(self, tenant_id: str, user_id: str) -> None:
        await self.conn.execute(delete(user_totp).where(self._where(tenant_id, user_id)))

    async def enabled_users(self, tenant_id: str) -> set[str]:
        q = select(user_totp.c.user_id).where(
            user_totp.c.tenant_id == tenant_id, user_totp.c.confirmed_at.is_not(None)
        )
        return set((await self.conn.execute(q)).scalars())


class SqlAudit:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(audit_log).values(id=new_id(values["at"]), **values))

    async def list(
        self,
        tenant_id: str,
        *,
        entity: str | None,
        actor_id: str | None,
        limit: int,
        offset: int,
        search: str | None = None,
        action: str | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        q = select(audit_log).where(audit_log.c.tenant_id == tenant_id)
        if action:
            q = q.where(audit_log.c.action == action)
        if since is not None:
            q = q.where(audit_log.c.at >= since)
        if until is not None:
            q = q.where(audit_log.c.at < until)
        if search:
            q = q.where(
                or_(
                    *(
                        text_contains(column, search)
                        for column in (
                            audit_log.c.actor_name,
                            audit_log.c.action,
                            audit_log.c.entity,
                            audit_log.c.entity_id,
                            audit_log.c.ip,
                        )
                    )
                )
            )
        if entity:
            q = q.where(audit_log.c.entity == entity)
        if actor_id:
            q = q.where(audit_log.c.actor_id == actor_id)
        total = await count(self.conn, q)
        rows = await self.conn.execute(
            q.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit).offset(offset)
        )
        return [row_dict(r) for r in rows], total
