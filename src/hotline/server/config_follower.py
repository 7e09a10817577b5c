"""Keeps the telephony runtime's routers in step with the center's configuration: load every
tenant's queues and agents at start-up, and again when an admin changes them
(`config.changed`). Queues and agents that disappear are removed once nobody uses them."""

from __future__ import annotations

import logging
import random
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.config import Settings
from hotline.directory.routing import RoutingConfig, load_routing_config
from hotline.errors import HotlineError
from hotline.events import EventSink
from hotline.flows import FlowVersion, ProgramCache
from hotline.flows.emergency import EmergencyState
from hotline.flows.service import FlowService
from hotline.ids import AgentId, QueueId, TenantId
from hotline.interactions import QueueOptions
from hotline.interactions.voice import Telephony
from hotline.routing import PERSONAL_QUEUE, Router, RouterSettings
from hotline.store.auth_repo import SqlTenants
from hotline.store.flow_repo import SqlEmergencySwitchStore, SqlFlowRepository
from hotline.store.repos import SqlRepos

__all__ = [
    "ConfigFollower",
    "DbEmergencyStore",
    "DbFlowLookup",
    "build_router",
    "build_routers",
    "queue_options",
]

log = logging.getLogger(__name__)


def build_router(tenant: dict[str, Any], settings: Settings, sink: EventSink) -> Router:
    """The router of one center (its `tenants` row gives the id and the time zone)."""
    routing = settings.routing
    return Router(
        TenantId(str(tenant["id"])),
        sink,
        settings=RouterSettings(
            ring_timeout_s=routing.ring_timeout_s,
            wrap_up_s=routing.default_wrap_up_s,
            callback_dial_s=routing.callback_dial_s,
            sticky_memory_s=routing.sticky_memory_s,
            sticky_memory_size=routing.sticky_memory_size,
            aht_smoothing=routing.aht_smoothing,
            tz=ZoneInfo(str(tenant["timezone"])),
        ),
        rng=random.Random(),
    )


async def build_routers(db: AsyncEngine, settings: Settings, sink: EventSink) -> dict[str, Router]:
    async with db.connect() as conn:
        tenants = await SqlTenants(conn).all()
    return {str(t["id"]): build_router(t, settings, sink) for t in tenants}


def queue_options(options: dict[str, Any]) -> QueueOptions:
    """Call-control options of a queue, from its `options` JSON (record, consent, music)."""
    values: dict[str, Any] = {}
    for key in ("record", "consent_prompt", "moh"):
        if key in options:
            values[key] = options[key]
    if "consent_text" in options:
        values["consent_text"] = dict(options["consent_text"])
    return QueueOptions(**values)


class DbFlowLookup:
    """The runtime's `FlowLookup` over the flow tables (a short read per new call)."""

    def __init__(
        self, db: AsyncEngine, programs: ProgramCache, sink: EventSink, clock: Any
    ) -> None:
        self._db = db
        self.programs = programs
        self._sink = sink
        self._clock = clock

    async def active(self, tenant_id: str, name: str) -> FlowVersion:
        async with self._db.connect() as conn:
            service = FlowService(
                SqlFlowRepository(conn), self._sink, self._clock, programs=self.programs
            )
            return await service.active(tenant_id, name)

    async def for_did(self, tenant_id: str, did: str) -> FlowVersion | None:
        async with self._db.connect() as conn:
            service = FlowService(
                SqlFlowRepository(conn), self._sink, self._clock, programs=self.programs
            )
            return await service.for_did(tenant_id, did)


class DbEmergencyStore:
    """`EmergencySwitchStore` with its own short transactions (read at every call's start)."""

    def __init__(self, db: AsyncEngine) -> None:
        self._db = db

    async def get(self, tenant_id: str) -> EmergencyState:
        async with self._db.connect() as conn:
            return await SqlEmergencySwitchStore(conn).get(tenant_id)

    async def put(self, tenant_id: str, state: EmergencyState) -> None:
        async with self._db.begin() as conn:
            await SqlEmergencySwitchStore(conn).put(tenant_id, state)


class ConfigFollower:
    """Applies each tenant's queues and agents to the runtime, now and on every change."""

    def __init__(self, db: AsyncEngine, bus: EventBus, telephony: Telephony) -> None:
        self._db = db
        self._bus = bus
        self._telephony = telephony
        self.extensions: dict[str, dict[AgentId, str | None]] = {}
        self.phone_modes: dict[str, dict[AgentId, str]] = {}

    async def load_all(self) -> None:
        for tenant_id in self._telephony.tenants:
            await self.apply(tenant_id)

    async def apply(self, tenant_id: str) -> None:
        async with self._db.connect() as conn:
            config = await load_routing_config(SqlRepos(conn), tenant_id)
            rows, _ = await SqlRepos(conn).table("queues").list(tenant_id, limit=100_000)
        options = {QueueId(str(r["name"])): queue_options(dict(r["options"] or {})) for r in rows}
        runtime = self._telephony.tenant(tenant_id)
        for queue_id, queue in config.queues.items():
            runtime.configure_queue(queue, options.get(queue_id))
        for agent in config.agents.values():
            runtime.configure_agent(agent)
        self._remove_missing(tenant_id, config)
        self.extensions[tenant_id] = dict(config.extensions)
        self.phone_modes[tenant_id] = dict(config.phone_modes)

    def _remove_missing(self, tenant_id: str, config: RoutingConfig) -> None:
        runtime = self._telephony.tenant(tenant_id)
        router = runtime.router
        for queue_id in set(router.queue_ids()) - set(config.queues) - {PERSONAL_QUEUE}:
            try:
                runtime.remove_queue(queue_id)
            except HotlineError as error:
                log.warning("queue %s stays until it is empty: %s", queue_id, error)
        for agent_id in set(router.agent_ids()) - set(config.agents):
            try:
                runtime.remove_agent(agent_id)
            except HotlineError as error:
                log.warning("agent %s stays until logged out: %s", agent_id, error)

    async def follow(self) -> None:
        sub = self._bus.subscribe(types={"config.changed"}, cluster=True)
        async for record in sub:
            if record.tenant_id in self._telephony.tenants:
                try:
                    await self.apply(record.tenant_id)
                except Exception:
                    log.exception("applying configuration of tenant %s failed", record.tenant_id)
