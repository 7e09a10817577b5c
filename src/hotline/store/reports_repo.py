"""SQL of the reports (`analytics/reports/ports.py`): sums of interval or daily facts, reason facts,
teams and targets, and the contact projection's rows behind a figure (drill-down)."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Select, Table, and_, delete, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from hotline.analytics.reports.counting import Counting
from hotline.analytics.reports.measures import MAX_MEASURES, MEASURES, Dim, M
from hotline.routing.personal import PERSONAL_QUEUE
from hotline.store.report_tables import (
    report_counting,
    report_days,
    report_facts,
    report_reasons,
    report_targets,
)
from hotline.store.tables import (
    agent_segments,
    agent_teams,
    agents,
    interactions,
    queues,
    teams,
    users,
    work_items,
)

__all__ = [
    "SqlReportContacts",
    "SqlReportDirectory",
    "SqlReportFacts",
    "delete_targets",
    "load_counting",
    "save_counting",
    "save_targets",
]

_KEY_CHUNK = 900  # bound parameters per IN list, under SQLite's limit with room to spare


def _sums(table: Table = report_facts) -> list[Any]:
    return [
        (func.max if M[name.upper()] in MAX_MEASURES else func.sum)(table.c[name]).label(name)
        for name in MEASURES
    ]


def _row(values: Any) -> list[int]:
    return [int(v or 0) for v in values]


class SqlReportFacts:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _where(
        self, table: Table, tenant_id: str, dim: str, start: float, end: float
    ) -> ColumnElement[bool]:
        when = table.c.day_start if table is report_days else table.c.interval_start
        return and_(
            table.c.tenant_id == tenant_id, table.c.dim == dim, when >= int(start), when < int(end)
        )

    async def _chunks(
        self, query: Select[Any], keys: Collection[str] | None, column: Any
    ) -> list[Any]:
        if keys is None:
            return list(await self.conn.execute(query))
        ordered = sorted(keys)
        rows: list[Any] = []
        for at in range(0, len(ordered), _KEY_CHUNK):
            rows += list(
                await self.conn.execute(query.where(column.in_(ordered[at : at + _KEY_CHUNK])))
            )
        return rows

    async def totals(
        self,
        tenant_id: str,
        dim: str,
        start: float,
        end: float,
        keys: Collection[str] | None,
        *,
        daily: bool = False,
    ) -> dict[str, list[int]]:
        table = report_days if daily else report_facts
        query = (
            select(table.c.key, *_sums(table))
            .where(self._where(table, tenant_id, dim, start, end))
            .group_by(table.c.key)
        )
        return {str(r[0]): _row(r[1:]) for r in await self._chunks(query, keys, table.c.key)}

    async def by_interval(
        self, tenant_id: str, dim: str, start: float, end: float, keys: Collection[str] | None
    ) -> dict[int, list[int]]:
        query = (
            select(report_facts.c.interval_start, *_sums())
            .where(self._where(report_facts, tenant_id, dim, start, end))
            .group_by(report_facts.c.interval_start)
        )
        out: dict[int, list[int]] = {}
        for r in await self._chunks(query, keys, report_facts.c.key):
            row = out.setdefault(int(r[0]), [0] * len(M))
            for index, value in enumerate(_row(r[1:])):  # key chunks: merge their partial sums
                row[index] = max(row[index], value) if index in MAX_MEASURES else row[index] + value
        return out

    async def reasons(
        self,
        tenant_id: str,
        dim: str,
        start: float,
        end: float,
        keys: Collection[str] | None,
        kind: str,
        limit: int,
    ) -> list[tuple[str, int, int]]:
        r = report_reasons.c
        query = (
            select(r.reason, func.sum(r.times), func.sum(r.ms))
            .where(r.tenant_id == tenant_id, r.dim == dim, r.kind == kind,
                   r.interval_start >= int(start), r.interval_start < int(end))
            .group_by(r.reason)
        )  # fmt: skip
        merged: dict[str, list[int]] = {}
        for reason, times, ms in await self._chunks(query, keys, r.key):
            row = merged.setdefault(str(reason), [0, 0])
            row[0] += int(times or 0)
            row[1] += int(ms or 0)
        ranked = sorted(merged.items(), key=lambda i: (-i[1][0], -i[1][1], i[0]))
        return [(reason, t, ms) for reason, (t, ms) in ranked if t > 0 or ms > 0][:limit]


class SqlReportDirectory:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def teams(self, tenant_id: str) -> dict[str, frozenset[str]]:
        rows = await self.conn.execute(
            select(teams.c.name, agent_teams.c.agent_id)
            .outerjoin(agent_teams, agent_teams.c.team_id == teams.c.id)
            .where(teams.c.tenant_id == tenant_id)
        )
        out: dict[str, set[str]] = {}
        for name, agent in rows:
            members = out.setdefault(str(name), set())
            if agent is not None:
                members.add(str(agent))
        return {name: frozenset(members) for name, members in out.items()}

    async def supervised(self, tenant_id: str, user_id: str) -> frozenset[str]:
        q = select(teams.c.name).where(
            teams.c.tenant_id == tenant_id, teams.c.supervisor_id == user_id
        )
        return frozenset(str(n) for n in (await self.conn.execute(q)).scalars())

    async def counting(self, tenant_id: str) -> Counting:
        return await load_counting(self.conn, tenant_id)

    async def targets(self, tenant_id: str) -> dict[str, Mapping[str, Any]]:
        q = select(report_targets.c.queue_id, report_targets.c.targets).where(
            report_targets.c.tenant_id == tenant_id
        )
        return {str(queue): dict(values) for queue, values in await self.conn.execute(q)}

    async def labels(self, tenant_id: str, dim: str, keys: Collection[str]) -> dict[str, str]:
        if not keys:
            return {}
        chosen = sorted(keys)
        if dim == Dim.AGENT:
            q = (
                select(agents.c.id, users.c.display_name)
                .join(users, users.c.id == agents.c.user_id)
                .where(agents.c.tenant_id == tenant_id, agents.c.id.in_(chosen))
            )
        elif dim == Dim.QUEUE:
            q = select(queues.c.name, queues.c.display_name).where(
                queues.c.tenant_id == tenant_id, queues.c.name.in_(chosen)
            )
        else:
            return {}
        return {str(key): str(name) for key, name in await self.conn.execute(q) if name}


async def load_counting(conn: AsyncConnection, tenant_id: str) -> Counting:
    """A tenant's counting rules (the defaults where it set none)."""
    q = select(report_counting.c.rules).where(report_counting.c.tenant_id == tenant_id)
    stored = await conn.scalar(q)
    return Counting.of(dict(stored)) if stored else Counting()


