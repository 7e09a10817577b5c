"""SQL storage of tenant management (`hotline.tenants.ports`), and the platform tenant that
holds the operators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.auth.passwords import hash_password
from hotline.auth.roles import Role
from hotline.ids import new_id
from hotline.store.rows import row_dict
from hotline.store.tables import agents, dids, flow_active, recordings, tenants, users
from hotline.tenants.model import PLATFORM_SLUG, TenantKind, TenantStatus

__all__ = ["SqlTenantStore", "ensure_operator", "ensure_platform", "tenant_states"]

Row = dict[str, Any]


class SqlTenantStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _one(self, *where: Any) -> Row | None:
        row = (await self.conn.execute(select(tenants).where(*where))).first()
        return row_dict(row) if row else None

    async def by_slug(self, slug: str) -> Row | None:
        return await self._one(tenants.c.slug == slug)

    async def by_domain(self, domain: str) -> Row | None:
        return await self._one(tenants.c.sip_domain == domain)

    async def get(self, tenant_id: str) -> Row | None:
        return await self._one(tenants.c.id == tenant_id)

    async def centers(self) -> list[Row]:
        q = select(tenants).where(tenants.c.kind == TenantKind.CENTER.value)
        return [row_dict(r) for r in await self.conn.execute(q.order_by(tenants.c.slug))]

    async def add(self, values: Row) -> None:
        await self.conn.execute(insert(tenants).values(**values))

    async def update(self, tenant_id: str, values: Row) -> None:
        await self.conn.execute(update(tenants).where(tenants.c.id == tenant_id).values(**values))

    async def agent_count(self, tenant_id: str) -> int:
        q = select(func.count()).select_from(agents).where(agents.c.tenant_id == tenant_id)
        return int(await self.conn.scalar(q) or 0)

    async def recording_bytes(self, tenant_id: str, kept_since: float) -> int:
        usage = await recording_usage(self.conn, kept_since, tenant_id)
        return usage.get(tenant_id, 0)

    async def number_owner(self, number: str) -> str | None:
        candidates = {number, number.lstrip("+")}
        found = await self.conn.scalar(
            select(dids.c.tenant_id).where(dids.c.number.in_(candidates))
        )
        return str(found) if found else None

    async def add_number(self, values: Row) -> None:
        await self.conn.execute(insert(dids).values(**values))

    async def remove_number(self, tenant_id: str, number: str) -> bool:
        done = await self.conn.execute(
            delete(dids).where(dids.c.tenant_id == tenant_id, dids.c.number == number)
        )
        return bool(done.rowcount)

    async def numbers(self, tenant_id: str) -> list[Row]:
        q = select(dids).where(dids.c.tenant_id == tenant_id).order_by(dids.c.number)
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def flow_published(self, tenant_id: str, name: str) -> bool:
        q = select(flow_active.c.name).where(
            flow_active.c.tenant_id == tenant_id, flow_active.c.name == name
        )
        return await self.conn.scalar(q) is not None


async def ensure_platform(conn: AsyncConnection, now: float) -> Row:
    """The platform tenant (created on first use): operators log in to it by slug."""
    store = SqlTenantStore(conn)
    found = await store.by_slug(PLATFORM_SLUG)
    if found is not None:
        return found
    row: Row = {
        "id": new_id(now),
        "slug": PLATFORM_SLUG,
        "name": "Platform",
        "language": "en",
        "timezone": "UTC",
        "region": "CN",
        "sip_domain": f"{PLATFORM_SLUG}.invalid",  # RFC 2606: never a real SIP domain
        "kind": TenantKind.PLATFORM.value,
        "status": TenantStatus.ACTIVE.value,
        "created_at": now,
        "updated_at": now,
    }
    await store.add(row)
    return row


async def ensure_operator(
    conn: AsyncConnection, now: float, username: str, password: str, *, language: str = "en"
) -> tuple[Row, bool]:
    """An operator account in the platform tenant; (row, created). An existing one keeps its
    password (reset it with `hotline user` commands in the platform tenant)."""
    platform = await ensure_platform(conn, now)
    q = select(users).where(users.c.tenant_id == platform["id"], users.c.username == username)
    existing = (await conn.execute(q)).first()
    if existing is not None:
        return row_dict(existing), False
    row: Row = {
        "id": new_id(now),
        "tenant_id": platform["id"],
        "username": username,
        "display_name": username,
        "password_hash": hash_password(password, context=[username, PLATFORM_SLUG]),
        "roles": [Role.OPERATOR.value],
        "language": language,
        "active": True,
        "must_change_password": False,
        "created_at": now,
        "updated_at": now,
    }
    await conn.execute(insert(users).values(**row))
    return row, True


async def tenant_states(conn: AsyncConnection) -> list[Row]:
    """Every center's id, slug, domain, zone, status and limits: what a running server follows."""
    q = select(
        tenants.c.id,
        tenants.c.slug,
        tenants.c.sip_domain,
        tenants.c.timezone,
        tenants.c.status,
        tenants.c.max_agents,
        tenants.c.max_concurrent_calls,
        tenants.c.max_recording_mb,
        tenants.c.updated_at,
    ).where(tenants.c.kind == TenantKind.CENTER.value)
    return [row_dict(r) for r in await conn.execute(q)]


async def recording_usage(
    conn: AsyncConnection, kept_since: float, tenant_id: str | None = None
) -> dict[str, int]:
    """The bytes each center's kept recordings (calls and voicemails) take: the rows of
    recordings started since `kept_since` (older files are deleted by the retention job, their
    rows stay)."""
    q = (
        select(recordings.c.tenant_id, func.sum(recordings.c.size_bytes))
        .where(recordings.c.started_at >= kept_since)
        .group_by(recordings.c.tenant_id)
    )
    if tenant_id is not None:
        q = q.where(recordings.c.tenant_id == tenant_id)
    return {str(tenant): int(total or 0) for tenant, total in await conn.execute(q)}
