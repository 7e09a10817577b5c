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

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.events import EventRecord
from hotline.ids import PERSONAL_LINE
from hotline.store.tables import agent_segments, interactions, work_items, worklist

__all__ = ["HANDLERS", "MISSED_REASONS", "Handler"]

Handler = Callable[[AsyncConnection, EventRecord], Awaitable[None]]

MISSED_REASONS = ("abandoned", "voicemail", "callback_failed")

_OPEN_OUTCOMES = (None, "callback")  # still the queue's: waiting, or a callback kept in line


# == lookups ================================================================================


async def _contact(conn: AsyncConnection, r: EventRecord) -> Any:
    return (
        await conn.execute(
            select(interactions).where(
                interactions.c.tenant_id == r.tenant_id, interactions.c.id == r.interaction_id
            )
        )
    ).first()


async def _set_contact(conn: AsyncConnection, r: EventRecord, **values: Any) -> None:
    await conn.execute(
        update(interactions)
        .where(interactions.c.tenant_id == r.tenant_id, interactions.c.id == r.interaction_id)
        .values(**values)
    )


async def _work(conn: AsyncConnection, r: EventRecord, work_id: str | None) -> Any:
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


async def _set_work(conn: AsyncConnection, tenant_id: str, seq: int, **values: Any) -> None:
    await conn.execute(
        update(work_items)
        .where(work_items.c.tenant_id == tenant_id, work_items.c.seq == seq)
        .values(**values)
    )


async def _open_work(
    conn: AsyncConnection, r: EventRecord, *, queue_id: str | None, entered: bool
) -> Any:
    """The work item a routing record is about; opened here when the log has no entry for it
    (a rebuild that starts mid-contact, a record of a channel that skips the queue)."""
    work_id = r.payload.get("work_id") or r.interaction_id
    row = await _work(conn, r, work_id)
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
    return await _work(conn, r, work_id)


async def _segment(conn: AsyncConnection, r: EventRecord, agent_id: str | None) -> Any:
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


async def _set_segment(conn: AsyncConnection, row: Any, **values: Any) -> None:
    await conn.execute(
        update(agent_segments)
        .where(
            agent_segments.c.tenant_id == row.tenant_id,
            agent_segments.c.work_seq == row.work_seq,
            agent_segments.c.agent_id == row.agent_id,
        )
        .values(**values)
    )


def _queue(value: Any) -> str | None:
    return str(value) if value else None


# == the contact ============================================================================


