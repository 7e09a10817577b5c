"""How each version-2 record moves the contact projections (ADR 0065): the contacts list, a
contact's work items (queue visits and routings to one agent) and agent segments, and the
worklist of missed contacts.

One handler per event type, applied in seq order to the rows of the projector's batch
(`store/contact_batch.py`), which are written in one transaction. The rules
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

from hotline.events import EventRecord
from hotline.routing import PERSONAL_QUEUE
from hotline.store import work_records as work
from hotline.store.contact_batch import ContactBatch
from hotline.store.contact_rows import (
    Handler,
    contact_row,
    latest_segment_of_contact,
    latest_work_of_contact,
    queue_id_of,
    segment_of,
    set_contact,
    set_segment,
)

__all__ = ["HANDLERS", "MISSED_REASONS"]

MISSED_REASONS = ("abandoned", "voicemail", "callback_failed")


# == the contact ============================================================================


def created(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    if contact_row(b, r) is not None:
        return
    related = p.get("related_interaction_id")
    b.contacts.add(
        dict(
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
        missed = b.missed.get(r.tenant_id, related)
        if missed is not None:
            b.missed.set(
                missed,
                dict(
                    callbacks=int(missed.callbacks) + 1,
                    last_callback_id=r.interaction_id,
                    last_callback_at=r.at,
                ),
            )


def ended(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    contact = contact_row(b, r)
    if contact is None:
        return
    reason = p.get("reason")
    last = latest_work_of_contact(b, r, queue_id_not=PERSONAL_QUEUE)
    unanswered = contact.answered_at is None
    if reason == "ivr" and unanswered and last is not None and last.outcome == "abandoned":
        reason = "abandoned"  # version 1 ended a caller who gave up in line "in the IVR"
    set_contact(
        b,
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
        _miss(
            b,
            r,
            contact,
            reason=str(reason),
            queue_id=last.queue_id if last is not None else queue_id_of(p.get("queue_id")),
            wait_s=last.wait_s if last is not None else p.get("queue_s"),
        )
    if contact.related_interaction_id and p.get("answered"):
        related = str(contact.related_interaction_id)
        _follow_up(b, r, related, by=contact.agent_id, how="called_back")


def _miss(
    b: ContactBatch,
    r: EventRecord,
    contact: Any,
    *,
    reason: str,
    queue_id: str | None,
    wait_s: Any,
    recording_id: str | None = None,
) -> None:
    if b.missed.get(r.tenant_id, r.interaction_id) is not None:
        return
    b.missed.add(
        dict(
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


def _follow_up(
    b: ContactBatch, r: EventRecord, interaction_id: str, *, by: str | None, how: str
) -> None:
    missed = b.missed.get(r.tenant_id, interaction_id)
    if missed is not None and missed.followed_up_at is None:
        b.missed.set(missed, dict(followed_up_at=r.at, followed_up_by=by, follow_up=how))
    contact = b.contacts.get(interaction_id)
    if contact is not None and contact.tenant_id == r.tenant_id and contact.followed_up_at is None:
        b.contacts.set(contact, dict(followed_up_at=r.at))


def followed_up(b: ContactBatch, r: EventRecord) -> None:
    by = r.agent_id or r.payload.get("by")
    _follow_up(b, r, str(r.interaction_id), by=by, how="marked")


def voicemail_recorded(b: ContactBatch, r: EventRecord) -> None:
    contact = contact_row(b, r)
    if contact is None:
        return
    set_contact(b, r, voicemail=True)
    last = latest_work_of_contact(b, r, queue_id_not=PERSONAL_QUEUE)
    _miss(
        b,
        r,
        contact,
        reason="voicemail",
        queue_id=last.queue_id if last is not None else None,
        wait_s=last.wait_s if last is not None else None,
        recording_id=r.payload.get("recording_id"),
    )


def dispositioned(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    # The agent's "resolved?" answer: the latest one given counts (as in the facts, ADR 0172);
    # a wrap-up saved again without an answer keeps the earlier one.
    mark = {} if p.get("resolved") is None else {"resolved": bool(p["resolved"])}
    segment = segment_of(b, r, r.agent_id)
    if segment is not None:
        set_segment(
            b,
            segment,
            disposition=p.get("disposition"),
            category=p.get("category"),
            sale=p.get("sale"),
            notes=p.get("notes"),
            ticket_id=p.get("ticket_id"),
            dispositioned_at=r.at,
            **mark,
        )
    set_contact(b, r, disposition=p.get("disposition"), notes=p.get("notes"), **mark)


def survey_answered(b: ContactBatch, r: EventRecord) -> None:
    p = r.payload
    if p.get("kind", "scale") not in ("scale", "satisfied"):
        return  # "solved", NPS and text answers are the quality tables' (docs/quality.md)
    segment = segment_of(b, r, r.agent_id)
    if segment is None:  # version 1 named no agent: the contact's last answered segment
        segment = latest_segment_of_contact(b, r)
    rating, scale = p.get("rating"), p.get("scale")
    if segment is not None:
        set_segment(b, segment, csat=rating, csat_scale=scale)
    set_contact(
        b,
        r,
        csat=rating,
        csat_scale=scale,
        csat_agent_id=segment.agent_id if segment is not None else r.agent_id,
    )


def _flag(name: str) -> Handler:
    def handle(b: ContactBatch, r: EventRecord) -> None:
        set_contact(b, r, **{name: True})

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
