"""The ticket service: create, change, assign, comment, attach, watch, link and merge tickets.
Rules live in `workflow`, `assignment`, `numbers` and `sla`; storage behind `ports`. Every
change emits its event in the caller's unit of work; SLA clocks follow through `SlaKeeper`."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from hotline.clock import Clock
from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.tickets.activity import ACTIVITY_LIMIT, Recorder
from hotline.tickets.assignment import choose_assignee
from hotline.tickets.errors import AttachmentRefused, TicketInvalid, TicketNotFound
from hotline.tickets.events import (
    TicketAssigned,
    TicketCommented,
    TicketCreated,
    TicketLinked,
    TicketMerged,
    TicketStatusChanged,
    TicketUpdated,
)
from hotline.tickets.model import AttachmentLimits, Comment, Department, Ticket, TicketStatus
from hotline.tickets.notify import message, staff_recipients, text_message
from hotline.tickets.numbers import counter_name, daily_number
from hotline.tickets.ports import (
    AttachmentStore,
    CustomerBrief,
    Mailer,
    TextMessages,
    TicketQuery,
    TicketRepository,
)
from hotline.tickets.schemas import AssignIn, CommentIn, TicketIn, TicketPatch
from hotline.tickets.sla_keeper import SlaKeeper
from hotline.tickets.workflow import Move, check_move, next_statuses

__all__ = ["Actor", "TicketService"]


@dataclass(frozen=True, slots=True)
class Actor:
    tenant_id: str
    user_id: str | None
    agent_id: str | None = None


class TicketService:
    def __init__(
        self,
        repo: TicketRepository,
        *,
        actor: Actor,
        clock: Clock,
        emit: Callable[[DomainEvent], None],
        keeper: SlaKeeper,
        mailer: Mailer,
        attachments: AttachmentStore | None = None,
        check_interactions: bool = True,
        texts: TextMessages | None = None,
    ) -> None:
        """`check_interactions=False`: the caller vouches for the ticket's contact (the
        wrap-up of a contact it has just read). `texts`: the SMS hook, when the center texts
        its customers (`tickets.sms_notify`)."""
        self.repo = repo
        self.actor = actor
        self.tenant = actor.tenant_id
        self.clock = clock
        self.emit = emit
        self.record = Recorder(repo, emit, actor.user_id)
        self.keeper = keeper
        self.mailer = mailer
        self.attachments = attachments
        self.check_interactions = check_interactions
        self.texts = texts

    def _base(self, ticket: Ticket, now: float) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant,
            "at": now,
            "interaction_id": ticket.interaction_id,
            "agent_id": self.actor.agent_id,
            "ticket_id": ticket.id,
            "number": ticket.number,
        }

    # -- reading --------------------------------------------------------------------------

    async def get(self, ticket_id: str) -> Ticket:
        ticket = await self.repo.get(self.tenant, ticket_id)
        if ticket is None:
            raise TicketNotFound("ticket", ticket_id)
        return ticket

    async def by_number(self, number: int) -> Ticket:
        ticket = await self.repo.get_by_number(self.tenant, number)
        if ticket is None:
            raise TicketNotFound("ticket", str(number), number=number)
        return ticket

    async def search(self, query: TicketQuery) -> tuple[list[Ticket], int]:
        return await self.repo.search(self.tenant, query)

    async def detail(self, ticket_id: str) -> dict[str, Any]:
        """The ticket with its comments, attachments, watchers, contacts, SLA clocks, its
        activity (the timeline) and the statuses it may move to now."""
        ticket = await self.get(ticket_id)
        settings = await self.repo.settings(self.tenant)
        return {
            "ticket": ticket,
            "comments": await self.repo.comments(self.tenant, ticket.id),
            "attachments": await self.repo.attachments(self.tenant, ticket.id),
            "watchers": await self.repo.watchers(self.tenant, ticket.id),
            "links": await self.repo.links(self.tenant, ticket.id),
            "sla": await self.repo.clocks(self.tenant, ticket.id),
            "activity": await self.repo.activity(self.tenant, ticket.id, ACTIVITY_LIMIT),
            "moves": next_statuses(ticket, now=self.clock.now(), reopen_days=settings.reopen_days),
        }

    # -- creating -------------------------------------------------------------------------

    async def _department(self, code: str, field: str = "department") -> Department:
        department = await self.repo.department(self.tenant, code)
        if department is None:
            raise TicketInvalid("ticket.department.unknown", field, value=code)
        return department

    async def _check_category(self, code: str | None) -> None:
        if code is not None and await self.repo.category(self.tenant, code) is None:
            raise TicketInvalid("ticket.category.unknown", "category", value=code)

    async def create(self, data: TicketIn) -> Ticket:
        department = await self._department(data.department)
        await self._check_category(data.category)
        customer = None
        if data.customer_id:
            customer = await self.repo.customer(self.tenant, data.customer_id)
            if customer is None:
                raise TicketInvalid("ticket.customer.unknown", "customer_id")
        if (
            data.interaction_id
            and self.check_interactions
            and not await self.repo.interaction_exists(self.tenant, data.interaction_id)
        ):
            raise TicketInvalid("ticket.interaction.unknown", "interaction_id")
        if data.assignee_id is not None and data.assignee_id not in department.members:
            raise TicketInvalid("ticket.assignee.not_member", "assignee_id")
        now = self.clock.now()
        settings = await self.repo.settings(self.tenant)
        counter, first = counter_name(settings.number_style, now, settings.timezone)
        value = await self.repo.next_number(self.tenant, counter, first)
        number = daily_number(counter, value) if counter != "ticket" else value
        assignee, how = data.assignee_id, "manual"
        if assignee is None:
            assignee = await self._automatic(department)
            how = department.assignment.value
        ticket = Ticket(
            id=new_id(now),
            tenant_id=self.tenant,
            number=number,
            subject=data.subject,
            description=data.description,
            department=department.code,
            status=TicketStatus.OPEN if assignee else TicketStatus.NEW,
            priority=data.priority,
            category=data.category,
            customer_id=data.customer_id,
            interaction_id=data.interaction_id,
            assignee_id=assignee,
            created_by=self.actor.user_id,
            due_date=data.due_date.isoformat() if data.due_date else None,
            first_response_at=None,
            resolved_at=None,
            closed_at=None,
            merged_into=None,
            created_at=now,
            updated_at=now,
        )
        await self.repo.add(ticket)
        if ticket.interaction_id:
            await self.repo.link(self.tenant, ticket.id, ticket.interaction_id, now, None)
        await self.record(
            TicketCreated(
                **self._base(ticket, now),
                subject=ticket.subject,
                department=ticket.department,
                priority=ticket.priority.value,
                customer_id=ticket.customer_id,
                due_date=ticket.due_date,
                category=ticket.category,
                assignee_id=assignee,
            )
        )
        if assignee:
            await self._assigned(ticket, None, how, now)
        await self.keeper.open(ticket, now)
        if customer is not None:
            await self._tell_customer("created", ticket, customer, settings.language)
        return ticket

    async def _tell_customer(
        self, kind: str, ticket: Ticket, customer: CustomerBrief, language: str
    ) -> None:
        """Mail to the customer's first address and, with the SMS hook, a text to their
        first phone."""
        if customer.emails:
            subject, body = message(kind, language, ticket, customer=customer.name)
            await self.mailer.send(
                self.tenant,
                customer.emails[:1],
                subject,
                body,
                ticket_id=ticket.id,
                customer_id=ticket.customer_id,
            )
        if self.texts is not None and customer.phones:
            await self.texts.send(
                self.tenant,
                customer.phones[0],
                text_message(kind, language, ticket),
                ticket_id=ticket.id,
                number=ticket.number,
                kind=kind,
                language=language,
            )

    async def _automatic(self, department: Department) -> str | None:
        counts = await self.repo.open_counts(self.tenant, department.members)
        chosen = choose_assignee(
            department.assignment,
            department.members,
            last_assigned=department.last_assigned_id,
            open_counts=counts,
        )
        if chosen is not None:
            await self.repo.note_assigned(self.tenant, department.id, chosen)
        return chosen

    async def _assigned(self, ticket: Ticket, previous: str | None, how: str, now: float) -> None:
        await self.record(
            TicketAssigned(
                **self._base(ticket, now),
                assignee_id=ticket.assignee_id,
                previous=previous,
                department=ticket.department,
                how=how,
            )
        )
        await self._tell_staff("assigned", ticket, [ticket.assignee_id])

    async def _tell_staff(
        self, kind: str, ticket: Ticket, user_ids: list[str | None], **values: Any
    ) -> None:
        """Mail to the ticket's people (its assignee, its watchers) who have an address, each
        in their own language (else the center's), never to the one who made the change."""
        wanted = staff_recipients(user_ids, self.actor.user_id)
        if not wanted:
            return
        mail = await self.repo.user_mail(self.tenant, wanted)
        center = (await self.repo.settings(self.tenant)).language
        for user_id in wanted:
            if user_id in mail:
                address, language = mail[user_id]
                subject, body = message(kind, language or center, ticket, **values)
                await self.mailer.send(self.tenant, [address], subject, body)

    async def _tell_watchers(self, kind: str, ticket: Ticket, **values: Any) -> None:
        watchers = await self.repo.watchers(self.tenant, ticket.id)
        await self._tell_staff(kind, ticket, list(watchers), **values)

    # -- changing -------------------------------------------------------------------------

    async def change(self, ticket_id: str, data: TicketPatch) -> Ticket:
        ticket = await self.get(ticket_id)
        now = self.clock.now()
        values: dict[str, Any] = {}
        for name in ("subject", "description", "priority", "category"):
            value = getattr(data, name)
            if value is not None and value != getattr(ticket, name):
                values[name] = value
        if data.due_date is not None and data.due_date.isoformat() != ticket.due_date:
            values["due_date"] = data.due_date.isoformat()
        if "category" in values:
            await self._check_category(values["category"])
        if values:
            ticket = replace(ticket, **values, updated_at=now)
            await self.repo.save(ticket)
            await self.record(
                TicketUpdated(**self._base(ticket, now), fields=tuple(sorted(values)))
            )
        if data.status is not None and data.status != ticket.status:
            ticket = await self.set_status(ticket.id, data.status)
        return ticket

    async def set_status(self, ticket_id: str, status: TicketStatus) -> Ticket:
        before = await self.get(ticket_id)
        if status == before.status:
            return before
        now = self.clock.now()
        settings = await self.repo.settings(self.tenant)
        move = check_move(before, status, now=now, reopen_days=settings.reopen_days)
        after = replace(before, status=status, updated_at=now)
        if move is Move.RESOLVE:
            after = replace(after, resolved_at=now)
        elif move is Move.CLOSE:
            after = replace(after, closed_at=now, resolved_at=before.resolved_at or now)
        elif move is Move.REOPEN:
            after = replace(after, resolved_at=None, closed_at=None)
        await self.repo.save(after)
        await self.record(
            TicketStatusChanged(
                **self._base(after, now), status=status.value, previous=before.status.value
            )
        )
        await self.keeper.status_changed(before, after, now)
        await self._tell_watchers(
            "watch_status", after, status=status.value, previous=before.status.value
        )
        if move is Move.RESOLVE and after.customer_id:
            customer = await self.repo.customer(self.tenant, after.customer_id)
            if customer is not None:
                await self._tell_customer("resolved", after, customer, settings.language)
        return after

    async def assign(self, ticket_id: str, data: AssignIn) -> Ticket:
        ticket = await self.get(ticket_id)
        now = self.clock.now()
        department = await self._department(data.department or ticket.department)
        previous = ticket.assignee_id
        if data.auto:
            assignee, how = await self._automatic(department), department.assignment.value
            if assignee is None:
                raise TicketInvalid("ticket.assignee.none", "auto")
        else:
            assignee, how = data.assignee_id, "manual"
            if assignee is not None and assignee not in department.members:
                raise TicketInvalid("ticket.assignee.not_member", "assignee_id")
        after = replace(ticket, department=department.code, assignee_id=assignee, updated_at=now)
        if after == replace(ticket, updated_at=now):
            return ticket
        await self.repo.save(after)
        await self._assigned(after, previous, how, now)
        if after.status is TicketStatus.NEW and assignee is not None:
            after = await self.set_status(after.id, TicketStatus.OPEN)
        return after

    async def comment(self, ticket_id: str, data: CommentIn) -> Comment:
        ticket = await self.get(ticket_id)
        now = self.clock.now()
        comment = Comment(
            id=new_id(now),
            ticket_id=ticket.id,
            author_id=self.actor.user_id,
            body=data.body,
            public=data.public or data.from_customer,
            from_customer=data.from_customer,
            created_at=now,
        )
        await self.repo.add_comment(self.tenant, comment)
        await self.record(
            TicketCommented(
                **self._base(ticket, now),
                comment_id=comment.id,
                public=comment.public,
                from_customer=comment.from_customer,
            )
        )
        await self._tell_watchers("watch_comment", ticket, public=comment.public, body=data.body)
        if comment.from_customer:
            await self.keeper.customer_replied(ticket, now)
        elif comment.public:
            if ticket.first_response_at is None:
                await self.repo.save(replace(ticket, first_response_at=now, updated_at=now))
            await self.keeper.responded(ticket, now)
        return comment

    async def attach(
        self, ticket_id: str, *, name: str, content_type: str, data: bytes, limits: AttachmentLimits
    ) -> dict[str, Any]:
        """Store a file for the ticket, within the center's size and type limits."""
        ticket = await self.get(ticket_id)
        kind = content_type.split(";")[0].strip().lower()
        if not data:
            raise AttachmentRefused("ticket.attachment.empty")
        if len(data) > limits.max_bytes:
            raise AttachmentRefused(
                "ticket.attachment.too_large", size=len(data), max_bytes=limits.max_bytes
            )
        if kind not in limits.types:
            raise AttachmentRefused("ticket.attachment.type", content_type=kind)
        if self.attachments is None:
            raise RuntimeError("no attachment storage is configured")
        now = self.clock.now()
        attachment_id = new_id(now)
        key = f"{self.tenant}/{ticket.id}/{attachment_id}"
        self.attachments.write(key, io.BytesIO(data))
        row = {
            "id": attachment_id,
            "tenant_id": self.tenant,
            "ticket_id": ticket.id,
            "name": name[:255] or "file",
            "content_type": kind,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "key": key,
            "uploaded_by": self.actor.user_id,
            "created_at": now,
        }
        await self.repo.add_attachment(self.tenant, row)
        return row

    async def attachment(self, ticket_id: str, attachment_id: str) -> dict[str, Any]:
        row = await self.repo.attachment(self.tenant, attachment_id)
        if row is None or row["ticket_id"] != ticket_id:
            raise TicketNotFound("attachment", attachment_id)
        return row

    async def watch(self, ticket_id: str, user_id: str, on: bool) -> list[str]:
        ticket = await self.get(ticket_id)
        if on and not await self.repo.user_exists(self.tenant, user_id):
            raise TicketInvalid("ticket.user.unknown", "user_id")
        await self.repo.set_watcher(self.tenant, ticket.id, user_id, on)
        return await self.repo.watchers(self.tenant, ticket.id)

    async def link(self, ticket_id: str, interaction_id: str) -> Ticket:
        ticket = await self.get(ticket_id)
        if not await self.repo.interaction_exists(self.tenant, interaction_id):
            raise TicketInvalid("ticket.interaction.unknown", "interaction_id")
        now = self.clock.now()
        if await self.repo.link(self.tenant, ticket.id, interaction_id, now, self.actor.user_id):
            base = {**self._base(ticket, now), "interaction_id": interaction_id}
            await self.record(TicketLinked(**base))
        return ticket

    async def merge(self, ticket_id: str, into_id: str) -> Ticket:
        """Merge a duplicate into another ticket: its comments, attachments, watchers and
        contacts move over; the duplicate is closed and points to the survivor."""
        if ticket_id == into_id:
            raise TicketInvalid("ticket.merge.self", "into_id")
        source = await self.get(ticket_id)
        target = await self.get(into_id)
        if source.merged_into is not None or target.merged_into is not None:
            raise TicketInvalid("ticket.merge.merged", "into_id")
        now = self.clock.now()
        await self.repo.move_children(self.tenant, source.id, target.id)
        if source.status is not TicketStatus.CLOSED:
            closed = await self.set_status(source.id, TicketStatus.CLOSED)
        else:
            closed = source
        merged = replace(closed, merged_into=target.id, updated_at=now)
        await self.repo.save(merged)
        await self.record(
            TicketMerged(**self._base(merged, now), into_id=target.id, into_number=target.number)
        )
        return await self.get(target.id)
