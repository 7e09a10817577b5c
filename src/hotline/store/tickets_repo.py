"""Tickets on SQL (`hotline.tickets.ports.TicketRepository`): the ticket rows and their parts,
the configuration the rules read (departments, categories, settings, SLA policies and
calendars) and the SLA clocks. Statements only; the edge commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.calendars.book import load_calendars
from hotline.hours import ALWAYS
from hotline.store.counters import SqlCounters
from hotline.store.references import SqlInteractionRefs
from hotline.store.rows import count, row_dict, text_contains
from hotline.store.tables import (
    customer_emails,
    customer_phones,
    customers,
    interactions,
    tenants,
    tickets,
    users,
)
from hotline.store.ticket_tables import (
    department_members,
    departments,
    sla_clocks,
    sla_policies,
    ticket_activity,
    ticket_attachments,
    ticket_categories,
    ticket_comments,
    ticket_links,
    ticket_settings,
    ticket_watchers,
)
from hotline.tickets.model import (
    Assignment,
    Category,
    Comment,
    Department,
    Priority,
    Ticket,
    TicketSettings,
    TicketStatus,
)
from hotline.tickets.ports import CustomerBrief, TicketQuery
from hotline.tickets.sla import BusinessTime, EscalationLevel, SlaClock, SlaPolicy, Target

__all__ = ["SqlTickets", "policy_of_row", "ticket_of_row"]

_OPEN = [
    s.value
    for s in (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)
]


def ticket_of_row(r: Any) -> Ticket:
    return Ticket(
        id=r["id"],
        tenant_id=r["tenant_id"],
        number=int(r["number"]),
        subject=r["subject"],
        description=r["description"],
        department=r["department"],
        status=TicketStatus(r["status"]),
        priority=Priority(r["priority"]),
        category=r["category"],
        customer_id=r["customer_id"],
        interaction_id=r["interaction_id"],
        assignee_id=r["assignee_id"],
        created_by=r["created_by"],
        due_date=r["due_date"],
        first_response_at=r["first_response_at"],
        resolved_at=r["resolved_at"],
        closed_at=r["closed_at"],
        merged_into=r["merged_into"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


def _ticket_values(t: Ticket) -> dict[str, Any]:
    values = asdict(t)
    values["status"] = t.status.value
    values["priority"] = t.priority.value
    return values


def policy_of_row(r: Any) -> SlaPolicy:
    conditions = r["conditions"] or {}
    return SlaPolicy(
        id=r["id"],
        name=r["name"],
        position=int(r["position"]),
        priorities=frozenset(conditions.get("priorities", [])),
        categories=frozenset(conditions.get("categories", [])),
        min_vip_level=conditions.get("min_vip_level"),
        first_response_s=r["first_response_s"],
        next_response_s=r["next_response_s"],
        resolution_s=r["resolution_s"],
        calendar=r["calendar"],
        remind_percent=int(r["remind_percent"]),
        escalation=tuple(
            EscalationLevel(str(e["to"]), int(e.get("after_s", 0)), bool(e.get("reassign")))
            for e in r["escalation"] or []
        ),
        active=bool(r["active"]),
    )


def _clock_of_row(r: Any) -> SlaClock:
    return SlaClock(
        ticket_id=r["ticket_id"],
        target=Target(r["target"]),
        policy_id=r["policy_id"],
        budget_s=int(r["budget_s"]),
        consumed_s=float(r["consumed_s"]),
        running_since=r["running_since"],
        due_at=r["due_at"],
        reminded=bool(r["reminded"]),
        breached_at=r["breached_at"],
        escalation_level=int(r["escalation_level"]),
        met_at=r["met_at"],
        generation=int(r["generation"]),
    )


class SqlTickets:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._calendars: dict[str, dict[str, Any]] = {}

    def _upsert(self) -> Any:
        return pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert

    # -- tickets --------------------------------------------------------------------------

    async def next_number(self, tenant_id: str, counter: str, start: int) -> int:
        return await SqlCounters(self.conn, start=start).next(tenant_id, counter)

    async def add(self, ticket: Ticket) -> None:
        await self.conn.execute(insert(tickets).values(**_ticket_values(ticket)))

    async def get(self, tenant_id: str, ticket_id: str) -> Ticket | None:
        q = select(tickets).where(tickets.c.tenant_id == tenant_id, tickets.c.id == ticket_id)
        row = (await self.conn.execute(q)).mappings().first()
        return ticket_of_row(row) if row else None

    async def get_by_number(self, tenant_id: str, number: int) -> Ticket | None:
        q = select(tickets).where(tickets.c.tenant_id == tenant_id, tickets.c.number == number)
        row = (await self.conn.execute(q)).mappings().first()
        return ticket_of_row(row) if row else None

    async def save(self, ticket: Ticket) -> None:
        values = _ticket_values(ticket)
        del values["id"], values["tenant_id"], values["number"], values["created_at"]
        await self.conn.execute(
            update(tickets)
            .where(tickets.c.tenant_id == ticket.tenant_id, tickets.c.id == ticket.id)
            .values(**values)
        )

    async def search(self, tenant_id: str, query: TicketQuery) -> tuple[list[Ticket], int]:
        t = tickets
        q = select(t).where(t.c.tenant_id == tenant_id)
        if query.status:
            q = q.where(t.c.status.in_([s.value for s in query.status]))
        for column, value in (
            (t.c.customer_id, query.customer_id),
            (t.c.department, query.department),
            (t.c.assignee_id, query.assignee_id),
            (t.c.category, query.category),
        ):
            if value is not None:
                q = q.where(column == value)
        if query.overdue_at is not None:
            late = select(sla_clocks.c.ticket_id).where(
                sla_clocks.c.tenant_id == tenant_id,
                sla_clocks.c.met_at.is_(None),
                or_(
                    sla_clocks.c.breached_at.is_not(None),
                    sla_clocks.c.due_at <= query.overdue_at,
                ),
            )
            q = q.where(t.c.id.in_(late), t.c.status.in_(_OPEN))
        if query.search:
            text = query.search.strip()
            digits = text.replace(" ", "")
            if digits.isdigit() and len(digits) >= 5:
                # A ticket number, as read out (with or without spaces): the unique index.
                q = q.where(t.c.number == int(digits))
            else:
                q = q.where(
                    or_(text_contains(t.c.subject, text), text_contains(t.c.description, text))
                )
        total = await count(self.conn, q)
        rows = await self.conn.execute(
            q.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(query.limit).offset(query.offset)
        )
        return [ticket_of_row(r) for r in rows.mappings()], total

    async def open_counts(self, tenant_id: str, users_: Sequence[str]) -> dict[str, int]:
        if not users_:
            return {}
        q = (
            select(tickets.c.assignee_id, func.count())
            .where(
                tickets.c.tenant_id == tenant_id,
                tickets.c.assignee_id.in_(list(users_)),
                tickets.c.status.in_(_OPEN),
            )
            .group_by(tickets.c.assignee_id)
        )
        return {str(a): int(n) for a, n in await self.conn.execute(q)}

    # -- parts ----------------------------------------------------------------------------

    async def add_comment(self, tenant_id: str, comment: Comment) -> None:
        await self.conn.execute(
            insert(ticket_comments).values(tenant_id=tenant_id, **asdict(comment))
        )

    async def comments(self, tenant_id: str, ticket_id: str) -> list[Comment]:
        c = ticket_comments
        q = (
            select(c)
            .where(c.c.tenant_id == tenant_id, c.c.ticket_id == ticket_id)
            .order_by(c.c.created_at, c.c.id)
        )
        return [
            Comment(
                r.id,
                r.ticket_id,
                r.author_id,
                r.body,
                bool(r.public),
                bool(r.from_customer),
                r.created_at,
            )
            for r in await self.conn.execute(q)
        ]

    async def add_activity(self, tenant_id: str, row: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(ticket_activity).values(tenant_id=tenant_id, **row))

    async def activity(self, tenant_id: str, ticket_id: str, limit: int) -> list[dict[str, Any]]:
        a = ticket_activity
        q = (
            select(a.c.id, a.c.at, a.c.type, a.c.user_id, a.c.data)
            .where(a.c.tenant_id == tenant_id, a.c.ticket_id == ticket_id)
            .order_by(a.c.at, a.c.id)
            .limit(limit)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def user_names(self, tenant_id: str) -> dict[str, str]:
        q = select(users.c.id, users.c.display_name).where(users.c.tenant_id == tenant_id)
        return {str(i): str(n) for i, n in await self.conn.execute(q)}

    async def add_attachment(self, tenant_id: str, row: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(ticket_attachments).values(**row))

    async def attachments(self, tenant_id: str, ticket_id: str) -> list[dict[str, Any]]:
        a = ticket_attachments
        q = (
            select(a)
            .where(a.c.tenant_id == tenant_id, a.c.ticket_id == ticket_id)
            .order_by(a.c.created_at, a.c.id)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def attachment(self, tenant_id: str, attachment_id: str) -> dict[str, Any] | None:
        a = ticket_attachments
        q = select(a).where(a.c.tenant_id == tenant_id, a.c.id == attachment_id)
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def set_watcher(self, tenant_id: str, ticket_id: str, user_id: str, on: bool) -> None:
        w = ticket_watchers
        if on:
            await self.conn.execute(
                self._upsert()(w)
                .values(ticket_id=ticket_id, user_id=user_id, tenant_id=tenant_id)
                .on_conflict_do_nothing(index_elements=["ticket_id", "user_id"])
            )
        else:
            await self.conn.execute(
                delete(w).where(
                    w.c.tenant_id == tenant_id, w.c.ticket_id == ticket_id, w.c.user_id == user_id
                )
            )

    async def watchers(self, tenant_id: str, ticket_id: str) -> list[str]:
        w = ticket_watchers
        q = select(w.c.user_id).where(w.c.tenant_id == tenant_id, w.c.ticket_id == ticket_id)
        return sorted(str(u) for u in await self.conn.scalars(q))

    async def link(
        self, tenant_id: str, ticket_id: str, interaction_id: str, at: float, by: str | None
    ) -> bool:
        made = await self.conn.execute(
            self._upsert()(ticket_links)
            .values(
                ticket_id=ticket_id,
                interaction_id=interaction_id,
                tenant_id=tenant_id,
                linked_at=at,
                linked_by=by,
            )
            .on_conflict_do_nothing(index_elements=["ticket_id", "interaction_id"])
        )
        return bool(made.rowcount)

    async def links(self, tenant_id: str, ticket_id: str) -> list[dict[str, Any]]:
        link, i = ticket_links, interactions
        q = (
            select(
                link.c.interaction_id,
                link.c.linked_at,
                i.c.channel,
                i.c.direction,
                i.c.started_at,
                i.c.outcome,
            )
            .select_from(
                link.outerjoin(
                    i, (i.c.tenant_id == link.c.tenant_id) & (i.c.id == link.c.interaction_id)
                )
            )
            .where(link.c.tenant_id == tenant_id, link.c.ticket_id == ticket_id)
            .order_by(link.c.linked_at)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def move_children(self, tenant_id: str, source_id: str, target_id: str) -> None:
        for table in (ticket_comments, ticket_attachments):
            await self.conn.execute(
                update(table)
                .where(table.c.tenant_id == tenant_id, table.c.ticket_id == source_id)
                .values(ticket_id=target_id)
            )
        for table, column in ((ticket_watchers, "user_id"), (ticket_links, "interaction_id")):
            rows = await self.conn.execute(
                select(table).where(table.c.tenant_id == tenant_id, table.c.ticket_id == source_id)
            )
            for r in rows.mappings().all():
                await self.conn.execute(
                    self._upsert()(table)
                    .values(**{**r, "ticket_id": target_id})
                    .on_conflict_do_nothing(index_elements=["ticket_id", column])
                )

    # -- configuration --------------------------------------------------------------------

    async def settings(self, tenant_id: str) -> TicketSettings:
        row = (
            await self.conn.execute(
                select(tenants.c.language, tenants.c.timezone).where(tenants.c.id == tenant_id)
            )
        ).first()
        own = (
            await self.conn.execute(
                select(ticket_settings).where(ticket_settings.c.tenant_id == tenant_id)
            )
        ).first()
        base = TicketSettings()
        return TicketSettings(
            number_style=own.number_style if own else base.number_style,
            reopen_days=int(own.reopen_days) if own else base.reopen_days,
            language=row.language if row else base.language,
            timezone=row.timezone if row else base.timezone,
        )

    async def department(self, tenant_id: str, code: str) -> Department | None:
        d = departments
        row = (
            await self.conn.execute(select(d).where(d.c.tenant_id == tenant_id, d.c.code == code))
        ).first()
        if row is None:
            return None
        m = department_members
        members = await self.conn.scalars(
            select(m.c.user_id).where(m.c.department_id == row.id).order_by(m.c.position)
        )
        return Department(
            id=row.id,
            tenant_id=tenant_id,
            code=row.code,
            name=row.name,
            lead_id=row.lead_id,
            manager_id=row.manager_id,
            assignment=Assignment(row.assignment),
            members=tuple(str(u) for u in members),
            last_assigned_id=row.last_assigned_id,
        )

    async def note_assigned(self, tenant_id: str, department_id: str, user_id: str) -> None:
        await self.conn.execute(
            update(departments)
            .where(departments.c.tenant_id == tenant_id, departments.c.id == department_id)
            .values(last_assigned_id=user_id)
        )

    async def category(self, tenant_id: str, code: str) -> Category | None:
        c = ticket_categories
        row = (
            await self.conn.execute(select(c).where(c.c.tenant_id == tenant_id, c.c.code == code))
        ).first()
        return Category(row.id, row.code, row.name_zh, row.name_en, row.parent_id) if row else None

    async def codes(self, tenant_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """The center's department codes and category codes (a flow's ticket nodes name them)."""
        d, c = departments, ticket_categories
        found = await self.conn.scalars(select(d.c.code).where(d.c.tenant_id == tenant_id))
        kinds = await self.conn.scalars(select(c.c.code).where(c.c.tenant_id == tenant_id))
        return frozenset(found), frozenset(kinds)

    async def category_path(self, tenant_id: str, code: str) -> list[str]:
        """The category's code and its ancestors' codes, nearest first."""
        c = ticket_categories
        rows = await self.conn.execute(
            select(c.c.id, c.c.code, c.c.parent_id).where(c.c.tenant_id == tenant_id)
        )
        by_id = {r.id: r for r in rows}
        current = next((r for r in by_id.values() if r.code == code), None)
        path: list[str] = []
        while current is not None and current.code not in path:
            path.append(current.code)
            current = by_id.get(current.parent_id)
        return path

    async def user_exists(self, tenant_id: str, user_id: str) -> bool:
        q = select(users.c.id).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
        return (await self.conn.scalar(q)) is not None

    async def user_contacts(self, tenant_id: str, user_ids: Sequence[str]) -> dict[str, str]:
        q = select(users.c.id, users.c.email).where(
            users.c.tenant_id == tenant_id, users.c.id.in_(list(user_ids)), users.c.active
        )
        return {str(i): str(e) for i, e in await self.conn.execute(q) if e}

    async def user_mail(
        self, tenant_id: str, user_ids: Sequence[str]
    ) -> dict[str, tuple[str, str | None]]:
        q = select(users.c.id, users.c.email, users.c.language).where(
            users.c.tenant_id == tenant_id, users.c.id.in_(list(user_ids)), users.c.active
        )
        return {str(i): (str(e), lang) for i, e, lang in await self.conn.execute(q) if e}

    async def customer(self, tenant_id: str, customer_id: str) -> CustomerBrief | None:
        row = (
            await self.conn.execute(
                select(customers.c.id, customers.c.name, customers.c.vip_level).where(
                    customers.c.tenant_id == tenant_id, customers.c.id == customer_id
                )
            )
        ).first()
        if row is None:
            return None
        e = customer_emails
        emails = await self.conn.scalars(
            select(e.c.email)
            .where(e.c.tenant_id == tenant_id, e.c.customer_id == customer_id)
            .order_by(e.c.id)
        )
        p = customer_phones
        phones = await self.conn.scalars(
            select(p.c.e164)
            .where(p.c.tenant_id == tenant_id, p.c.customer_id == customer_id)
            .order_by(p.c.id)
        )
        settings = await self.settings(tenant_id)
        return CustomerBrief(
            row.id,
            row.name,
            int(row.vip_level),
            tuple(emails),
            settings.language,
            phones=tuple(phones),
        )

    async def interaction_exists(self, tenant_id: str, interaction_id: str) -> bool:
        return await SqlInteractionRefs(self.conn).exists(tenant_id, interaction_id)

    # -- SLA ------------------------------------------------------------------------------

    async def policies(self, tenant_id: str) -> list[SlaPolicy]:
        p = sla_policies
        q = select(p).where(p.c.tenant_id == tenant_id).order_by(p.c.position, p.c.name)
        return [policy_of_row(r) for r in (await self.conn.execute(q)).mappings()]

    async def policy(self, tenant_id: str, policy_id: str) -> SlaPolicy | None:
        p = sla_policies
        q = select(p).where(p.c.tenant_id == tenant_id, p.c.id == policy_id)
        row = (await self.conn.execute(q)).mappings().first()
        return policy_of_row(row) if row else None

    async def calendar(self, tenant_id: str, name: str | None) -> BusinessTime:
        if name is None:
            return ALWAYS
        if tenant_id not in self._calendars:
            self._calendars[tenant_id] = dict(await load_calendars(self.conn, tenant_id))
        found: BusinessTime | None = self._calendars[tenant_id].get(name)
        return found if found is not None else ALWAYS

    async def clocks(self, tenant_id: str, ticket_id: str) -> list[SlaClock]:
        s = sla_clocks
        q = select(s).where(s.c.tenant_id == tenant_id, s.c.ticket_id == ticket_id)
        return [_clock_of_row(r) for r in (await self.conn.execute(q)).mappings()]

    async def clock(self, tenant_id: str, ticket_id: str, target: Target) -> SlaClock | None:
        s = sla_clocks
        q = select(s).where(
            s.c.tenant_id == tenant_id, s.c.ticket_id == ticket_id, s.c.target == target.value
        )
        row = (await self.conn.execute(q)).mappings().first()
        return _clock_of_row(row) if row else None

    async def save_clock(self, tenant_id: str, clock: SlaClock) -> None:
        values = {**asdict(clock), "target": clock.target.value, "tenant_id": tenant_id}
        await self.conn.execute(
            self._upsert()(sla_clocks)
            .values(**values)
            .on_conflict_do_update(
                index_elements=["ticket_id", "target"],
                set_={k: v for k, v in values.items() if k not in ("ticket_id", "target")},
            )
        )
