"""SQL implementations of what call control asks of the rest of Hotline
(`hotline.interactions.ports`): numbers → tenant and flow, callers → customers, recordings,
and, after a restart, the facts the event log holds about open calls and logged-in agents."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.crm.phones import phone_key
from hotline.ids import AgentId, CustomerId, InteractionId, QueueId
from hotline.interactions.ports import (
    AgentSessionFacts,
    CustomerRecord,
    DidRoute,
    OpenInteraction,
    RecordingRow,
)
from hotline.interactions.voice.ports import OpenDialog
from hotline.routing import AgentState
from hotline.store.engine import WRITE
from hotline.store.tables import (
    customer_phones,
    customers,
    dids,
    events,
    recordings,
    tenants,
)

__all__ = [
    "SqlCustomerDirectory",
    "SqlDidDirectory",
    "SqlRecordingCatalog",
    "SqlStartupFacts",
]

# How far back a restart looks for calls left open and agents' states.
_LOOKBACK_S = 2 * 86400.0


class SqlDidDirectory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def resolve(self, did: str) -> DidRoute | None:
        candidates = {did, did.lstrip("+")}
        q = select(dids.c.tenant_id, dids.c.flow).where(dids.c.number.in_(candidates))
        async with self._engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return (
            DidRoute(tenant_id=str(row.tenant_id), flow=str(row.flow) if row.flow else None)
            if row
            else None
        )


class SqlCustomerDirectory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._regions: dict[str, str] = {}

    async def find_by_number(self, tenant_id: str, number: str) -> CustomerRecord | None:
        async with self._engine.connect() as conn:
            region = self._regions.get(tenant_id)
            if region is None:
                region = str(
                    await conn.scalar(select(tenants.c.region).where(tenants.c.id == tenant_id))
                    or "CN"
                )
                self._regions[tenant_id] = region
            key = phone_key(number, region)
            if not key:
                return None
            q = (
                select(customers)
                .join(customer_phones, customer_phones.c.customer_id == customers.c.id)
                .where(customer_phones.c.tenant_id == tenant_id, customer_phones.c.e164 == key)
                .order_by(customers.c.vip_level.desc(), customers.c.created_at)
                .limit(1)
            )
            row = (await conn.execute(q)).first()
        if row is None:
            return None
        fields: dict[str, str | int | float | bool | None] = {
            k: v for k, v in dict(row.custom).items() if isinstance(v, str | int | float | bool)
        }
        fields["tags"] = ",".join(row.tags)
        return CustomerRecord(
            customer_id=CustomerId(row.id),
            name=row.name,
            vip_level=int(row.vip_level),
            fields=fields,
        )


class SqlRecordingCatalog:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, row: RecordingRow) -> None:
        values: dict[str, Any] = dataclasses.asdict(row)
        values["id"] = values.pop("recording_id")
        values["paused_spans"] = [list(span) for span in row.paused_spans]
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await conn.execute(insert(recordings).values(**values))


class SqlStartupFacts:
    """Read from the event log what a crash left behind (DESIGN §3.3: the log is the truth)."""

    def __init__(self, engine: AsyncEngine, *, now: float) -> None:
        self._engine = engine
        self._since = now - _LOOKBACK_S
        self._now = now

    async def open_interactions(self, tenant_id: str) -> list[OpenInteraction]:
        created = (
            select(events.c.interaction_id, events.c.at)
            .where(
                events.c.tenant_id == tenant_id,
                events.c.type == "interaction.created",
                events.c.at >= self._since,
            )
            .subquery()
        )
        ended = select(events.c.interaction_id).where(
            events.c.tenant_id == tenant_id, events.c.type == "interaction.ended"
        )
        q = select(created.c.interaction_id, created.c.at).where(
            created.c.interaction_id.not_in(ended)
        )
        out = []
        async with self._engine.connect() as conn:
            for interaction_id, at in (await conn.execute(q)).all():
                facts = await conn.execute(
                    select(events.c.type, events.c.agent_id, events.c.payload)
                    .where(
                        events.c.tenant_id == tenant_id,
                        events.c.interaction_id == interaction_id,
                        events.c.type.in_(("queue.entered", "queue.answered")),
                    )
                    .order_by(events.c.seq)
                )
                queue_id = agent_id = None
                answered = False
                for type_, agent, payload in facts:
                    queue_id = payload.get("queue_id") or queue_id
                    if type_ == "queue.answered":
                        answered, agent_id = True, agent
                out.append(
                    OpenInteraction(
                        interaction_id=InteractionId(interaction_id),
                        created_at=float(at),
                        queue_id=QueueId(queue_id) if queue_id else None,
                        agent_id=AgentId(agent_id) if agent_id else None,
                        answered=answered,
                    )
                )
        return out

    async def open_dialogs(self, tenant_id: str) -> list[OpenDialog]:
        """Legs answered with a SIP dialog and never ended: what a crash left up."""
        ended = select(events.c.leg_id).where(
            events.c.tenant_id == tenant_id,
            events.c.type == "leg.ended",
            events.c.at >= self._since,
        )
        q = (
            select(events.c.leg_id, events.c.interaction_id, events.c.at, events.c.payload)
            .where(
                events.c.tenant_id == tenant_id,
                events.c.type == "leg.answered",
                events.c.at >= self._since,
                events.c.leg_id.not_in(ended),
            )
            .order_by(events.c.seq)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        out = []
        for leg_id, interaction_id, at, payload in rows:
            dialog = payload.get("dialog")
            if not isinstance(dialog, dict):
                continue  # a browser phone's leg: no SIP dialog to end
            out.append(
                OpenDialog(
                    leg_id=str(leg_id),
                    call_id=str(payload.get("call_id")),
                    interaction_id=interaction_id,
                    role=str(payload.get("role")),
                    answered_at=float(at),
                    created_at=float(at) - float(payload.get("ring_s") or 0.0),
                    snapshot=dialog,
                )
            )
        return out

    async def agent_sessions(self, tenant_id: str) -> list[AgentSessionFacts]:
        async with self._engine.connect() as conn:
            zone = await conn.scalar(select(tenants.c.timezone).where(tenants.c.id == tenant_id))
            midnight = (
                dt.datetime.fromtimestamp(self._now, ZoneInfo(str(zone or "Asia/Shanghai")))
                .replace(hour=0, minute=0, second=0, microsecond=0)
                .timestamp()
            )
            latest = await self._latest_per_agent(conn, tenant_id, "agent.state_changed")
            phones = await self._latest_per_agent(conn, tenant_id, "agent.phone_bound")
            handled_q = (
                select(events.c.agent_id, func.count())
                .where(
                    events.c.tenant_id == tenant_id,
                    events.c.type == "queue.answered",
                    events.c.at >= midnight,
                )
                .group_by(events.c.agent_id)
            )
            handled = {str(a): int(n) for a, n in await conn.execute(handled_q) if a}
        out = []
        for agent_id, payload in latest.items():
            state = AgentState(payload["state"])
            phone = phones.get(agent_id)
            if state is AgentState.LOGGED_OUT or phone is None:
                continue
            presence = (
                AgentState.NOT_READY if state is AgentState.NOT_READY else AgentState.AVAILABLE
            )
            out.append(
                AgentSessionFacts(
                    agent_id=AgentId(agent_id),
                    presence=presence,
                    reason=payload.get("reason") if presence is AgentState.NOT_READY else None,
                    phone_kind=str(phone["kind"]),
                    phone_address=str(phone["address"]),
                    handled_today=handled.get(agent_id, 0),
                )
            )
        return out

    async def _latest_per_agent(
        self, conn: Any, tenant_id: str, type_: str
    ) -> dict[str, dict[str, Any]]:
        last = (
            select(events.c.agent_id, func.max(events.c.seq).label("seq"))
            .where(
                events.c.tenant_id == tenant_id,
                events.c.type == type_,
                events.c.at >= self._since,
                events.c.agent_id.is_not(None),
            )
            .group_by(events.c.agent_id)
            .subquery()
        )
        q = select(events.c.agent_id, events.c.payload).join(
            last,
            and_(
                events.c.tenant_id == tenant_id,
                events.c.agent_id == last.c.agent_id,
                events.c.seq == last.c.seq,
            ),
        )
        return {str(a): dict(p) for a, p in await conn.execute(q)}
