"""The ticket system's configuration rows on SQL: departments with members, the category
tree, SLA policies, and the per-tenant ticket settings (`TicketConfigRepository`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.calendars.book import load_calendars
from hotline.store.rows import row_dict
from hotline.store.tables import users
from hotline.store.ticket_tables import (
    department_members,
    departments,
    sla_policies,
    ticket_categories,
    ticket_settings,
)

__all__ = ["SqlTicketConfig"]

_TABLES: dict[str, Table] = {
    "department": departments,
    "category": ticket_categories,
    "policy": sla_policies,
}


class SqlTicketConfig:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def rows(self, kind: str, tenant_id: str) -> list[dict[str, Any]]:
        t = _TABLES[kind]
        order = t.c.position if kind == "policy" else t.c.code
        q = select(t).where(t.c.tenant_id == tenant_id).order_by(order, t.c.id)
        out = [row_dict(r) for r in await self.conn.execute(q)]
        if kind == "department":
            members = await self.members(tenant_id, [r["id"] for r in out])
            for r in out:
                r["members"] = members.get(r["id"], [])
        return out

    async def row(self, kind: str, tenant_id: str, row_id: str) -> dict[str, Any] | None:
        t = _TABLES[kind]
        found = (
            await self.conn.execute(select(t).where(t.c.tenant_id == tenant_id, t.c.id == row_id))
        ).first()
        if found is None:
            return None
        out = row_dict(found)
        if kind == "department":
            out["members"] = (await self.members(tenant_id, [row_id])).get(row_id, [])
        return out

    async def find(self, kind: str, tenant_id: str, column: str, value: str) -> str | None:
        t = _TABLES[kind]
        q = select(t.c.id).where(t.c.tenant_id == tenant_id, t.c[column] == value)
        found = await self.conn.scalar(q)
        return str(found) if found is not None else None

    async def insert(self, kind: str, values: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(_TABLES[kind]).values(**values))

    async def update(
        self, kind: str, tenant_id: str, row_id: str, values: Mapping[str, Any]
    ) -> None:
        t = _TABLES[kind]
        await self.conn.execute(
            update(t).where(t.c.tenant_id == tenant_id, t.c.id == row_id).values(**values)
        )

    async def delete(self, kind: str, tenant_id: str, row_id: str) -> None:
        t = _TABLES[kind]
        await self.conn.execute(delete(t).where(t.c.tenant_id == tenant_id, t.c.id == row_id))

    async def members(self, tenant_id: str, department_ids: Sequence[str]) -> dict[str, list[str]]:
        m = department_members
        q = (
            select(m.c.department_id, m.c.user_id)
            .where(m.c.tenant_id == tenant_id, m.c.department_id.in_(list(department_ids)))
            .order_by(m.c.position)
        )
        out: dict[str, list[str]] = {}
        for department, user in await self.conn.execute(q):
            out.setdefault(str(department), []).append(str(user))
        return out

    async def set_members(self, tenant_id: str, department_id: str, members: Sequence[str]) -> None:
        m = department_members
        await self.conn.execute(delete(m).where(m.c.department_id == department_id))
        if members:
            await self.conn.execute(
                insert(m),
                [
                    {
                        "department_id": department_id,
                        "user_id": u,
                        "tenant_id": tenant_id,
                        "position": n,
                    }
                    for n, u in enumerate(members)
                ],
            )

    async def known_users(self, tenant_id: str, user_ids: Sequence[str]) -> set[str]:
        q = select(users.c.id).where(users.c.tenant_id == tenant_id, users.c.id.in_(list(user_ids)))
        return {str(u) for u in await self.conn.scalars(q)}

    async def calendar_names(self, tenant_id: str) -> set[str]:
        return set(await load_calendars(self.conn, tenant_id))

    async def save_settings(
        self, tenant_id: str, *, number_style: str, reopen_days: int, now: float
    ) -> None:
        upsert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        values = {"number_style": number_style, "reopen_days": reopen_days, "updated_at": now}
        await self.conn.execute(
            upsert(ticket_settings)
            .values(tenant_id=tenant_id, **values)
            .on_conflict_do_update(index_elements=["tenant_id"], set_=values)
        )
