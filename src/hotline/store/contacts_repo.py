"""SQL implementations of the contact history's ports (`hotline.history.ports`): the contacts
list and a contact's rows (projections of the log), recordings, codes and teams, the worklist
with its claims, and queue membership as the router decides it. Repositories only execute
statements on the unit of work's connection; the edge commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from hotline.directory.routing import load_routing_config
from hotline.history.model import ContactQuery, Scope, WorklistQuery
from hotline.history.ports import Row
from hotline.ids import AgentId
from hotline.store.repos import SqlRepos
from hotline.store.rows import text_contains
from hotline.store.tables import (
    agent_segments,
    agent_teams,
    contact_aliases,
    disposition_codes,
    interactions,
    recordings,
    teams,
    tickets,
    work_items,
    worklist,
    worklist_claims,
)
from hotline.store.ticket_tables import ticket_links

__all__ = ["SqlContacts", "SqlQueueMembership", "SqlWorklist"]


def _rows(result: Any) -> list[Row]:
    return [dict(r._mapping) for r in result]


def _in_worklist_of(tenant_id: str, queues: frozenset[str]) -> ColumnElement[bool]:
    return interactions.c.id.in_(
        select(worklist.c.interaction_id).where(
            worklist.c.tenant_id == tenant_id, worklist.c.queue_id.in_(sorted(queues))
        )
    )


def visible(tenant_id: str, scope: Scope) -> ColumnElement[bool]:
    """The SQL condition for the contacts `scope` shows (`model.contact_scope` decides it)."""
    tenant = interactions.c.tenant_id == tenant_id
    if scope.everything:
        return tenant
    parts: list[ColumnElement[bool]] = []
    if scope.agents:
        parts.append(
            interactions.c.id.in_(
                select(agent_segments.c.interaction_id).where(
                    agent_segments.c.tenant_id == tenant_id,
                    agent_segments.c.agent_id.in_(sorted(scope.agents)),
                )
            )
        )
    if scope.unanswered:
        parts.append(interactions.c.answered_at.is_(None))
    if scope.queues:
        parts.append(_in_worklist_of(tenant_id, scope.queues))
    return and_(tenant, or_(*parts)) if parts else false()


def _segment_with(tenant_id: str, **where: Any) -> ColumnElement[bool]:
    return interactions.c.id.in_(
        select(agent_segments.c.interaction_id).where(
            agent_segments.c.tenant_id == tenant_id,
            *(agent_segments.c[k] == v for k, v in where.items()),
        )
    )


def _filters(tenant_id: str, q: ContactQuery) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if q.since is not None:
        out.append(interactions.c.started_at >= q.since)
    if q.until is not None:
        out.append(interactions.c.started_at < q.until)
    if q.agent_id:
        out.append(_segment_with(tenant_id, agent_id=q.agent_id))
    if q.queue:
        out.append(
            interactions.c.id.in_(
                select(work_items.c.interaction_id).where(
                    work_items.c.tenant_id == tenant_id, work_items.c.queue_id == q.queue
                )
            )
        )
    if q.disposition:
        out.append(
            or_(
                interactions.c.disposition == q.disposition,
                _segment_with(tenant_id, disposition=q.disposition),
            )
        )
    for column, value in (
        (interactions.c.customer_id, q.customer_id),
        (interactions.c.channel, q.channel),
        (interactions.c.outcome, q.outcome),
    ):
        if value:
            out.append(column == value)
    if q.number:
        out.append(text_contains(interactions.c.caller_number, q.number))
    return out


class SqlContacts:
    """`ContactRepository` on the contact projections."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _contact_of(self, tenant_id: str, interaction_id: str) -> str:
        alias = await self.conn.scalar(
            select(contact_aliases.c.contact_id).where(
                contact_aliases.c.tenant_id == tenant_id,
                contact_aliases.c.alias_id == interaction_id,
            )
        )
        return str(alias or interaction_id)

    async def page(
        self, tenant_id: str, scope: Scope, query: ContactQuery
    ) -> tuple[list[Row], int]:
        q = select(interactions).where(visible(tenant_id, scope), *_filters(tenant_id, query))
        total = int(await self.conn.scalar(select(func.count()).select_from(q.subquery())) or 0)
        rows = await self.conn.execute(
            q.order_by(interactions.c.started_at.desc(), interactions.c.id)
            .limit(query.limit)
            .offset(query.offset)
        )
        return _rows(rows), total

    async def get(self, tenant_id: str, scope: Scope, contact_id: str) -> Row | None:
        contact = await self._contact_of(tenant_id, contact_id)
        row = (
            await self.conn.execute(
                select(interactions).where(visible(tenant_id, scope), interactions.c.id == contact)
            )
        ).first()
        return dict(row._mapping) if row is not None else None

    async def work_items(self, tenant_id: str, contact_id: str) -> list[Row]:
        return _rows(
            await self.conn.execute(
                select(work_items)
                .where(
                    work_items.c.tenant_id == tenant_id, work_items.c.interaction_id == contact_id
                )
                .order_by(work_items.c.seq)
            )
        )

    async def segments(self, tenant_id: str, contact_id: str) -> list[Row]:
        return _rows(
            await self.conn.execute(
                select(agent_segments)
                .where(
                    agent_segments.c.tenant_id == tenant_id,
                    agent_segments.c.interaction_id == contact_id,
                )
                .order_by(agent_segments.c.answered_at, agent_segments.c.work_seq)
            )
        )

    async def latest_segment(self, tenant_id: str, contact_id: str, agent_id: str) -> Row | None:
        row = (
            await self.conn.execute(
                select(agent_segments)
                .where(
                    agent_segments.c.tenant_id == tenant_id,
                    agent_segments.c.interaction_id == contact_id,
                    agent_segments.c.agent_id == agent_id,
                )
                .order_by(agent_segments.c.answered_at.desc(), agent_segments.c.work_seq.desc())
                .limit(1)
            )
        ).first()
        return dict(row._mapping) if row is not None else None

    async def recordings(self, tenant_id: str, contact_id: str) -> list[Row]:
        folded = select(contact_aliases.c.alias_id).where(
            contact_aliases.c.tenant_id == tenant_id, contact_aliases.c.contact_id == contact_id
        )
        return _rows(
            await self.conn.execute(
                select(recordings)
                .where(
                    recordings.c.tenant_id == tenant_id,
                    or_(
                        recordings.c.interaction_id == contact_id,
                        recordings.c.interaction_id.in_(folded),
                    ),
                )
                .order_by(recordings.c.started_at)
            )
        )

    async def recording(self, tenant_id: str, recording_id: str) -> Row | None:
        row = (
            await self.conn.execute(
                select(recordings).where(
                    recordings.c.tenant_id == tenant_id, recordings.c.id == recording_id
                )
            )
        ).first()
        return dict(row._mapping) if row is not None else None

    async def disposition_category(self, tenant_id: str, code: str) -> str | None:
        found = await self.conn.scalar(
            select(disposition_codes.c.category).where(
                disposition_codes.c.tenant_id == tenant_id,
                disposition_codes.c.code == code,
                disposition_codes.c.active.is_(True),
            )
        )
        return str(found) if found is not None else None

    async def team_agents(self, tenant_id: str, supervisor_user_id: str) -> frozenset[str]:
        q = (
            select(agent_teams.c.agent_id)
            .join(teams, teams.c.id == agent_teams.c.team_id)
            .where(teams.c.tenant_id == tenant_id, teams.c.supervisor_id == supervisor_user_id)
        )
        return frozenset(str(a) for a in (await self.conn.execute(q)).scalars())

    async def recent(
        self,
        tenant_id: str,
        *,
        number: str | None,
        customer_id: str | None,
        exclude: Sequence[str],
        limit: int,
    ) -> list[Row]:
        who = []
        if number:
            who.append(interactions.c.caller_number == number)
        if customer_id:
            who.append(interactions.c.customer_id == customer_id)
        if not who:
            return []
        return _rows(
            await self.conn.execute(
                select(
                    interactions.c.id,
                    interactions.c.started_at,
                    interactions.c.channel,
                    interactions.c.outcome,
                    interactions.c.disposition,
                    interactions.c.agent_id,
                )
                .where(
                    interactions.c.tenant_id == tenant_id,
                    interactions.c.id.not_in(list(exclude)),
                    or_(*who),
                )
                .order_by(interactions.c.started_at.desc())
                .limit(limit)
            )
        )

    async def open_tickets(
        self, tenant_id: str, customer_id: str | None, number: str | None, limit: int
    ) -> list[Row]:
        """Open tickets of the customer, and those about a contact from this number (a
        ticket opened for a caller not yet in the customers has no customer)."""
        who: list[ColumnElement[bool]] = []
        if customer_id:
            who.append(tickets.c.customer_id == customer_id)
        if number:
            who.append(
                tickets.c.id.in_(
                    select(ticket_links.c.ticket_id)
                    .join(
                        interactions,
                        (interactions.c.tenant_id == ticket_links.c.tenant_id)
                        & (interactions.c.id == ticket_links.c.interaction_id),
                    )
                    .where(
                        ticket_links.c.tenant_id == tenant_id,
                        interactions.c.caller_number == number,
                    )
                )
            )
        if not who:
            return []
        return _rows(
            await self.conn.execute(
                select(
                    tickets.c.id,
                    tickets.c.number,
                    tickets.c.subject,
                    tickets.c.status,
                    tickets.c.priority,
                    tickets.c.department,
                    tickets.c.due_date,
                    tickets.c.created_at,
                )
                .where(
                    tickets.c.tenant_id == tenant_id,
                    or_(*who),
                    tickets.c.status.in_(("new", "open", "pending", "on_hold")),
                )
                .order_by(tickets.c.created_at.desc())
                .limit(limit)
            )
        )


