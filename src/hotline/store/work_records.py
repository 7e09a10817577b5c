"""How routing, transfer, consultation and agent records move a contact's work items (queue
visits and routings to one agent) and agent segments (ADR 0065; rules for version-1 logs in
`contact_records.py`'s docstring)."""

from __future__ import annotations

from typing import Any

from hotline.events import EventRecord
from hotline.routing import is_personal
from hotline.store.contact_batch import ContactBatch, Row
from hotline.store.contact_rows import (
    OPEN_OUTCOMES,
    Handler,
    contact_row,
    latest_work,
    latest_work_of_contact,
    queue_id_of,
    segment_of,
    set_contact,
    set_segment,
    set_work,
    work_of,
)

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


def _placeholder(
    b: ContactBatch,
    r: EventRecord,
    work_id: str,
    *,
    via: str,
    target: Any,
    target_kind: Any,
) -> None:
    """The work item a transfer or a consultation creates, before the router takes it."""
    b.work.add(
        dict(
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


def entered(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    queue_id = queue_id_of(p.get("queue_id"))
    work_id = p.get("work_id") or r.interaction_id
    row = latest_work(b, r, work_id)
    values = {
        "queue_id": queue_id,
        "entered_at": r.at,
        "target_agent_id": p.get("target_agent_id") or (row.target_agent_id if row else None),
    }
    if row is not None and row.entered_at is None:  # made by its transfer or consultation
        set_work(b, r.tenant_id, row.seq, **values)
    else:
        b.work.add(
            dict(
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
    contact = contact_row(b, r)
    if contact is not None and queue_id and not is_personal(queue_id):
        queues = list(contact.queues or [])
        if queue_id not in queues:
            queues.append(queue_id)
        set_contact(b, r, queues=queues, queue_id=contact.queue_id or queue_id)


def offered(b: ContactBatch, r: EventRecord) -> None:
    row = work_of(b, r, queue_id=queue_id_of(r.payload.get("queue_id")), entered=True)
    set_work(b, r.tenant_id, row.seq, offers=int(row.offers) + 1)


def _left(b: ContactBatch, r: EventRecord, outcome: str, **more: Any) -> Any:
    row = work_of(b, r, queue_id=queue_id_of(r.payload.get("queue_id")), entered=True)
    wait = r.payload.get("wait_s")
    set_work(
        b,
        r.tenant_id,
        row.seq,
        outcome=outcome,
        left_at=r.at,
        wait_s=wait if wait is not None else row.wait_s,
        **more,
    )
    return row


def answered(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    callback = bool(p.get("callback"))
    row = _left(b, r, "answered", answered_at=r.at, agent_id=r.agent_id, callback=callback)
    contact = contact_row(b, r)
    if r.agent_id is None:
        return
    exists = b.segments.get(r.tenant_id, row.seq, r.agent_id) is not None
    if not exists:
        b.segments.add(
            dict(
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
    set_contact(
        b,
        r,
        agent_id=r.agent_id,
        agents=agents,
        segments=int(contact.segments) + (0 if exists else 1),
        answered_at=contact.answered_at if not first else r.at,
        wait_s=p.get("wait_s") if first else contact.wait_s,
    )


def abandoned(b: ContactBatch, r: EventRecord) -> None:
    _left(b, r, "abandoned")
    contact = contact_row(b, r)
    if contact is None:
        return
    wait = r.payload.get("wait_s")
    values: dict[str, Any] = {"abandoned": True}
    if contact.answered_at is None and wait is not None:
        values["wait_s"] = wait
    set_contact(b, r, **values)


def overflowed(b: ContactBatch, r: EventRecord) -> None:
    if r.payload.get("left_queue"):
        _left(b, r, "overflowed")


def callback_requested(b: ContactBatch, r: EventRecord) -> None:
    row = work_of(b, r, queue_id=queue_id_of(r.payload.get("queue_id")), entered=True)
    set_work(b, r.tenant_id, row.seq, outcome="callback", wait_s=r.payload.get("wait_s"))
    set_contact(b, r, callback=True)


def leaving(outcome: str) -> Handler:
    def handle(b: ContactBatch, r: EventRecord) -> None:
        _left(b, r, outcome)

    return handle


def rejected(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    b.work.add(
        dict(
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


def transferred(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    set_contact(b, r, transferred=True)
    segment = segment_of(b, r, r.agent_id)
    if segment is not None:  # after its agent.interaction_ended: say how it ended
        ended_by = "consult" if p.get("kind") == "consult" else "transfer"
        set_segment(b, segment, ended_by=ended_by)
    to_work = p.get("to_work_id")
    if not to_work:
        return
    existing = latest_work(b, r, to_work)
    if existing is None or to_work == p.get("work_id"):
        _placeholder(
            b,
            r,
            str(to_work),
            via="transfer",
            target=p.get("target"),
            target_kind=p.get("target_kind"),
        )
    elif existing.note is None and p.get("note"):
        set_work(b, r.tenant_id, existing.seq, note=p.get("note"))


def consult_started(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    set_contact(b, r, consulted=True)
    if p.get("work_id"):
        _placeholder(
            b,
            r,
            str(p["work_id"]),
            via="consult",
            target=p.get("target"),
            target_kind=p.get("target_kind"),
        )


def consult_ended(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    row = latest_work(b, r, p.get("work_id"))
    if row is None:
        return
    values: dict[str, Any] = {}
    if row.result is None:
        values["result"] = p.get("result")
    if row.outcome in OPEN_OUTCOMES and row.answered_at is None:
        values.update(outcome=p.get("result") or "cancelled", left_at=r.at)
    if values:
        set_work(b, r.tenant_id, row.seq, **values)


def conferenced(b: ContactBatch, r: EventRecord) -> None:
    """Version 1 said "three-way call" only here: its consultation ended `completed`."""
    row = latest_work_of_contact(b, r, via="consult")
    if row is not None:
        set_work(b, r.tenant_id, row.seq, result="conference")


# == agent segments =========================================================================


def agent_ended(b: ContactBatch, r: EventRecord) -> None:
    segment = segment_of(b, r, r.agent_id)
    if segment is None:
        return
    hold = float(segment.hold_s)
    if segment.held_at is not None:
        hold += max(0.0, r.at - float(segment.held_at))
    if r.payload.get("hold_s") is not None:
        hold = float(r.payload["hold_s"])
    set_segment(
        b,
        segment,
        ended_at=r.at,
        talk_s=r.payload.get("talk_s"),
        hold_s=hold,
        held_at=None,
        ended_by=segment.ended_by or "hangup",  # a transfer's record says otherwise after
    )


def wrap_up_ended(b: ContactBatch, r: EventRecord) -> None:
    segment = segment_of(b, r, r.agent_id)
    if segment is not None:
        set_segment(b, segment, wrap_up_s=r.payload.get("wrap_up_s"), wrap_up_ended_at=r.at)


def wrap_up_overrun(b: ContactBatch, r: EventRecord) -> None:
    segment = segment_of(b, r, r.agent_id)
    if segment is not None and segment.overrun_at is None:
        set_segment(b, segment, overrun_at=r.at)


def _open_segments(b: ContactBatch, r: EventRecord) -> list[Row]:
    open_ = [s for s in b.segments.by("interaction_id", r.interaction_id) if s.ended_at is None]
    return sorted(open_, key=lambda s: (s.answered_at, s.work_seq))


def held(b: ContactBatch, r: EventRecord) -> None:
    """Hold time belongs to the agent who held (version 1 names none: the contact's first
    connected agent, who is the one that can hold)."""
    open_ = _open_segments(b, r)
    mine = [s for s in open_ if s.agent_id == r.agent_id] or open_[:1]
    for segment in mine:
        if segment.held_at is None:
            set_segment(b, segment, held_at=r.at)


def resumed(b: ContactBatch, r: EventRecord) -> None:
    for segment in _open_segments(b, r):
        if segment.held_at is not None:
            hold = float(segment.hold_s) + max(0.0, r.at - float(segment.held_at))
            set_segment(b, segment, hold_s=hold, held_at=None)
