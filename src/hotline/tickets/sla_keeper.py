"""Keeps a ticket's SLA clocks: starts them when a ticket opens, pauses them while it is
pending on the customer, stops them when a target is met, and fires the steps on the job
host (`tickets.sla`): the reminder, the breach, the escalation levels — each firing writes
its events, mails and the next timer in the firing's transaction (docs/tickets.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from hotline.events import DomainEvent
from hotline.tickets.activity import Recorder
from hotline.tickets.events import SlaBreached, SlaReminderDue, TicketAssigned, TicketEscalated
from hotline.tickets.model import Ticket, TicketStatus
from hotline.tickets.notify import message
from hotline.tickets.ports import Mailer, TicketRepository, Timers
from hotline.tickets.sla import (
    SlaClock,
    SlaPolicy,
    Step,
    Target,
    choose_policy,
    deadline,
    due_steps,
    meet,
    next_due_at,
    pause,
    resume,
    start,
)

__all__ = ["SLA_KIND", "SlaKeeper", "sla_job_key"]

SLA_KIND = "tickets.sla"


def sla_job_key(ticket_id: str, target: Target, generation: int) -> str:
    return f"ticket:{ticket_id}:sla:{target.value}:{generation}"


class SlaKeeper:
    def __init__(
        self,
        repo: TicketRepository,
        timers: Timers,
        mailer: Mailer,
        emit: Callable[[DomainEvent], None],
    ) -> None:
        self.repo = repo
        self.timers = timers
        self.mailer = mailer
        self.emit = emit
        self.record = Recorder(repo, emit, None)

    # -- changes of the ticket ------------------------------------------------------------

    async def open(self, ticket: Ticket, now: float) -> SlaPolicy | None:
        """Start the first-response and resolution clocks of the policy that applies."""
        policy = await self._choose(ticket)
        if policy is None:
            return None
        for target in (Target.FIRST_RESPONSE, Target.RESOLUTION):
            clock = start(ticket.id, target, policy, now)
            if clock is not None:
                if ticket.status is TicketStatus.PENDING:
                    clock = replace(clock, running_since=None)
                await self._arm(ticket.tenant_id, clock, policy, now)
        return policy

    async def _choose(self, ticket: Ticket) -> SlaPolicy | None:
        vip = 0
        if ticket.customer_id:
            customer = await self.repo.customer(ticket.tenant_id, ticket.customer_id)
            vip = customer.vip_level if customer else 0
        path = (
            await self.repo.category_path(ticket.tenant_id, ticket.category)
            if ticket.category
            else []
        )
        return choose_policy(
            await self.repo.policies(ticket.tenant_id),
            priority=ticket.priority.value,
            categories=path,
            vip_level=vip,
        )

    async def status_changed(self, before: Ticket, after: Ticket, now: float) -> None:
        clocks = await self.repo.clocks(after.tenant_id, after.id)
        for clock in clocks:
            policy = await self.repo.policy(after.tenant_id, clock.policy_id)
            if policy is None:
                continue
            calendar = await self.repo.calendar(after.tenant_id, policy.calendar)
            changed = clock
            if after.status is TicketStatus.PENDING:
                changed = pause(clock, calendar, now)
            elif after.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
                changed = meet(clock, calendar, now)
            elif before.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
                if clock.target is Target.RESOLUTION:  # reopened: resolution runs on
                    changed = replace(
                        clock, met_at=None, running_since=now, generation=clock.generation + 1
                    )
            elif before.status is TicketStatus.PENDING:
                changed = resume(clock, now)
            if changed != clock:
                await self._arm(after.tenant_id, changed, policy, now)

    async def responded(self, ticket: Ticket, now: float) -> None:
        """A public reply by the center: the first and the next response are met."""
        for target in (Target.FIRST_RESPONSE, Target.NEXT_RESPONSE):
            clock = await self.repo.clock(ticket.tenant_id, ticket.id, target)
            if clock is None or clock.met_at is not None:
                continue
            policy = await self.repo.policy(ticket.tenant_id, clock.policy_id)
            if policy is None:
                continue
            calendar = await self.repo.calendar(ticket.tenant_id, policy.calendar)
            await self._arm(ticket.tenant_id, meet(clock, calendar, now), policy, now)

    async def customer_replied(self, ticket: Ticket, now: float) -> None:
        """The customer wrote again: the next-response clock starts afresh."""
        resolution = await self.repo.clock(ticket.tenant_id, ticket.id, Target.RESOLUTION)
        first = await self.repo.clock(ticket.tenant_id, ticket.id, Target.FIRST_RESPONSE)
        known = resolution or first
        if known is None:
            return
        policy = await self.repo.policy(ticket.tenant_id, known.policy_id)
        if policy is None:
            return
        fresh = start(ticket.id, Target.NEXT_RESPONSE, policy, now)
        if fresh is None:
            return
        previous = await self.repo.clock(ticket.tenant_id, ticket.id, Target.NEXT_RESPONSE)
        if previous is not None and previous.met_at is None:
            return  # still waiting for the answer to an earlier reply: that clock runs on
        generation = previous.generation + 1 if previous is not None else 0
        if ticket.status is TicketStatus.PENDING:
            fresh = replace(fresh, running_since=None)
        await self._arm(ticket.tenant_id, replace(fresh, generation=generation), policy, now)

    # -- timers ---------------------------------------------------------------------------

    async def _arm(self, tenant_id: str, clock: SlaClock, policy: SlaPolicy, now: float) -> None:
        """Save the clock with its deadline and schedule its next step (if any)."""
        calendar = await self.repo.calendar(tenant_id, policy.calendar)
        clock = replace(clock, due_at=deadline(clock, calendar) if clock.met_at is None else None)
        await self.repo.save_clock(tenant_id, clock)
        due = next_due_at(clock, policy, calendar, now)
        if due is not None:
            await self.timers.schedule(
                SLA_KIND,
                due_at=due,
                tenant_id=tenant_id,
                payload={
                    "ticket_id": clock.ticket_id,
                    "target": clock.target.value,
                    "generation": clock.generation,
                },
                key=sla_job_key(clock.ticket_id, clock.target, clock.generation),
            )

    async def fire(
        self, tenant_id: str, ticket_id: str, target: Target, generation: int, now: float
    ) -> list[Step]:
        """One firing of a clock's timer: take the steps due now and arm the next. A firing
        of an older generation (the clock was paused, met or restarted since) does nothing."""
        clock = await self.repo.clock(tenant_id, ticket_id, target)
        ticket = await self.repo.get(tenant_id, ticket_id)
        if clock is None or ticket is None or clock.generation != generation:
            return []
        policy = await self.repo.policy(tenant_id, clock.policy_id)
        if policy is None:
            return []
        calendar = await self.repo.calendar(tenant_id, policy.calendar)
        steps, after = due_steps(clock, policy, calendar, now)
        for step in steps:
            ticket = await self._take(ticket, clock, policy, step, now)
        await self._arm(tenant_id, replace(after, generation=after.generation + 1), policy, now)
        return steps

    async def _take(
        self, ticket: Ticket, clock: SlaClock, policy: SlaPolicy, step: Step, now: float
    ) -> Ticket:
        settings = await self.repo.settings(ticket.tenant_id)
        due = _local(clock.due_at or now, settings.timezone)
        base: dict[str, Any] = {
            "tenant_id": ticket.tenant_id,
            "at": now,
            "interaction_id": ticket.interaction_id,
            "ticket_id": ticket.id,
            "number": ticket.number,
            "target": clock.target.value,
        }
        department = await self.repo.department(ticket.tenant_id, ticket.department)
        if step.kind == "remind":
            await self.record(
                SlaReminderDue(**base, percent=policy.remind_percent, due_at=clock.due_at or now)
            )
            to = ticket.assignee_id or (department.lead_id if department else None)
            await self._mail(
                ticket,
                [to],
                "reminder",
                settings.language,
                target=clock.target.value,
                percent=policy.remind_percent,
                due=due,
            )
            return ticket
        if step.kind == "breach":
            await self.record(SlaBreached(**base, due_at=clock.due_at or now))
            return ticket
        level = policy.escalation[step.level - 1]
        to_user = {
            "lead": department.lead_id if department else None,
            "manager": department.manager_id if department else None,
            "assignee": ticket.assignee_id,
        }.get(level.to)
        reassigned = bool(level.reassign and to_user and to_user != ticket.assignee_id)
        await self.record(
            TicketEscalated(
                **base, level=step.level, to=level.to, to_user_id=to_user, reassigned=reassigned
            )
        )
        if reassigned:
            previous = ticket.assignee_id
            ticket = replace(ticket, assignee_id=to_user, updated_at=now)
            await self.repo.save(ticket)
            await self.record(
                TicketAssigned(
                    tenant_id=ticket.tenant_id,
                    at=now,
                    interaction_id=ticket.interaction_id,
                    ticket_id=ticket.id,
                    number=ticket.number,
                    assignee_id=to_user,
                    previous=previous,
                    department=ticket.department,
                    how="escalation",
                )
            )
        await self._mail(
            ticket,
            [to_user],
            "escalated",
            settings.language,
            target=clock.target.value,
            level=step.level,
            due=due,
        )
        return ticket

    async def _mail(
        self, ticket: Ticket, users: list[str | None], kind: str, language: str, **values: Any
    ) -> None:
        wanted = [u for u in users if u]
        if not wanted:
            return
        addresses = await self.repo.user_contacts(ticket.tenant_id, wanted)
        to = [addresses[u] for u in wanted if addresses.get(u)]
        if to:
            subject, body = message(kind, language, ticket, **values)
            await self.mailer.send(ticket.tenant_id, to, subject, body)


def _local(t: float, zone: str) -> str:
    return dt.datetime.fromtimestamp(t, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
