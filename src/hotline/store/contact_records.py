"""How each version-2 record moves the contact projections (ADR 0065): the contacts list, a
contact's work items (queue visits and routings to one agent) and agent segments, and the
worklist of missed contacts.

One handler per event type, applied in seq order inside the projector's transaction. The rules
that keep version-1 logs right (converted on read, `store/upcast.py`) live here too, because
they need what the projection already knows:

- version 1 reused the contact id as the work item of every visit, so a queue entry for a work
  id that already left a queue opens a new visit, and an agent's event goes to the latest visit
  that agent answered;
- a wrap-up without its agent's segment under that work id goes to the agent's latest segment
  of the contact (a consulted agent wrapped up on the customer's contact);
- a survey without an agent goes to the contact's last answered segment;
- a contact that ended "in the IVR" right after its caller gave up in a queue is abandoned.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.events import EventRecord
from hotline.routing import PERSONAL_QUEUE
from hotline.store import work_records as work
from hotline.store.contact_rows import (
    Handler,
    contact_row,
    queue_id_of,
    segment_of,
    set_contact,
    set_segment,
)
from hotline.store.tables import agent_segments, interactions, work_items, worklist

__all__ = ["HANDLERS", "MISSED_REASONS"]

MISSED_REASONS = ("abandoned", "voicemail", "callback_failed")


# == the contact ============================================================================


async def created(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    if await contact_row(conn, r) is not None:
        return
    related = p.get("related_interaction_id")
    await conn.execute(
        insert(interactions).values(
            id=r.interaction_id,
            tenant_id=r.tenant_id,
            channel=p.get("channel") or "voice",
            direction=p.get("direction") or "inbound",
            origin=p.get("origin"),
            caller_number=p.get("caller_number"),
            caller_name=p.get("caller_name"),
            did=p.get("did"),
            customer_id=p.get("customer_id"),
            vip_level=p.get("vip_level"),
            flow=p.get("flow"),
            related_interaction_id=related,
            queues=[],
            agents=[],
            segments=0,
            started_at=r.at,
            abandoned=False,
            voicemail=False,
            callback=False,
            transferred=False,
            consulted=False,
            recorded=False,
        )
    )
    if related:
        missed = (
            await conn.execute(
                select(worklist.c.callbacks).where(
                    worklist.c.tenant_id == r.tenant_id, worklist.c.interaction_id == related
                )
            )
        ).first()
        if missed is not None:
            await conn.execute(
                update(worklist)
                .where(worklist.c.tenant_id == r.tenant_id, worklist.c.interaction_id == related)
                .values(
                    callbacks=int(missed.callbacks) + 1,
                    last_callback_id=r.interaction_id,
                    last_callback_at=r.at,
                )
            )


async def ended(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    contact = await contact_row(conn, r)
    if contact is None:
        return
    reason = p.get("reason")
    last = (
        await conn.execute(
            select(work_items.c.outcome, work_items.c.queue_id, work_items.c.wait_s)
            .where(
                work_items.c.tenant_id == r.tenant_id,
                work_items.c.interaction_id == r.interaction_id,
                work_items.c.queue_id != PERSONAL_QUEUE,
            )
            .order_by(work_items.c.seq.desc())
            .limit(1)
        )
    ).first()
    unanswered = contact.answered_at is None
    if reason == "ivr" and unanswered and last is not None and last.outcome == "abandoned":
        reason = "abandoned"  # version 1 ended a caller who gave up in line "in the IVR"
    await set_contact(
        conn,
        r,
        ended_at=r.at,
        outcome=reason,
        cause=p.get("cause"),
        talk_s=p.get("talk_s"),
        hold_s=p.get("hold_s"),
        total_s=p.get("total_s"),
        abandoned=bool(contact.abandoned) or reason == "abandoned",
    )
    if unanswered and reason in ("abandoned", "callback_failed"):
        await _miss(
            conn,
            r,
            contact,
            reason=str(reason),
            queue_id=last.queue_id if last is not None else queue_id_of(p.get("queue_id")),
            wait_s=last.wait_s if last is not None else p.get("queue_s"),
        )
    if contact.related_interaction_id and p.get("answered"):
        await _follow_up(
            conn, r, str(contact.related_interaction_id), by=contact.agent_id, how="called_back"
        )


async def _miss(
    conn: AsyncConnection,
    r: EventRecord,
    contact: Any,
    *,
    reason: str,
    queue_id: str | None,
    wait_s: Any,
    recording_id: str | None = None,
) -> None:
    exists = await conn.scalar(
        select(worklist.c.interaction_id).where(
            worklist.c.tenant_id == r.tenant_id, worklist.c.interaction_id == r.interaction_id
        )
    )
    if exists:
        return
    await conn.execute(
        insert(worklist).values(
            tenant_id=r.tenant_id,
            interaction_id=r.interaction_id,
            queue_id=queue_id,
            reason=reason,
            missed_at=r.at,
            wait_s=wait_s,
            caller_number=contact.caller_number,
            customer_id=contact.customer_id,
            recording_id=recording_id,
            callbacks=0,
            followed_up_at=contact.followed_up_at,
        )
    )


async def _follow_up(
    conn: AsyncConnection, r: EventRecord, interaction_id: str, *, by: str | None, how: str
) -> None:
    await conn.execute(
        update(worklist)
        .where(
            worklist.c.tenant_id == r.tenant_id,
            worklist.c.interaction_id == interaction_id,
            worklist.c.followed_up_at.is_(None),
        )
        .values(followed_up_at=r.at, followed_up_by=by, follow_up=how)
    )
    await conn.execute(
        update(interactions)
        .where(
            interactions.c.tenant_id == r.tenant_id,
            interactions.c.id == interaction_id,
            interactions.c.followed_up_at.is_(None),
        )
        .values(followed_up_at=r.at)
    )


async def followed_up(conn: AsyncConnection, r: EventRecord) -> None:
    by = r.agent_id or r.payload.get("by")
    await _follow_up(conn, r, str(r.interaction_id), by=by, how="marked")


async def voicemail_recorded(conn: AsyncConnection, r: EventRecord) -> None:
    contact = await contact_row(conn, r)
    if contact is None:
        return
    await set_contact(conn, r, voicemail=True)
    last = (
        await conn.execute(
            select(work_items.c.queue_id, work_items.c.wait_s)
            .where(
                work_items.c.tenant_id == r.tenant_id,
                work_items.c.interaction_id == r.interaction_id,
                work_items.c.queue_id != PERSONAL_QUEUE,
            )
            .order_by(work_items.c.seq.desc())
            .limit(1)
        )
    ).first()
    await _miss(
        conn,
        r,
        contact,
        reason="voicemail",
        queue_id=last.queue_id if last is not None else None,
        wait_s=last.wait_s if last is not None else None,
        recording_id=r.payload.get("recording_id"),
    )


async def dispositioned(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    # The agent's "resolved?" answer: the latest one given counts (as in the facts, ADR 0172);
    # a wrap-up saved again without an answer keeps the earlier one.
    mark = {} if p.get("resolved") is None else {"resolved": bool(p["resolved"])}
    segment = await segment_of(conn, r, r.agent_id)
    if segment is not None:
        await set_segment(
            conn,
            segment,
            disposition=p.get("disposition"),
            category=p.get("category"),
            sale=p.get("sale"),
            notes=p.get("notes"),
            ticket_id=p.get("ticket_id"),
            dispositioned_at=r.at,
            **mark,
        )
    await set_contact(conn, r, disposition=p.get("disposition"), notes=p.get("notes"), **mark)


async def survey_answered(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    segment = await segment_of(conn, r, r.agent_id)
    if segment is None:  # version 1 named no agent: the contact's last answered segment
        segment = (
            await conn.execute(
                select(agent_segments)
                .where(
                    agent_segments.c.tenant_id == r.tenant_id,
                    agent_segments.c.interaction_id == r.interaction_id,
                )
                .order_by(agent_segments.c.answered_at.desc(), agent_segments.c.work_seq.desc())
                .limit(1)
            )
        ).first()
    rating, scale = p.get("rating"), p.get("scale")
    if segment is not None:
        await set_segment(conn, segment, csat=rating, csat_scale=scale)
    await set_contact(
        conn,
        r,
        csat=rating,
        csat_scale=scale,
        csat_agent_id=segment.agent_id if segment is not None else r.agent_id,
    )


def _flag(name: str) -> Handler:
    async def handle(conn: AsyncConnection, r: EventRecord) -> None:
        await set_contact(conn, r, **{name: True})

    return handle


HANDLERS: dict[str, Handler] = {
    "interaction.created": created,
    "interaction.ended": ended,
    "interaction.transferred": work.transferred,
    "interaction.consult_started": work.consult_started,
    "interaction.consult_ended": work.consult_ended,
    "interaction.dispositioned": dispositioned,
    "interaction.followed_up": followed_up,
    "queue.entered": work.entered,
    "queue.rejected": work.rejected,
    "queue.offered": work.offered,
    "queue.answered": work.answered,
    "queue.abandoned": work.abandoned,
    "queue.overflowed": work.overflowed,
    "queue.callback_requested": work.callback_requested,
    "queue.callback_failed": work.leaving("callback_failed"),
    "queue.exited": work.leaving("exited"),
    "agent.interaction_ended": work.agent_ended,
    "agent.wrap_up_ended": work.wrap_up_ended,
    "agent.wrap_up_overrun": work.wrap_up_overrun,
    "call.held": work.held,
    "call.resumed": work.resumed,
    "call.conferenced": work.conferenced,
    "flow.survey_answered": survey_answered,
    "voicemail.recorded": voicemail_recorded,
    "recording.stopped": _flag("recorded"),
}
"""Record type → handler. Records without an interaction id are not the contacts'."""