async def save_counting(conn: AsyncConnection, tenant_id: str, counting: Counting) -> None:
    """Replace a tenant's counting rules (its facts are rolled up again after)."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(report_counting).values(
        tenant_id=tenant_id, rules=counting.as_dict(), updated_at=time.time()
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id"],
            set_={"rules": stmt.excluded.rules, "updated_at": stmt.excluded.updated_at},
        )
    )


async def delete_targets(conn: AsyncConnection, tenant_id: str, queue_id: str) -> bool:
    """Drop one queue's own targets (it is measured against the tenant's again)."""
    done = await conn.execute(
        delete(report_targets).where(
            report_targets.c.tenant_id == tenant_id, report_targets.c.queue_id == queue_id
        )
    )
    return bool(done.rowcount)


async def save_targets(
    conn: AsyncConnection, tenant_id: str, queue_id: str, targets: Mapping[str, float]
) -> None:
    """Replace the target overrides of a tenant ("") or one queue."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(report_targets).values(
        tenant_id=tenant_id, queue_id=queue_id, targets=dict(targets), updated_at=time.time()
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "queue_id"],
            set_={"targets": stmt.excluded.targets, "updated_at": stmt.excluded.updated_at},
        )
    )


_CONTACT_COLUMNS = (
    interactions.c.id,
    interactions.c.started_at,
    interactions.c.channel,
    interactions.c.caller_number,
    interactions.c.did,
    interactions.c.vip_level,
    interactions.c.queue_id,
    interactions.c.agent_id,
    interactions.c.outcome,
    interactions.c.wait_s,
    interactions.c.talk_s,
    interactions.c.csat,
    interactions.c.disposition,
    interactions.c.resolved,
)

# the drill-down's "resolved?" filter (analytics.reports.service.RESOLVED_MARKS): on the
# contact (its latest answer), or by agent on that agent's own answer
_MARKS: dict[str, ColumnElement[bool]] = {
    "resolved": interactions.c.resolved.is_(True),
    "not_resolved": interactions.c.resolved.is_(False),
    "unmarked": interactions.c.resolved.is_(None),
}
_SEGMENT_MARKS: dict[str, ColumnElement[bool]] = {
    "resolved": agent_segments.c.resolved.is_(True),
    "not_resolved": agent_segments.c.resolved.is_(False),
    "unmarked": agent_segments.c.resolved.is_(None),
}