_WORKLIST = (
    select(
        worklist,
        worklist_claims.c.agent_id.label("claimed_by"),
        worklist_claims.c.claimed_at,
        interactions.c.started_at,
        interactions.c.caller_name,
        interactions.c.vip_level,
    )
    .outerjoin(
        worklist_claims,
        and_(
            worklist_claims.c.tenant_id == worklist.c.tenant_id,
            worklist_claims.c.interaction_id == worklist.c.interaction_id,
        ),
    )
    .outerjoin(
        interactions,
        and_(
            interactions.c.tenant_id == worklist.c.tenant_id,
            interactions.c.id == worklist.c.interaction_id,
        ),
    )
)


class SqlWorklist:
    """`WorklistRepository`: the worklist projection joined with the claims (ADR 0066)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def page(
        self, tenant_id: str, scope: Scope, query: WorklistQuery
    ) -> tuple[list[Row], int]:
        q = _WORKLIST.where(worklist.c.tenant_id == tenant_id)
        if not scope.everything:
            q = q.where(worklist.c.queue_id.in_(sorted(scope.queues)))
        if query.queue:
            q = q.where(worklist.c.queue_id == query.queue)
        if not query.include_done:
            q = q.where(worklist.c.followed_up_at.is_(None))
        total = int(await self.conn.scalar(select(func.count()).select_from(q.subquery())) or 0)
        rows = await self.conn.execute(
            q.order_by(worklist.c.missed_at.desc(), worklist.c.interaction_id)
            .limit(query.limit)
            .offset(query.offset)
        )
        return _rows(rows), total

    async def get(self, tenant_id: str, interaction_id: str) -> Row | None:
        row = (
            await self.conn.execute(
                _WORKLIST.where(
                    worklist.c.tenant_id == tenant_id, worklist.c.interaction_id == interaction_id
                )
            )
        ).first()
        return dict(row._mapping) if row is not None else None

    async def claim(
        self, tenant_id: str, interaction_id: str, agent_id: str, at: float
    ) -> tuple[Row, bool]:
        # One conditional write: the primary key lets exactly one of two racing inserts in
        # (PostgreSQL makes the second wait for the first's commit, SQLite serialises writers).
        insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        done = await self.conn.execute(
            insert(worklist_claims)
            .values(
                tenant_id=tenant_id, interaction_id=interaction_id, agent_id=agent_id, claimed_at=at
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "interaction_id"])
        )
        row = (
            await self.conn.execute(
                select(worklist_claims).where(
                    worklist_claims.c.tenant_id == tenant_id,
                    worklist_claims.c.interaction_id == interaction_id,
                )
            )
        ).one()
        return dict(row._mapping), done.rowcount == 1

    async def release(self, tenant_id: str, interaction_id: str, agent_id: str) -> bool:
        done = await self.conn.execute(
            worklist_claims.delete().where(
                worklist_claims.c.tenant_id == tenant_id,
                worklist_claims.c.interaction_id == interaction_id,
                worklist_claims.c.agent_id == agent_id,
            )
        )
        return bool(done.rowcount)


class SqlQueueMembership:
    """`QueueMembership` from the routing configuration: the queues whose requirement (skills,
    proficiency, teams) the agent meets — `Requirement.satisfied_by`, the router's own rule."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def queues_of(self, tenant_id: str, agent_id: str) -> frozenset[str]:
        config = await load_routing_config(SqlRepos(self.conn), tenant_id)
        profile = config.agents.get(AgentId(agent_id))
        if profile is None:
            return frozenset()
        return frozenset(
            str(queue_id)
            for queue_id, queue in config.queues.items()
            if queue.requirement.satisfied_by(profile)
        )
