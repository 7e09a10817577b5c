"""`SqlWfmStore`: workforce management's tables, plus what it reads from the rest of the schema
(queue visits of the contacts projection for history, agent state changes from the event log,
queues, calendars, agents and teams). Every query is filtered by tenant; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.rows import row_dict
from hotline.store.tables import (
    agent_segments,
    agent_teams,
    agents,
    calendars,
    events,
    holiday_calendars,
    queues,
    tenants,
    users,
    work_items,
)
from hotline.store.wfm_tables import (
    wfm_contracts,
    wfm_intervals,
    wfm_plans,
    wfm_requests,
    wfm_schedules,
    wfm_shifts,
    wfm_templates,
)
from hotline.workforce.history import IntervalRow

__all__ = ["SqlWfmStore"]

Row = dict[str, Any]


class SqlWfmStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _all(self, query: Any) -> list[Row]:
        return [row_dict(r) for r in await self.conn.execute(query)]

    async def _one(self, query: Any) -> Row | None:
        row = (await self.conn.execute(query.limit(1))).first()
        return row_dict(row) if row else None

    # -- history ---------------------------------------------------------------------------

    async def save_intervals(
        self,
        tenant_id: str,
        rows: Sequence[tuple[IntervalRow, float, int]],
        *,
        source: str,
        now: float,
    ) -> int:
        """Replace any stored interval with the same queue and start (an import is idempotent)."""
        t = wfm_intervals
        by_queue: dict[str, list[float]] = {}
        for row, start_at, _ in rows:
            by_queue.setdefault(row.queue_id, []).append(start_at)
        for queue, starts in by_queue.items():
            for chunk in range(0, len(starts), 500):
                await self.conn.execute(
                    delete(t).where(
                        t.c.tenant_id == tenant_id,
                        t.c.queue_id == queue,
                        t.c.start_at.in_(starts[chunk : chunk + 500]),
                    )
                )
        values = [
            {
                "tenant_id": tenant_id,
                "queue_id": row.queue_id,
                "start_at": start_at,
                "interval_s": interval_s,
                "offered": row.offered,
                "answered": row.answered,
                "abandoned": row.abandoned,
                "handle_s": row.handle_s,
                "wait_s": row.wait_s,
                "source": source,
                "created_at": now,
            }
            for row, start_at, interval_s in rows
        ]
        for chunk in range(0, len(values), 1000):
            await self.conn.execute(insert(t), values[chunk : chunk + 1000])
        return len(values)

    async def imported_intervals(
        self, tenant_id: str, queue_id: str, start: float, end: float
    ) -> list[Row]:
        t = wfm_intervals
        return await self._all(
            select(t)
            .where(
                t.c.tenant_id == tenant_id,
                t.c.queue_id == queue_id,
                t.c.start_at >= start,
                t.c.start_at < end,
            )
            .order_by(t.c.start_at)
        )

    async def contacts(self, tenant_id: str, queue: str, start: float, end: float) -> list[Row]:
        """Every visit to `queue` that entered it in [start, end): a contact transferred from
        one queue to another is offered to both (GLOSSARY, *offered*). Handle time is the talk,
        hold and wrap-up of the visit's agent segments (a consultation joins a second one)."""
        w, s = work_items, agent_segments
        handled = (
            select(
                s.c.work_seq,
                func.sum(func.coalesce(s.c.talk_s, 0.0)).label("talk_s"),
                func.sum(s.c.hold_s).label("hold_s"),
                func.sum(func.coalesce(s.c.wrap_up_s, 0.0)).label("wrap_up_s"),
            )
            .where(s.c.tenant_id == tenant_id, s.c.queue_id == queue)
            .group_by(s.c.work_seq)
            .subquery()
        )
        return await self._all(
            select(
                w.c.entered_at.label("started_at"),
                w.c.answered_at,
                (w.c.outcome == "abandoned").label("abandoned"),
                w.c.wait_s,
                handled.c.talk_s,
                handled.c.hold_s,
                handled.c.wrap_up_s,
            )
            .select_from(w.outerjoin(handled, handled.c.work_seq == w.c.seq))
            .where(
                w.c.tenant_id == tenant_id,
                w.c.queue_id == queue,
                w.c.entered_at >= start,
                w.c.entered_at < end,
            )
        )

    async def hours_of_queue(
        self, tenant_id: str, queue: str
    ) -> tuple[Row | None, dict[str, list[Any]]]:
        q, c, h = queues, calendars, holiday_calendars
        row = await self._one(
            select(c)
            .select_from(q.join(c, q.c.calendar_id == c.c.id))
            .where(q.c.tenant_id == tenant_id, q.c.name == queue)
        )
        if row is None:
            return None, {}
        linked = [str(i) for i in row.get("holiday_calendar_ids") or []]
        if not linked:
            return row, {}
        sets = await self._all(
            select(h.c.id, h.c.entries).where(h.c.tenant_id == tenant_id, h.c.id.in_(linked))
        )
        return row, {str(s["id"]): list(s["entries"]) for s in sets}

    async def tenant_zone(self, tenant_id: str) -> str:
        row = await self._one(select(tenants.c.timezone).where(tenants.c.id == tenant_id))
        return str(row["timezone"]) if row else "Asia/Shanghai"

    async def queue(self, tenant_id: str, name: str) -> Row | None:
        return await self._one(
            select(queues).where(queues.c.tenant_id == tenant_id, queues.c.name == name)
        )

    async def queue_names(self, tenant_id: str) -> list[str]:
        rows = await self._all(
            select(queues.c.name).where(queues.c.tenant_id == tenant_id).order_by(queues.c.name)
        )
        imported = await self._all(
            select(wfm_intervals.c.queue_id)
            .where(wfm_intervals.c.tenant_id == tenant_id)
            .distinct()
        )
        return sorted({r["name"] for r in rows} | {r["queue_id"] for r in imported})

    # -- agents, templates, contracts ------------------------------------------------------

    async def agents(self, tenant_id: str, team_id: str | None) -> list[Row]:
        query = (
            select(agents.c.id, users.c.display_name, users.c.username)
            .select_from(agents.join(users, agents.c.user_id == users.c.id))
            .where(agents.c.tenant_id == tenant_id, users.c.active.is_(True))
            .order_by(users.c.username)
        )
        if team_id is not None:
            query = query.where(
                agents.c.id.in_(
                    select(agent_teams.c.agent_id).where(agent_teams.c.team_id == team_id)
                )
            )
        return await self._all(query)

    async def templates(self, tenant_id: str) -> list[Row]:
        t = wfm_templates
        return await self._all(select(t).where(t.c.tenant_id == tenant_id).order_by(t.c.name))

    async def template(self, tenant_id: str, template_id: str) -> Row | None:
        t = wfm_templates
        return await self._one(select(t).where(t.c.tenant_id == tenant_id, t.c.id == template_id))

    async def template_by_name(self, tenant_id: str, name: str) -> Row | None:
        t = wfm_templates
        return await self._one(select(t).where(t.c.tenant_id == tenant_id, t.c.name == name))

    async def add_template(self, row: Row) -> None:
        await self.conn.execute(insert(wfm_templates).values(**row))

    async def update_template(self, tenant_id: str, template_id: str, values: Row) -> None:
        t = wfm_templates
        await self.conn.execute(
            update(t).where(t.c.tenant_id == tenant_id, t.c.id == template_id).values(**values)
        )

    async def delete_template(self, tenant_id: str, template_id: str) -> bool:
        t = wfm_templates
        result = await self.conn.execute(
            delete(t).where(t.c.tenant_id == tenant_id, t.c.id == template_id)
        )
        return bool(result.rowcount)

    async def contracts(self, tenant_id: str) -> dict[str, Row]:
        t = wfm_contracts
        rows = await self._all(select(t).where(t.c.tenant_id == tenant_id))
        return {r["agent_id"]: r for r in rows}

    async def put_contract(self, row: Row) -> None:
        t = wfm_contracts
        await self.conn.execute(
            delete(t).where(t.c.tenant_id == row["tenant_id"], t.c.agent_id == row["agent_id"])
        )
        await self.conn.execute(insert(t).values(**row))

    # -- plans and schedules ---------------------------------------------------------------

    async def add_plan(self, row: Row) -> None:
        await self.conn.execute(insert(wfm_plans).values(**row))

    async def plan(self, tenant_id: str, plan_id: str) -> Row | None:
        t = wfm_plans
        return await self._one(select(t).where(t.c.tenant_id == tenant_id, t.c.id == plan_id))

    async def plans(self, tenant_id: str, limit: int) -> list[Row]:
        t = wfm_plans
        return await self._all(
            select(t.c.id, t.c.queue_id, t.c.week_start, t.c.interval_s, t.c.model, t.c.created_at)
            .where(t.c.tenant_id == tenant_id)
            .order_by(t.c.created_at.desc(), t.c.id.desc())
            .limit(limit)
        )

    async def add_schedule(self, row: Row, shifts: Sequence[Row]) -> None:
        await self.conn.execute(insert(wfm_schedules).values(**row))
        if shifts:
            await self.conn.execute(insert(wfm_shifts), list(shifts))

    async def schedule(self, tenant_id: str, schedule_id: str) -> Row | None:
        t = wfm_schedules
        return await self._one(select(t).where(t.c.tenant_id == tenant_id, t.c.id == schedule_id))

    async def schedules(self, tenant_id: str, limit: int) -> list[Row]:
        t = wfm_schedules
        return await self._all(
            select(t.c.id, t.c.plan_id, t.c.team_id, t.c.week_start, t.c.status, t.c.created_at)
            .where(t.c.tenant_id == tenant_id)
            .order_by(t.c.created_at.desc(), t.c.id.desc())
            .limit(limit)
        )

    async def update_schedule(self, tenant_id: str, schedule_id: str, values: Row) -> None:
        t = wfm_schedules
        await self.conn.execute(
            update(t).where(t.c.tenant_id == tenant_id, t.c.id == schedule_id).values(**values)
        )

    async def shifts_of_schedule(self, tenant_id: str, schedule_id: str) -> list[Row]:
        t = wfm_shifts
        return await self._all(
            select(t)
            .where(t.c.tenant_id == tenant_id, t.c.schedule_id == schedule_id)
            .order_by(t.c.agent_id, t.c.start_at)
        )

    async def shift(self, tenant_id: str, shift_id: str) -> Row | None:
        t = wfm_shifts
        return await self._one(select(t).where(t.c.tenant_id == tenant_id, t.c.id == shift_id))

    async def published_shifts(
        self, tenant_id: str, start: float, end: float, agent_id: str | None
    ) -> list[Row]:
        t, s = wfm_shifts, wfm_schedules
        query = (
            select(t)
            .select_from(t.join(s, t.c.schedule_id == s.c.id))
            .where(
                t.c.tenant_id == tenant_id,
                s.c.status == "published",
                t.c.start_at < end,
                t.c.end_at > start,
            )
            .order_by(t.c.start_at, t.c.agent_id)
        )
        if agent_id is not None:
            query = query.where(t.c.agent_id == agent_id)
        return await self._all(query)

    async def update_shift(self, tenant_id: str, shift_id: str, values: Row) -> None:
        t = wfm_shifts
        await self.conn.execute(
            update(t).where(t.c.tenant_id == tenant_id, t.c.id == shift_id).values(**values)
        )

    async def delete_shift(self, tenant_id: str, shift_id: str) -> None:
        t = wfm_shifts
        await self.conn.execute(delete(t).where(t.c.tenant_id == tenant_id, t.c.id == shift_id))

    # -- requests --------------------------------------------------------------------------

    async def add_request(self, row: Row) -> None:
        await self.conn.execute(insert(wfm_requests).values(**row))

    async def request(self, tenant_id: str, request_id: str) -> Row | None:
        t = wfm_requests
        return await self._one(select(t).where(t.c.tenant_id == tenant_id, t.c.id == request_id))

    async def requests(self, tenant_id: str, agent_id: str | None, status: str | None) -> list[Row]:
        t = wfm_requests
        query = select(t).where(t.c.tenant_id == tenant_id)
        if agent_id is not None:
            query = query.where((t.c.agent_id == agent_id) | (t.c.other_agent_id == agent_id))
        if status is not None:
            query = query.where(t.c.status == status)
        return await self._all(query.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(200))

    async def update_request(self, tenant_id: str, request_id: str, values: Row) -> None:
        t = wfm_requests
        await self.conn.execute(
            update(t).where(t.c.tenant_id == tenant_id, t.c.id == request_id).values(**values)
        )

    async def approved_time_off(self, tenant_id: str, start: float, end: float) -> list[Row]:
        t = wfm_requests
        return await self._all(
            select(t).where(
                t.c.tenant_id == tenant_id,
                t.c.kind == "time_off",
                t.c.status == "approved",
                and_(t.c.starts_at < end, t.c.ends_at > start),
            )
        )

    # -- real states -----------------------------------------------------------------------

    async def state_changes(
        self, tenant_id: str, start: float, end: float, agent_id: str | None
    ) -> list[Row]:
        t = events
        query = select(t.c.at, t.c.agent_id, t.c.payload).where(
            t.c.tenant_id == tenant_id,
            t.c.type == "agent.state_changed",
            t.c.at >= start,
            t.c.at < end,
        )
        if agent_id is not None:
            query = query.where(t.c.agent_id == agent_id)
        return await self._all(query.order_by(t.c.at, t.c.seq))
