"""The contact history as a caller sees it: the contacts list, one contact's page (its queue
visits, its agent segments with their own wrap-ups and CSAT, the timeline from the log, its
recordings), the wrap-up of one's segment, marking a missed contact handled, and listening to
a recording — each within what the caller may see (`model.contact_scope`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.auth.model import Principal
from hotline.clock import Clock
from hotline.crm.contact_events import InteractionDispositioned, InteractionFollowedUp
from hotline.events import DomainEvent
from hotline.history.errors import (
    ContactNotFound,
    DispositionUnknown,
    RecordingForbidden,
    RecordingGone,
    RecordingNotFound,
)
from hotline.history.model import ContactQuery, Scope, contact_scope
from hotline.history.ports import (
    Audit,
    ContactRepository,
    LiveDesk,
    QueueMembership,
    RecordingFiles,
    Row,
    Tickets,
    Timeline,
)
from hotline.routing import is_personal
from hotline.tickets.schemas import TicketIn

__all__ = ["ContactService"]


class ContactService:
    def __init__(
        self,
        contacts: ContactRepository,
        timeline: Timeline,
        membership: QueueMembership,
        *,
        principal: Principal,
        clock: Clock,
        emit: Callable[[DomainEvent], None],
    ) -> None:
        self._contacts = contacts
        self._timeline = timeline
        self._membership = membership
        self._principal = principal
        self._clock = clock
        self._emit = emit
        self._scope: Scope | None = None

    @property
    def tenant_id(self) -> str:
        return self._principal.tenant_id

    async def scope(self) -> Scope:
        if self._scope is None:
            p = self._principal
            team = await self._contacts.team_agents(p.tenant_id, p.user_id)
            self._scope = contact_scope(p, team_agents=team)
        return self._scope

    async def _voicemail_scope(self) -> Scope:
        """Whose voicemails an agent may hear beyond its own contacts: the missed contacts in
        its queues' worklists, which it is to call back."""
        p = self._principal
        if p.agent_id is None:
            return Scope()
        return Scope(queues=await self._membership.queues_of(p.tenant_id, p.agent_id))

    async def list(self, query: ContactQuery) -> tuple[list[Row], int]:
        return await self._contacts.page(self.tenant_id, await self.scope(), query)

    async def get(self, contact_id: str) -> Row:
        row = await self._contacts.get(self.tenant_id, await self.scope(), contact_id)
        if row is None:
            raise ContactNotFound(contact_id)
        return row

    async def detail(self, contact_id: str) -> dict[str, Any]:
        """The contact row, its queue visits, its agent segments, its timeline (converted to
        version 2 on read) and its recordings."""
        row = await self.get(contact_id)
        contact = str(row["id"])
        return {
            **row,
            "work_items": await self._contacts.work_items(self.tenant_id, contact),
            "segments": await self._contacts.segments(self.tenant_id, contact),
            "timeline": await self._timeline.for_interaction(self.tenant_id, contact),
            "recordings": await self._contacts.recordings(self.tenant_id, contact),
        }

    async def wrap_up(
        self,
        contact_id: str,
        *,
        disposition: str,
        notes: str,
        ticket: TicketIn | None,
        tickets: Tickets,
        resolved: bool | None = None,
        desk: LiveDesk | None = None,
    ) -> dict[str, Any]:
        """The caller's wrap-up of its own segment of the contact: the one whose wrap-up the
        live desk holds (which learns the disposition is saved), else its latest one."""
        row = await self.get(contact_id)
        contact = str(row["id"])
        category = await self._contacts.disposition_category(self.tenant_id, disposition)
        if category is None:
            raise DispositionUnknown(disposition)
        agent_id = self._principal.agent_id
        segment = (
            await self._contacts.latest_segment(self.tenant_id, contact, agent_id)
            if agent_id
            else None
        )
        work_id = segment["work_id"] if segment is not None else None
        if desk is not None and agent_id is not None:
            # The router holds "wrap-up waits for a required disposition": tell it.
            work_id = desk.disposition_saved(agent_id, contact) or work_id
        queue_id = segment["queue_id"] if segment is not None else row["queue_id"]
        if is_personal(queue_id):
            queue_id = row["queue_id"]  # the personal line is no queue: the contact's
        ticket_id = ticket_number = None
        if ticket is not None:
            made = await tickets.create(
                ticket.model_copy(
                    update={
                        "interaction_id": contact,
                        "customer_id": ticket.customer_id or row["customer_id"],
                    }
                )
            )
            ticket_id, ticket_number = made["id"], made["number"]
        self._emit(
            InteractionDispositioned(
                tenant_id=self.tenant_id,
                at=self._clock.now(),
                interaction_id=contact,
                agent_id=agent_id,
                disposition=disposition,
                category=category,
                sale=category == "sale",
                notes=notes,
                queue_id=queue_id,
                ticket_id=ticket_id,
                work_id=work_id,
                resolved=resolved,
            )
        )
        return {
            "interaction_id": contact,
            "work_id": work_id,
            "disposition": disposition,
            "resolved": resolved,
            "ticket_id": ticket_id,
            "ticket_number": ticket_number,
        }

    async def followed_up(self, contact_id: str, note: str | None) -> str:
        contact = str((await self.get(contact_id))["id"])
        self._emit(
            InteractionFollowedUp(
                tenant_id=self.tenant_id,
                at=self._clock.now(),
                interaction_id=contact,
                agent_id=self._principal.agent_id,
                by=self._principal.username,
                note=note,
            )
        )
        return contact

    async def listen(
        self, recording_id: str, *, files: RecordingFiles, audit: Audit, ip: str | None
    ) -> Row:
        """A recording the caller may hear, its listen written to the audit log."""
        recording = await self._contacts.recording(self.tenant_id, recording_id)
        if recording is None:
            raise RecordingNotFound(recording_id)
        contact = str(recording["interaction_id"])
        if await self._contacts.get(self.tenant_id, await self.scope(), contact) is None:
            mine = recording["kind"] == "voicemail" and await self._contacts.get(
                self.tenant_id, await self._voicemail_scope(), contact
            )
            if not mine:
                raise RecordingForbidden(recording_id)
        if not files.stored(str(recording["path"])):
            raise RecordingGone(recording_id)
        p = self._principal
        await audit.add(
            {
                "tenant_id": p.tenant_id,
                "at": self._clock.now(),
                "actor_id": p.user_id,
                "actor_name": p.username,
                "action": "listen",
                "entity": "recording",
                "entity_id": recording_id,
                "before": None,
                "after": {"interaction_id": str(recording["interaction_id"])},
                "ip": ip,
            }
        )
        return recording