class SqlReportContacts:
    """The contacts behind a figure: queue figures from the queue visits, agent figures from
    the agent segments, contact figures from the contacts (each by the time of its own start
    within the period)."""

    def __init__(self, conn: AsyncConnection, *, short_abandon_s: float | None = None) -> None:
        self.conn = conn
        # None: the tenant's own threshold (its counting rules), as its facts count
        self._given_short_s = short_abandon_s
        self.short_abandon_s = 5.0

    def _contact_filter(self, figure: str) -> ColumnElement[bool]:
        c = interactions.c
        return {
            "offered": c.queue_id.is_not(None),
            "answered": c.answered_at.is_not(None),
            "handled": c.answered_at.is_not(None),
            "abandoned": c.abandoned.is_(True),
            "short_abandoned": and_(c.abandoned.is_(True), c.wait_s <= self.short_abandon_s),
            "callbacks_requested": c.callback.is_(True),
            "voicemails": or_(c.voicemail.is_(True), c.outcome == "voicemail"),
            "transfers": c.transferred.is_(True),
            "csat_answers": c.csat.is_not(None),
            "dispositioned": c.disposition.is_not(None),
        }[figure]

    def _visit_filter(self, figure: str) -> ColumnElement[bool]:
        w = work_items.c
        return {
            "offered": true(),
            "answered": w.outcome == "answered",
            "handled": w.outcome == "answered",
            "abandoned": w.outcome == "abandoned",
            "short_abandoned": and_(w.outcome == "abandoned", w.wait_s <= self.short_abandon_s),
            "callbacks_requested": or_(w.callback.is_(True), w.outcome == "callback"),
            "voicemails": interactions.c.outcome == "voicemail",
            "transfers": interactions.c.transferred.is_(True),
            "csat_answers": interactions.c.csat.is_not(None),
            "dispositioned": interactions.c.disposition.is_not(None),
        }[figure]

    def _segment_filter(self, figure: str) -> ColumnElement[bool]:
        s = agent_segments.c
        return {
            "csat_answers": s.csat.is_not(None),
            "dispositioned": s.disposition.is_not(None),
            "transfers": interactions.c.transferred.is_(True),
        }.get(figure, true())

    async def contacts(
        self,
        tenant_id: str,
        dim: str,
        keys: Collection[str] | None,
        figure: str,
        start: float,
        end: float,
        *,
        limit: int,
        offset: int,
        mark: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        self.short_abandon_s = (
            self._given_short_s
            if self._given_short_s is not None
            else (await load_counting(self.conn, tenant_id)).short_abandon_s
        )
        c = interactions.c
        ids: Select[Any]
        if dim == Dim.QUEUE:
            w = work_items.c
            ids = (
                select(w.interaction_id)
                .join(interactions, and_(c.tenant_id == w.tenant_id, c.id == w.interaction_id))
                .where(w.tenant_id == tenant_id, w.entered_at >= start, w.entered_at < end,
                       w.queue_id != PERSONAL_QUEUE, self._visit_filter(figure))
            )  # fmt: skip
            if keys is not None:
                ids = ids.where(w.queue_id.in_(sorted(keys)))
        elif dim == Dim.AGENT:
            s = agent_segments.c
            ids = (
                select(s.interaction_id)
                .join(interactions, and_(c.tenant_id == s.tenant_id, c.id == s.interaction_id))
                .where(s.tenant_id == tenant_id, s.answered_at >= start, s.answered_at < end,
                       self._segment_filter(figure))
            )  # fmt: skip
            if keys is not None:
                ids = ids.where(s.agent_id.in_(sorted(keys)))
            if mark is not None:
                ids = ids.where(_SEGMENT_MARKS[mark])
                mark = None  # the agent's own answer, not the contact's latest
        else:
            ids = select(c.id).where(
                c.tenant_id == tenant_id, c.started_at >= start, c.started_at < end,
                self._contact_filter(figure),
            )  # fmt: skip
            column = {Dim.CHANNEL: c.channel, Dim.DID: c.did, Dim.VIP: c.vip_level}.get(Dim(dim))
            if keys is not None and column is not None:
                values: list[Any] = sorted(keys)
                if dim == Dim.VIP:
                    values = [int(v) for v in values if v.isdigit()]
                ids = ids.where(column.in_(values))
        chosen = ids.distinct().subquery()
        where = and_(c.tenant_id == tenant_id, c.id.in_(select(chosen)))
        if mark is not None:
            where = and_(where, _MARKS[mark])
        total = int(
            await self.conn.scalar(select(func.count()).select_from(interactions).where(where)) or 0
        )
        rows = await self.conn.execute(
            select(*_CONTACT_COLUMNS)
            .where(where)
            .order_by(c.started_at, c.id)
            .limit(limit)
            .offset(offset)
        )
        return [dict(r._mapping) for r in rows], total
