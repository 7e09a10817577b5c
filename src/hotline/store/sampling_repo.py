"""QA sampling on a connection (hotline.quality.sampling's repository): a center's rules, the
week's agent segments as candidates, the QA users and their open tasks, and the tasks.
Repositories flush; the edge (or the job host) commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.quality.sampling import Candidate, SamplingRules
from hotline.store.evaluation_tables import qa_evaluations
from hotline.store.quality_tables import qa_sampling_rules, qa_tasks
from hotline.store.rows import row_dict
from hotline.store.tables import agent_segments, agents, tenants, users

__all__ = ["SqlSampling"]


class SqlSampling:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def rules(self, tenant_id: str) -> SamplingRules | None:
        r = qa_sampling_rules
        found = await self.conn.scalar(select(r.c.rules).where(r.c.tenant_id == tenant_id))
        return None if found is None else SamplingRules.model_validate(found)

    async def save_rules(
        self, tenant_id: str, rules: SamplingRules, by: str | None, now: float
    ) -> None:
        r = qa_sampling_rules
        values = {"rules": rules.model_dump(mode="json"), "updated_at": now, "updated_by": by}
        done = await self.conn.execute(update(r).where(r.c.tenant_id == tenant_id).values(values))
        if done.rowcount == 0:
            await self.conn.execute(insert(r).values(tenant_id=tenant_id, **values))

    async def timezone(self, tenant_id: str) -> str:
        found = await self.conn.scalar(select(tenants.c.timezone).where(tenants.c.id == tenant_id))
        return str(found or "UTC")

    async def candidates(self, tenant_id: str, start: float, end: float) -> list[Candidate]:
        """The agent segments that ended in [start, end)."""
        s = agent_segments
        q = (
            select(
                s.c.interaction_id, s.c.work_id, s.c.agent_id, s.c.answered_at, s.c.ended_at,
                s.c.disposition, s.c.csat, s.c.csat_scale,
            )
            .where(s.c.tenant_id == tenant_id, s.c.ended_at >= start, s.c.ended_at < end)
            .order_by(s.c.answered_at, s.c.work_seq)
        )  # fmt: skip
        return [
            Candidate(
                interaction_id=r.interaction_id, work_id=r.work_id, agent_id=r.agent_id,
                answered_at=float(r.answered_at),
                duration_s=float(r.ended_at) - float(r.answered_at),
                disposition=r.disposition, csat=r.csat, csat_scale=r.csat_scale,
            )
            for r in await self.conn.execute(q)
        ]  # fmt: skip

    async def agent_since(self, tenant_id: str, agent_ids: Iterable[str]) -> dict[str, float]:
        """When each agent started: her agent record's creation."""
        wanted = sorted(set(agent_ids))
        if not wanted:
            return {}
        q = select(agents.c.id, agents.c.created_at).where(
            agents.c.tenant_id == tenant_id, agents.c.id.in_(wanted)
        )
        return {r.id: float(r.created_at) for r in await self.conn.execute(q)}

    async def sampled(self, tenant_id: str, interaction_ids: Iterable[str]) -> set[str]:
        """Those of the contacts that have a task already."""
        wanted = sorted(set(interaction_ids))
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            q = select(qa_tasks.c.interaction_id).where(
                qa_tasks.c.tenant_id == tenant_id,
                qa_tasks.c.interaction_id.in_(wanted[i : i + 500]),
            )
            found.update(await self.conn.scalars(q))
        return found

    async def evaluators(self, tenant_id: str) -> dict[str, str | None]:
        """The center's active QA users, each with her own agent id (None when not an agent)."""
        q = (
            select(users.c.id, users.c.roles, agents.c.id.label("agent_id"))
            .join(agents, agents.c.user_id == users.c.id, isouter=True)
            .where(users.c.tenant_id == tenant_id, users.c.active.is_(True))
        )
        return {r.id: r.agent_id for r in await self.conn.execute(q) if "qa" in (r.roles or [])}

    async def open_counts(self, tenant_id: str) -> dict[str, int]:
        t = qa_tasks
        q = (
            select(t.c.assignee_id, func.count())
            .where(t.c.tenant_id == tenant_id, t.c.state == "open", t.c.assignee_id.is_not(None))
            .group_by(t.c.assignee_id)
        )
        return {str(a): int(n) for a, n in await self.conn.execute(q)}

    async def add_tasks(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert the tasks; a contact with a task already (a run racing this one) is skipped.
        Returns how many were written."""
        if not rows:
            return 0
        dialect = self.conn.dialect.name
        stmt: Any
        if dialect == "postgresql":
            stmt = pg_insert(qa_tasks).on_conflict_do_nothing(constraint="uq_qa_tasks_contact")
        else:
            stmt = sqlite_insert(qa_tasks).on_conflict_do_nothing(
                index_elements=["tenant_id", "interaction_id"]
            )
        written = 0
        for row in rows:
            done = await self.conn.execute(stmt.values(**row))
            written += max(done.rowcount, 0)
        return written

    async def task(self, tenant_id: str, task_id: str) -> dict[str, Any] | None:
        t = qa_tasks
        q = select(t).where(t.c.tenant_id == tenant_id, t.c.id == task_id)
        found = (await self.conn.execute(q)).mappings().first()
        return None if found is None else dict(found)

    async def evaluation_started(self, tenant_id: str, task_id: str) -> bool:
        """Whether the task's evaluation exists (a draft or more)."""
        e = qa_evaluations
        q = select(e.c.id).where(e.c.tenant_id == tenant_id, e.c.task_id == task_id).limit(1)
        return await self.conn.scalar(q) is not None

    async def update_task(self, tenant_id: str, task_id: str, values: Mapping[str, Any]) -> None:
        t = qa_tasks
        await self.conn.execute(
            update(t).where(t.c.tenant_id == tenant_id, t.c.id == task_id).values(dict(values))
        )

    async def tasks(
        self,
        tenant_id: str,
        *,
        week: str | None = None,
        states: Sequence[str] = (),
        assignee_id: str | None = None,
        agent_id: str | None = None,
        task_id: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        t = qa_tasks
        q = (
            select(t, users.c.display_name.label("assignee_name"))
            .join(users, users.c.id == t.c.assignee_id, isouter=True)
            .where(t.c.tenant_id == tenant_id)
        )
        if week:
            q = q.where(t.c.week == week)
        if states:
            q = q.where(t.c.state.in_(list(states)))
        if assignee_id:
            q = q.where(t.c.assignee_id == assignee_id)
        if agent_id:
            q = q.where(t.c.agent_id == agent_id)
        if task_id:
            q = q.where(t.c.id == task_id)
        q = q.order_by(t.c.week.desc(), t.c.created_at, t.c.id).limit(limit)
        return [row_dict(r) for r in await self.conn.execute(q)]
