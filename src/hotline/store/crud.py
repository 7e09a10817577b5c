"""Generic tenant-scoped table access for the configuration entities, plus the join tables of
agents (skills, teams), queues (skills) and customers (phones, emails)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.rows import count, row_dict, text_contains
from hotline.store.tables import (
    agent_skills,
    agent_teams,
    customer_emails,
    customer_phones,
    queue_skills,
    sip_credentials,
)

__all__ = ["SqlCrud", "SqlLinks"]


class SqlCrud:
    """Rows of one table, always filtered by tenant."""

    def __init__(self, conn: AsyncConnection, table: Table) -> None:
        self.conn = conn
        self.table = table

    async def list(
        self,
        tenant_id: str,
        *,
        search: str | None = None,
        search_fields: Sequence[str] = (),
        filters: dict[str, Any] | None = None,
        order_by: str = "created_at",
        limit: int = 50,
        offset: int = 0,
        ids: Sequence[str] | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        t = self.table
        q = select(t).where(t.c.tenant_id == tenant_id)
        if ids is not None:
            q = q.where(t.c.id.in_(list(ids)))
        for name, value in (filters or {}).items():
            q = q.where(t.c[name] == value)
        if search and search_fields:
            q = q.where(or_(*(text_contains(t.c[f], search) for f in search_fields)))
        total = await count(self.conn, q)
        rows = await self.conn.execute(
            q.order_by(t.c[order_by], t.c.id).limit(limit).offset(offset)
        )
        return [row_dict(r) for r in rows], total

    async def get(self, tenant_id: str, entity_id: str) -> dict[str, Any] | None:
        t = self.table
        q = select(t).where(t.c.tenant_id == tenant_id, t.c.id == entity_id)
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def find(
        self, tenant_id: str | None, field: str, value: Any, *, exclude_id: str | None = None
    ) -> dict[str, Any] | None:
        """A row with `field == value` in the tenant (or in any tenant when tenant_id is None)."""
        t = self.table
        q = select(t).where(t.c[field] == value)
        if tenant_id is not None:
            q = q.where(t.c.tenant_id == tenant_id)
        if exclude_id is not None:
            q = q.where(t.c.id != exclude_id)
        row = (await self.conn.execute(q.limit(1))).first()
        return row_dict(row) if row else None

    async def existing_ids(self, tenant_id: str, ids: Sequence[str]) -> set[str]:
        t = self.table
        q = select(t.c.id).where(t.c.tenant_id == tenant_id, t.c.id.in_(list(ids)))
        return set((await self.conn.execute(q)).scalars())

    async def insert(self, values: dict[str, Any]) -> None:
        await self.conn.execute(insert(self.table).values(**values))

    async def update(self, tenant_id: str, entity_id: str, values: dict[str, Any]) -> None:
        t = self.table
        await self.conn.execute(
            update(t).where(t.c.tenant_id == tenant_id, t.c.id == entity_id).values(**values)
        )

    async def delete(self, tenant_id: str, entity_id: str) -> None:
        t = self.table
        await self.conn.execute(delete(t).where(t.c.tenant_id == tenant_id, t.c.id == entity_id))


class SqlLinks:
    """The join tables hanging off agents, queues and customers."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def agent_skills(self, agent_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        return await self._grouped(agent_skills, "agent_id", agent_ids)

    async def agent_teams(self, agent_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        return await self._grouped(agent_teams, "agent_id", agent_ids)

    async def queue_skills(self, queue_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        return await self._grouped(queue_skills, "queue_id", queue_ids)

    async def customer_phones(self, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        return await self._grouped(customer_phones, "customer_id", ids)

    async def customer_emails(self, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        return await self._grouped(customer_emails, "customer_id", ids)

    async def _grouped(
        self, table: Table, key: str, ids: Sequence[str]
    ) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        if not ids:
            return out
        rows = await self.conn.execute(select(table).where(table.c[key].in_(list(ids))))
        for row in rows:
            d = row_dict(row)
            out.setdefault(d[key], []).append(d)
        return out

    async def replace(
        self, table_name: str, key: str, owner_id: str, rows: list[dict[str, Any]]
    ) -> None:
        table = {
            "agent_skills": agent_skills,
            "agent_teams": agent_teams,
            "queue_skills": queue_skills,
            "customer_phones": customer_phones,
            "customer_emails": customer_emails,
        }[table_name]
        await self.conn.execute(delete(table).where(table.c[key] == owner_id))
        if rows:
            await self.conn.execute(insert(table), [{key: owner_id, **r} for r in rows])

    async def customers_by_phone(self, tenant_id: str, e164: str) -> list[str]:
        q = select(customer_phones.c.customer_id).where(
            customer_phones.c.tenant_id == tenant_id, customer_phones.c.e164 == e164
        )
        return list(dict.fromkeys((await self.conn.execute(q)).scalars()))

    async def customers_by_email(self, tenant_id: str, email: str) -> list[str]:
        q = select(customer_emails.c.customer_id).where(
            customer_emails.c.tenant_id == tenant_id, customer_emails.c.email == email
        )
        return list(dict.fromkeys((await self.conn.execute(q)).scalars()))

    async def set_sip_credential(self, values: dict[str, Any]) -> None:
        await self.conn.execute(
            delete(sip_credentials).where(sip_credentials.c.agent_id == values["agent_id"])
        )
        await self.conn.execute(insert(sip_credentials).values(**values))

    async def delete_sip_credential(self, agent_id: str) -> None:
        await self.conn.execute(
            delete(sip_credentials).where(sip_credentials.c.agent_id == agent_id)
        )

    async def sip_credential_for(self, realm: str, username: str) -> dict[str, Any] | None:
        q = select(sip_credentials).where(
            sip_credentials.c.realm == realm, sip_credentials.c.username == username
        )
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None
