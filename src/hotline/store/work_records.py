"""How routing, transfer, consultation and agent records move a contact's work items (queue
visits and routings to one agent) and agent segments (ADR 0065; rules for version-1 logs in
`contact_records.py`'s docstring)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.events import EventRecord
from hotline.routing import is_personal
from hotline.store.contact_rows import (
    OPEN_OUTCOMES,
    Handler,
    contact_row,
    latest_work,
    queue_id_of,
    segment_of,
    set_contact,
    set_segment,
    set_work,
    work_of,
)
from hotline.store.tables import agent_segments, work_items

__all__ = [
    "abandoned",
    "agent_ended",
    "answered",
    "callback_requested",
    "conferenced",
    "consult_ended",
    "consult_started",
    "entered",
    "held",
    "leaving",
    "offered",
    "overflowed",
    "rejected",
    "resumed",
    "transferred",
    "wrap_up_ended",
    "wrap_up_overrun",
]


# == work items =============================================================================


async def _placeholder(
    conn: AsyncConnection,
    r: EventRecord,
    work_id: str,
    *,
    via: str,
    target: Any,
    target_kind: Any,
) -> None:
    """The work item a transfer or a consultation creates, before the router takes it."""
    await conn.execute(
        insert(work_items).values(
            tenant_id=r.tenant_id,
            seq=r.seq,
            work_id=work_id,
            interaction_id=r.interaction_id,
            queue_id=queue_id_of(target) if target_kind == "queue" else None,
            target_agent_id=queue_id_of(target) if target_kind == "agent" else None,
            via=via,
            from_work_id=r.payload.get("from_work_id") or r.payload.get("work_id"),
            note=r.payload.get("note"),
            created_at=r.at,
            offers=0,
            callback=False,
        )
    )


def _again(row: Any) -> str:
    """How a work item came back to a queue (version 1 kept its id): overflowed out of one
    queue into another, or transferred; a first entry comes from the flow."""
    if row is None:
        return "flow"
    return "overflow" if row.outcome == "overflowed" else "transfer"


async def entered(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    queue_id = queue_id_of(p.get("queue_id"))
    work_id = p.get("work_id") or r.interaction_id
    row = await latest_work(conn, r, work_id)
    values = {
        "queue_id": queue_id,
        "entered_at": r.at,
        "target_agent_id": p.get("target_agent_id") or (row.target_agent_id if row else None),
    }
    if row is not None and row.entered_at is None:  # made by its transfer or consultation
        await set_work(conn, r.tenant_id, row.seq, **values)
    else:
        await conn.execute(
            insert(work_items).values(
                tenant_id=r.tenant_id,
                seq=r.seq,
                work_id=work_id,
                interaction_id=r.interaction_id,
                via=_again(row),
                from_work_id=work_id if row is not None else None,
                created_at=r.at,
                offers=0,
                callback=False,
                **values,
            )
        )
    contact = await contact_row(conn, r)
    if contact is not None and queue_id and not is_personal(queue_id):
        queues = list(contact.queues or [])
        if queue_id not in queues:
            queues.append(queue_id)
        await set_contact(conn, r, queues=queues, queue_id=contact.queue_id or queue_id)


async def offered(conn: AsyncConnection, r: EventRecord) -> None:
    row = await work_of(conn, r, queue_id=queue_id_of(r.payload.get("queue_id")), entered=True)
    await set_work(conn, r.tenant_id, row.seq, offers=int(row.offers) + 1)


async def _left(conn: AsyncConnection, r: EventRecord, outcome: str, **more: Any) -> Any:
    row = await work_of(conn, r, queue_id=queue_id_of(r.payload.get("queue_id")), entered=True)
    wait = r.payload.get("wait_s")
    await set_work(
        conn,
        r.tenant_id,
        row.seq,
        outcome=outcome,
        left_at=r.at,
        wait_s=wait if wait is not None else row.wait_s,
        **more,
    )
    return row


async def answered(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    callback = bool(p.get("callback"))
    row = await _left(conn, r, "answered", answered_at=r.at, agent_id=r.agent_id, callback=callback)
    contact = await contact_row(conn, r)
    if r.agent_id is None:
        return
    exists = await conn.scalar(
        select(agent_segments.c.work_seq).where(
            agent_segments.c.tenant_id == r.tenant_id,
            agent_segments.c.work_seq == row.seq,
            agent_segments.c.agent_id == r.agent_id,
        )
    )
    if not exists:
        await conn.execute(
            insert(agent_segments).values(
                tenant_id=r.tenant_id,
                work_seq=row.seq,
                agent_id=r.agent_id,
                work_id=row.work_id,
                interaction_id=r.interaction_id,
                queue_id=queue_id_of(p.get("queue_id")) or row.queue_id,
                answered_at=r.at,
                hold_s=0.0,
            )
        )
    if contact is None:
        return
    agents = list(contact.agents or [])
    if r.agent_id not in agents:
        agents.append(r.agent_id)
    first = contact.answered_at is None
    await set_contact(
        conn,
        r,
        agent_id=r.agent_id,
        agents=agents,
        segments=int(contact.segments) + (0 if exists else 1),
        answered_at=contact.answered_at if not first else r.at,
        wait_s=p.get("wait_s") if first else contact.wait_s,
    )


async def abandoned(conn: AsyncConnection, r: EventRecord) -> None:
    await _left(conn, r, "abandoned")
    contact = await contact_row(conn, r)
    if contact is None:
        return
    wait = r.payload.get("wait_s")
    values: dict[str, Any] = {"abandoned": True}
    if contact.answered_at is None and wait is not None:
        values["wait_s"] = wait
    await set_contact(conn, r, **values)


async def overflowed(conn: AsyncConnection, r: EventRecord) -> None:
    if r.payload.get("left_queue"):
        await _left(conn, r, "overflowed")


async def callback_requested(conn: AsyncConnection, r: EventRecord) -> None:
    row = await work_of(conn, r, queue_id=queue_id_of(r.payload.get("queue_id")), entered=True)
    await set_work(conn, r.tenant_id, row.seq, outcome="callback", wait_s=r.payload.get("wait_s"))
    await set_contact(conn, r, callback=True)


def leaving(outcome: str) -> Handler:
    async def handle(conn: AsyncConnection, r: EventRecord) -> None:
        await _left(conn, r, outcome)

    return handle


async def rejected(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    await conn.execute(
        insert(work_items).values(
            tenant_id=r.tenant_id,
            seq=r.seq,
            work_id=p.get("work_id") or r.interaction_id,
            interaction_id=r.interaction_id,
            queue_id=queue_id_of(p.get("queue_id")),
            via="flow",
            created_at=r.at,
            left_at=r.at,
            offers=0,
            outcome="rejected",
            callback=False,
        )
    )


# == transfers and consultations ============================================================


async def transferred(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    await set_contact(conn, r, transferred=True)
    segment = await segment_of(conn, r, r.agent_id)
    if segment is not None:  # after its agent.interaction_ended: say how it ended
        ended_by = "consult" if p.get("kind") == "consult" else "transfer"
        await set_segment(conn, segment, ended_by=ended_by)
    to_work = p.get("to_work_id")
    if not to_work:
        return
    existing = await latest_work(conn, r, to_work)
    if existing is None or to_work == p.get("work_id"):
        await _placeholder(
            conn,
            r,
            str(to_work),
            via="transfer",
            target=p.get("target"),
            target_kind=p.get("target_kind"),
        )
    elif existing.note is None and p.get("note"):
        await set_work(conn, r.tenant_id, existing.seq, note=p.get("note"))


async def consult_started(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    await set_contact(conn, r, consulted=True)
    if p.get("work_id"):
        await _placeholder(
            conn,
            r,
            str(p["work_id"]),
            via="consult",
            target=p.get("target"),
            target_kind=p.get("target_kind"),
        )


async def consult_ended(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    row = await latest_work(conn, r, p.get("work_id"))
    if row is None:
        return
    values: dict[str, Any] = {}
    if row.result is None:
        values["result"] = p.get("result")
    if row.outcome in OPEN_OUTCOMES and row.answered_at is None:
        values.update(outcome=p.get("result") or "cancelled", left_at=r.at)
    if values:
        await set_work(conn, r.tenant_id, row.seq, **values)


async def conferenced(conn: AsyncConnection, r: EventRecord) -> None:
    """Version 1 said "three-way call" only here: its consultation ended `completed`."""
    row = (
        await conn.execute(
            select(work_items.c.seq)
            .where(
                work_items.c.tenant_id == r.tenant_id,
                work_items.c.interaction_id == r.interaction_id,
                work_items.c.via == "consult",
            )
            .order_by(work_items.c.seq.desc())
            .limit(1)
        )
    ).first()
    if row is not None:
        await set_work(conn, r.tenant_id, row.seq, result="conference")


# == agent segments =========================================================================


async def agent_ended(conn: AsyncConnection, r: EventRecord) -> None:
    segment = await segment_of(conn, r, r.agent_id)
    if segment is None:
        return
    hold = float(segment.hold_s)
    if segment.held_at is not None:
        hold += max(0.0, r.at - float(segment.held_at))
    if r.payload.get("hold_s") is not None:
        hold = float(r.payload["hold_s"])
    await set_segment(
        conn,
        segment,
        ended_at=r.at,
        talk_s=r.payload.get("talk_s"),
        hold_s=hold,
        held_at=None,
        ended_by=segment.ended_by or "hangup",  # a transfer's record says otherwise after
    )


async def wrap_up_ended(conn: AsyncConnection, r: EventRecord) -> None:
    segment = await segment_of(conn, r, r.agent_id)
    if segment is not None:
        await set_segment(
            conn, segment, wrap_up_s=r.payload.get("wrap_up_s"), wrap_up_ended_at=r.at
        )


async def wrap_up_overrun(conn: AsyncConnection, r: EventRecord) -> None:
    segment = await segment_of(conn, r, r.agent_id)
    if segment is not None and segment.overrun_at is None:
        await set_segment(conn, segment, overrun_at=r.at)


async def _open_segments(conn: AsyncConnection, r: EventRecord) -> list[Any]:
    return list(
        await conn.execute(
            select(agent_segments)
            .where(
                agent_segments.c.tenant_id == r.tenant_id,
                agent_segments.c.interaction_id == r.interaction_id,
                agent_segments.c.ended_at.is_(None),
            )
            .order_by(agent_segments.c.answered_at, agent_segments.c.work_seq)
        )
    )


async def held(conn: AsyncConnection, r: EventRecord) -> None:
    """Hold time belongs to the agent who held (version 1 names none: the contact's first
    connected agent, who is the one that can hold)."""
    open_ = await _open_segments(conn, r)
    mine = [s for s in open_ if s.agent_id == r.agent_id] or open_[:1]
    for segment in mine:
        if segment.held_at is None:
            await set_segment(conn, segment, held_at=r.at)


async def resumed(conn: AsyncConnection, r: EventRecord) -> None:
    for segment in await _open_segments(conn, r):
        if segment.held_at is not None:
            hold = float(segment.hold_s) + max(0.0, r.at - float(segment.held_at))
            await set_segment(conn, segment, hold_s=hold, held_at=None)
