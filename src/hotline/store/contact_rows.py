"""Row lookups shared by the contact projection's handlers (`contact_records.py`,
`work_records.py`): a contact, the latest visit of a work item, an agent's segment."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.events import EventRecord
from hotline.store.tables import agent_segments, interactions, work_items

__all__ = [
    "OPEN_OUTCOMES",
    "Handler",
    "contact_row",
    "latest_work",
    "queue_id_of",
    "segment_of",
    "set_contact",
    "set_segment",
    "set_work",
    "work_of",
]

Handler = Callable[[AsyncConnection, EventRecord], Awaitable[None]]

OPEN_OUTCOMES = (None, "callback")  # still the queue's: waiting, or a callback kept in line


# == lookups ================================================================================


async def contact_row(conn: AsyncConnection, r: EventRecord) -> Any:
    return (
        await conn.execute(
            select(interactions).where(
                interactions.c.tenant_id == r.tenant_id, interactions.c.id == r.interaction_id
            )
        )
    ).first()


async def set_contact(conn: AsyncConnection, r: EventRecord, **values: Any) -> None:
    await conn.execute(
        update(interactions)
        .where(interactions.c.tenant_id == r.tenant_id, interactions.c.id == r.interaction_id)
        .values(**values)
    )


async def latest_work(conn: AsyncConnection, r: EventRecord, work_id: str | None) -> Any:
    """The latest visit of a work item (version 1: the latest visit of the contact)."""
    if not work_id:
        return None
    return (
        await conn.execute(
            select(work_items)
            .where(work_items.c.tenant_id == r.tenant_id, work_items.c.work_id == work_id)
            .order_by(work_items.c.seq.desc())
            .limit(1)
        )
    ).first()


async def set_work(conn: AsyncConnection, tenant_id: str, seq: int, **values: Any) -> None:
    await conn.execute(
        update(work_items)
        .where(work_items.c.tenant_id == tenant_id, work_items.c.seq == seq)
        .values(**values)
    )


async def work_of(
    conn: AsyncConnection, r: EventRecord, *, queue_id: str | None, entered: bool
) -> Any:
    """The work item a routing record is about; opened here when the log has no entry for it
    (a rebuild that starts mid-contact, a record of a channel that skips the queue)."""
    work_id = r.payload.get("work_id") or r.interaction_id
    row = await latest_work(conn, r, work_id)
    if row is not None:
        return row
    wait = float(r.payload.get("wait_s") or 0.0)
    await conn.execute(
        insert(work_items).values(
            tenant_id=r.tenant_id,
            seq=r.seq,
            work_id=work_id,
            interaction_id=r.interaction_id,
            queue_id=queue_id,
            via="flow",
            created_at=r.at - wait,
            entered_at=r.at - wait if entered else None,
            offers=0,
            callback=False,
        )
    )
    return await latest_work(conn, r, work_id)


async def segment_of(conn: AsyncConnection, r: EventRecord, agent_id: str | None) -> Any:
    """The agent's segment of the record's work item, else its latest segment of the contact."""
    if not agent_id:
        return None
    work_id = r.payload.get("work_id")
    base = select(agent_segments).where(
        agent_segments.c.tenant_id == r.tenant_id, agent_segments.c.agent_id == agent_id
    )
    if work_id:
        row = (
            await conn.execute(
                base.where(agent_segments.c.work_id == work_id)
                .order_by(agent_segments.c.work_seq.desc())
                .limit(1)
            )
        ).first()
        if row is not None:
            return row
    return (
        await conn.execute(
            base.where(agent_segments.c.interaction_id == r.interaction_id)
            .order_by(agent_segments.c.answered_at.desc(), agent_segments.c.work_seq.desc())
            .limit(1)
        )
    ).first()


async def set_segment(conn: AsyncConnection, row: Any, **values: Any) -> None:
    await conn.execute(
        update(agent_segments)
        .where(
            agent_segments.c.tenant_id == row.tenant_id,
            agent_segments.c.work_seq == row.work_seq,
            agent_segments.c.agent_id == row.agent_id,
        )
        .values(**values)
    )


def queue_id_of(value: Any) -> str | None:
    return str(value) if value else None
