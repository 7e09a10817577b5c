"""A customer's history on SQL (`hotline.crm.profile.CustomerHistory`): contacts from the
contacts projection, tickets and their public notes, mails sent to the customer, and the
merge of a duplicate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.crm_tables import customer_merges
from hotline.store.mail_tables import mails
from hotline.store.rows import row_dict
from hotline.store.tables import customer_emails, customer_phones, customers, interactions, tickets
from hotline.store.ticket_tables import ticket_comments

__all__ = ["SqlCustomerHistory"]


class SqlCustomerHistory:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def customer(self, tenant_id: str, customer_id: str) -> dict[str, Any] | None:
        q = select(customers).where(
            customers.c.tenant_id == tenant_id, customers.c.id == customer_id
        )
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def merged_ids(self, tenant_id: str, customer_id: str) -> list[str]:
        m = customer_merges
        q = select(m.c.merged_id).where(m.c.tenant_id == tenant_id, m.c.into_id == customer_id)
        return [str(i) for i in await self.conn.scalars(q)]

    async def contact_stats(self, tenant_id: str, ids: Sequence[str]) -> dict[str, Any]:
        i = interactions
        mine = (i.c.tenant_id == tenant_id) & i.c.customer_id.in_(list(ids))
        row = (
            await self.conn.execute(
                select(
                    func.count(), func.max(i.c.started_at), func.avg(i.c.csat), func.count(i.c.csat)
                ).where(mine)
            )
        ).one()
        last = (
            await self.conn.execute(
                select(i.c.channel).where(mine).order_by(i.c.started_at.desc()).limit(1)
            )
        ).first()
        channels = {
            str(c): int(n)
            for c, n in await self.conn.execute(
                select(i.c.channel, func.count()).where(mine).group_by(i.c.channel)
            )
        }
        return {
            "contacts": int(row[0]),
            "last_contact_at": row[1],
            "last_channel": last[0] if last else None,
            "channels": channels,
            "csat_average": round(float(row[2]), 2) if row[2] is not None else None,
            "csat_answers": int(row[3]),
        }

    async def contacts(
        self, tenant_id: str, ids: Sequence[str], limit: int
    ) -> list[dict[str, Any]]:
        i = interactions
        q = (
            select(
                i.c.id,
                i.c.channel,
                i.c.direction,
                i.c.started_at,
                i.c.ended_at,
                i.c.outcome,
                i.c.queue_id,
                i.c.agent_id,
                i.c.disposition,
                i.c.csat,
                i.c.csat_scale,
            )
            .where(i.c.tenant_id == tenant_id, i.c.customer_id.in_(list(ids)))
            .order_by(i.c.started_at.desc())
            .limit(limit)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def tickets(self, tenant_id: str, ids: Sequence[str], limit: int) -> list[dict[str, Any]]:
        t = tickets
        q = (
            select(
                t.c.id,
                t.c.number,
                t.c.subject,
                t.c.status,
                t.c.priority,
                t.c.department,
                t.c.category,
                t.c.created_at,
                t.c.resolved_at,
            )
            .where(t.c.tenant_id == tenant_id, t.c.customer_id.in_(list(ids)))
            .order_by(t.c.created_at.desc())
            .limit(limit)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def ticket_notes(
        self, tenant_id: str, ticket_ids: Sequence[str], limit: int
    ) -> list[dict[str, Any]]:
        if not ticket_ids:
            return []
        c = ticket_comments
        q = (
            select(c.c.id, c.c.ticket_id, c.c.body, c.c.from_customer, c.c.created_at)
            .where(c.c.tenant_id == tenant_id, c.c.ticket_id.in_(list(ticket_ids)), c.c.public)
            .order_by(c.c.created_at.desc())
            .limit(limit)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def mails_sent(
        self, tenant_id: str, ids: Sequence[str], limit: int
    ) -> list[dict[str, Any]]:
        """The mails sent to the customer (notices, replies), newest first."""
        m = mails
        q = (
            select(
                m.c.id, m.c.kind, m.c.subject, m.c.recipients, m.c.thread_key, m.c.ticket_id,
                m.c.at,
            )
            .where(m.c.tenant_id == tenant_id, m.c.customer_id.in_(list(ids)))
            .where(m.c.direction == "out")
            .order_by(m.c.at.desc())
            .limit(limit)
        )  # fmt: skip
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def merge(
        self, tenant_id: str, source_id: str, into_id: str, at: float, by: str | None
    ) -> None:
        """Identities, tags, custom values and VIP level join the survivor; contacts and
        tickets point to it; the merge is recorded (also for earlier merges into the source)
        and the duplicate's row goes."""
        source = await self.customer(tenant_id, source_id)
        into = await self.customer(tenant_id, into_id)
        assert source is not None
        assert into is not None
        for table, column in ((customer_phones, "raw"), (customer_emails, "email")):
            have = set(
                await self.conn.scalars(
                    select(table.c[column]).where(table.c.customer_id == into_id)
                )
            )
            for row in (
                (await self.conn.execute(select(table).where(table.c.customer_id == source_id)))
                .mappings()
                .all()
            ):
                if row[column] in have:
                    await self.conn.execute(delete(table).where(table.c.id == row["id"]))
                else:
                    await self.conn.execute(
                        update(table).where(table.c.id == row["id"]).values(customer_id=into_id)
                    )
        notes = into["notes"]
        if source["notes"] and source["notes"] not in notes:
            notes = f"{notes}\n{source['notes']}".strip()[:5000]
        await self.conn.execute(
            update(customers)
            .where(customers.c.id == into_id)
            .values(
                tags=list(dict.fromkeys([*into["tags"], *source["tags"]])),
                custom={**source["custom"], **into["custom"]},
                vip_level=max(int(into["vip_level"]), int(source["vip_level"])),
                organization_id=into["organization_id"] or source["organization_id"],
                notes=notes,
                updated_at=at,
            )
        )
        for table in (tickets, interactions):
            await self.conn.execute(
                update(table)
                .where(table.c.tenant_id == tenant_id, table.c.customer_id == source_id)
                .values(customer_id=into_id)
            )
        m = customer_merges
        await self.conn.execute(
            update(m)
            .where(m.c.tenant_id == tenant_id, m.c.into_id == source_id)
            .values(into_id=into_id)
        )
        upsert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        await self.conn.execute(
            upsert(m)
            .values(
                merged_id=source_id,
                tenant_id=tenant_id,
                into_id=into_id,
                merged_at=at,
                merged_by=by,
            )
            .on_conflict_do_nothing(index_elements=["merged_id"])
        )
        await self.conn.execute(
            delete(customers).where(customers.c.tenant_id == tenant_id, customers.c.id == source_id)
        )