async def created(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    if await _contact(conn, r) is not None:
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
    contact = await _contact(conn, r)
    if contact is None:
        return
    reason = p.get("reason")
    last = (
        await conn.execute(
            select(work_items.c.outcome, work_items.c.queue_id, work_items.c.wait_s)
            .where(
                work_items.c.tenant_id == r.tenant_id,
                work_items.c.interaction_id == r.interaction_id,
                work_items.c.queue_id != PERSONAL_LINE,
            )
            .order_by(work_items.c.seq.desc())
            .limit(1)
        )
    ).first()
    unanswered = contact.answered_at is None
    if reason == "ivr" and unanswered and last is not None and last.outcome == "abandoned":
        reason = "abandoned"  # version 1 ended a caller who gave up in line "in the IVR"
    await _set_contact(
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
            queue_id=last.queue_id if last is not None else _queue(p.get("queue_id")),
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
    contact = await _contact(conn, r)
    if contact is None:
        return
    await _set_contact(conn, r, voicemail=True)
    last = (
        await conn.execute(
            select(work_items.c.queue_id, work_items.c.wait_s)
            .where(
                work_items.c.tenant_id == r.tenant_id,
                work_items.c.interaction_id == r.interaction_id,
                work_items.c.queue_id != PERSONAL_LINE,
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
            queue_id=_queue(target) if target_kind == "queue" else None,
            target_agent_id=_queue(target) if target_kind == "agent" else None,
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
    queue_id = _queue(p.get("queue_id"))
    work_id = p.get("work_id") or r.interaction_id
    row = await _work(conn, r, work_id)
    values = {
        "queue_id": queue_id,
        "entered_at": r.at,
        "target_agent_id": p.get("target_agent_id") or (row.target_agent_id if row else None),
    }
    if row is not None and row.entered_at is None:  # made by its transfer or consultation
        await _set_work(conn, r.tenant_id, row.seq, **values)
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
    contact = await _contact(conn, r)
    if contact is not None and queue_id and queue_id != PERSONAL_LINE:
        queues = list(contact.queues or [])
        if queue_id not in queues:
            queues.append(queue_id)
        await _set_contact(conn, r, queues=queues, queue_id=contact.queue_id or queue_id)


async def offered(conn: AsyncConnection, r: EventRecord) -> None:
    row = await _open_work(conn, r, queue_id=_queue(r.payload.get("queue_id")), entered=True)
    await _set_work(conn, r.tenant_id, row.seq, offers=int(row.offers) + 1)


async def _left(conn: AsyncConnection, r: EventRecord, outcome: str, **more: Any) -> Any:
    row = await _open_work(conn, r, queue_id=_queue(r.payload.get("queue_id")), entered=True)
    wait = r.payload.get("wait_s")
    await _set_work(
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
    contact = await _contact(conn, r)
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
                queue_id=_queue(p.get("queue_id")) or row.queue_id,
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
    await _set_contact(
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
    contact = await _contact(conn, r)
    if contact is None:
        return
    wait = r.payload.get("wait_s")
    values: dict[str, Any] = {"abandoned": True}
    if contact.answered_at is None and wait is not None:
        values["wait_s"] = wait
    await _set_contact(conn, r, **values)


async def overflowed(conn: AsyncConnection, r: EventRecord) -> None:
    if r.payload.get("left_queue"):
        await _left(conn, r, "overflowed")


async def callback_requested(conn: AsyncConnection, r: EventRecord) -> None:
    row = await _open_work(conn, r, queue_id=_queue(r.payload.get("queue_id")), entered=True)
    await _set_work(conn, r.tenant_id, row.seq, outcome="callback", wait_s=r.payload.get("wait_s"))
    await _set_contact(conn, r, callback=True)


def _leaving(outcome: str) -> Handler:
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
            queue_id=_queue(p.get("queue_id")),
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
    await _set_contact(conn, r, transferred=True)
    segment = await _segment(conn, r, r.agent_id)
    if segment is not None:
        await _set_segment(conn, segment, ended_by="transfer")
    to_work = p.get("to_work_id")
    if not to_work:
        return
    existing = await _work(conn, r, to_work)
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
        await _set_work(conn, r.tenant_id, existing.seq, note=p.get("note"))


async def consult_started(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    await _set_contact(conn, r, consulted=True)
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
    row = await _work(conn, r, p.get("work_id"))
    if row is None:
        return
    values: dict[str, Any] = {}
    if row.result is None:
        values["result"] = p.get("result")
    if row.outcome in _OPEN_OUTCOMES and row.answered_at is None:
        values.update(outcome=p.get("result") or "cancelled", left_at=r.at)
    if values:
        await _set_work(conn, r.tenant_id, row.seq, **values)


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
        await _set_work(conn, r.tenant_id, row.seq, result="conference")


# == agent segments =========================================================================


async def agent_ended(conn: AsyncConnection, r: EventRecord) -> None:
    segment = await _segment(conn, r, r.agent_id)
    if segment is None:
        return
    hold = float(segment.hold_s)
    if segment.held_at is not None:
        hold += max(0.0, r.at - float(segment.held_at))
    if r.payload.get("hold_s") is not None:
        hold = float(r.payload["hold_s"])
    await _set_segment(
        conn, segment, ended_at=r.at, talk_s=r.payload.get("talk_s"), hold_s=hold, held_at=None
    )


async def wrap_up_ended(conn: AsyncConnection, r: EventRecord) -> None:
    segment = await _segment(conn, r, r.agent_id)
    if segment is not None:
        await _set_segment(
            conn, segment, wrap_up_s=r.payload.get("wrap_up_s"), wrap_up_ended_at=r.at
        )


async def wrap_up_overrun(conn: AsyncConnection, r: EventRecord) -> None:
    segment = await _segment(conn, r, r.agent_id)
    if segment is not None and segment.overrun_at is None:
        await _set_segment(conn, segment, overrun_at=r.at)


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
            await _set_segment(conn, segment, held_at=r.at)


async def resumed(conn: AsyncConnection, r: EventRecord) -> None:
    for segment in await _open_segments(conn, r):
        if segment.held_at is not None:
            hold = float(segment.hold_s) + max(0.0, r.at - float(segment.held_at))
            await _set_segment(conn, segment, hold_s=hold, held_at=None)


async def dispositioned(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    segment = await _segment(conn, r, r.agent_id)
    if segment is not None:
        await _set_segment(
            conn,
            segment,
            disposition=p.get("disposition"),
            category=p.get("category"),
            sale=p.get("sale"),
            notes=p.get("notes"),
            ticket_id=p.get("ticket_id"),
            dispositioned_at=r.at,
        )
    await _set_contact(conn, r, disposition=p.get("disposition"), notes=p.get("notes"))


async def survey_answered(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    segment = await _segment(conn, r, r.agent_id)
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
        await _set_segment(conn, segment, csat=rating, csat_scale=scale)
    await _set_contact(
        conn,
        r,
        csat=rating,
        csat_scale=scale,
        csat_agent_id=segment.agent_id if segment is not None else r.agent_id,
    )


def _flag(name: str) -> Handler:
    async def handle(conn: AsyncConnection, r: EventRecord) -> None:
        await _set_contact(conn, r, **{name: True})

    return handle


HANDLERS: dict[str, Handler] = {
    "interaction.created": created,
    "interaction.ended": ended,
    "interaction.transferred": transferred,
    "interaction.consult_started": consult_started,
    "interaction.consult_ended": consult_ended,
    "interaction.dispositioned": dispositioned,
    "interaction.followed_up": followed_up,
    "queue.entered": entered,
    "queue.rejected": rejected,
    "queue.offered": offered,
    "queue.answered": answered,
    "queue.abandoned": abandoned,
    "queue.overflowed": overflowed,
    "queue.callback_requested": callback_requested,
    "queue.callback_failed": _leaving("callback_failed"),
    "queue.exited": _leaving("exited"),
    "agent.interaction_ended": agent_ended,
    "agent.wrap_up_ended": wrap_up_ended,
    "agent.wrap_up_overrun": wrap_up_overrun,
    "call.held": held,
    "call.resumed": resumed,
    "call.conferenced": conferenced,
    "flow.survey_answered": survey_answered,
    "voicemail.recorded": voicemail_recorded,
    "recording.stopped": _flag("recorded"),
}
"""Record type → handler. Records without an interaction id are not the contacts'."""
