"""The wallboard's live numbers: one `RealtimeProjection` per tenant, rebuilt from the events
table at start-up, then fed by the bus. The changes go to the open wallboards as soon as a record
changed something (coalesced: at most one delta per `push_delay_s`), and at least every `tick_s`
for the figures that move with time alone (ADR 0052, ADR 0060).

DESIGN §10: the wallboard's figures come only from the event log, so a restart (replay) gives
the same numbers, and the daily report can use the same definitions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.analytics.realtime import (
    QueueSettings,
    RealtimeProjection,
    RealtimeSettings,
    replay_start,
)
from hotline.bus import EventBus, Subscription
from hotline.clock import Clock
from hotline.directory.routing import load_routing_config
from hotline.ids import new_id
from hotline.routing import QueueConfig
from hotline.store.auth_repo import SqlTenants
from hotline.store.eventlog import SqlEventReader
from hotline.store.repos import SqlRepos

__all__ = ["WallboardHub"]

log = logging.getLogger(__name__)


def queue_settings(config: QueueConfig, members: frozenset[str]) -> QueueSettings:
    return QueueSettings(
        queue_id=str(config.queue_id),
        sl_target=config.sl.fraction,
        sl_threshold_s=config.sl.threshold_s,
        members=members,
    )


@dataclass
class _Tenant:
    projection: RealtimeProjection
    subscription: Subscription
    listeners: set[asyncio.Queue[dict[str, Any]]] = field(default_factory=set)
    published: int = 0
    push: asyncio.TimerHandle | None = None


class WallboardHub:
    def __init__(
        self,
        engine: AsyncEngine,
        bus: EventBus,
        clock: Clock,
        *,
        settings: Callable[[str], RealtimeSettings] = lambda zone: RealtimeSettings(time_zone=zone),
        tick_s: float = 1.0,
        push_delay_s: float = 0.05,
    ) -> None:
        self._engine = engine
        self._bus = bus
        self._clock = clock
        self._settings = settings
        self._tick_s = tick_s
        self._push_delay_s = push_delay_s
        self._reader = SqlEventReader(engine)
        self._tenants: dict[str, _Tenant] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._lock = asyncio.Lock()
        self.instance = new_id()

    async def start(self) -> None:
        async with self._engine.connect() as conn:
            tenants = await SqlTenants(conn).all()
        for tenant in tenants:
            await self._open(str(tenant["id"]), str(tenant["timezone"]))
        self._tasks.append(asyncio.create_task(self._tick(), name="wallboard-tick"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        for tenant in self._tenants.values():
            if tenant.push is not None:
                tenant.push.cancel()
                tenant.push = None
            tenant.subscription.close()

    # --- centers at runtime (TenantTarget of `hotline.server.tenant_watch`) ------------------

    async def tenant_added(self, center: dict[str, Any]) -> None:
        """A center created while running gets its projection now, not at the first page."""
        await self._open(str(center["id"]), str(center["timezone"]))

    async def tenant_changed(self, center: dict[str, Any]) -> None:
        """Status and limits do not change the figures."""

    async def tenant_removed(self, tenant_id: str) -> None:
        """Purged: the projection and its subscription go."""
        tenant = self._tenants.pop(tenant_id, None)
        if tenant is not None:
            if tenant.push is not None:
                tenant.push.cancel()
            tenant.subscription.close()

    async def _open(self, tenant_id: str, zone: str) -> _Tenant:
        async with self._lock:
            if tenant_id in self._tenants:
                return self._tenants[tenant_id]
            settings = self._settings(zone)
            projection = RealtimeProjection(tenant_id, settings, instance=self.instance)
            await self._configure(tenant_id, projection)
            start = replay_start(self._clock.now(), settings)
            after = await self._reader.seq_before(tenant_id, start)
            while True:
                batch = await self._reader.read_since(tenant_id, after, limit=5000)
                if not batch:
                    break
                projection.apply_all(batch)
                after = batch[-1].seq
            subscription = self._bus.subscribe(tenant_id=tenant_id, after_seq=after)
            tenant = _Tenant(projection, subscription, published=projection.version)
            self._tenants[tenant_id] = tenant
            self._tasks.append(
                asyncio.create_task(self._follow(tenant_id, tenant), name=f"wallboard-{tenant_id}")
            )
            return tenant

    async def _configure(self, tenant_id: str, projection: RealtimeProjection) -> None:
        async with self._engine.connect() as conn:
            config = await load_routing_config(SqlRepos(conn), tenant_id)
        for queue_id, queue in config.queues.items():
            members = frozenset(str(a) for a in config.members(queue_id))
            projection.configure_queue(queue_settings(queue, members))

    async def _follow(self, tenant_id: str, tenant: _Tenant) -> None:
        async for record in tenant.subscription:
            tenant.projection.apply(record)
            if tenant.listeners and tenant.push is None:
                # Coalesce: the records of the next few milliseconds ride in the same delta.
                tenant.push = asyncio.get_running_loop().call_later(
                    self._push_delay_s, self._push, tenant
                )
            if record.type == "config.changed":
                try:
                    await self._configure(tenant_id, tenant.projection)
                except Exception:
                    log.exception("wallboard: reconfiguring tenant %s failed", tenant_id)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self._tick_s)
            for tenant in self._tenants.values():
                self._publish(tenant)

    def _push(self, tenant: _Tenant) -> None:
        tenant.push = None
        self._publish(tenant)

    def _publish(self, tenant: _Tenant) -> None:
        """Send what changed since the last delta to every open page of the tenant."""
        if not tenant.listeners:
            return
        now = self._clock.now()
        change = tenant.projection.changes_since(tenant.published, now)
        if getattr(change, "is_empty", False):
            return
        tenant.published = change.version
        message = change.to_json()
        for queue in tuple(tenant.listeners):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                # A page that fell behind gets one fresh snapshot instead of the backlog.
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(tenant.projection.snapshot(now).to_json())

    async def connect(
        self, tenant_id: str, zone: str, *, version: int | None, instance: str | None
    ) -> tuple[dict[str, Any], asyncio.Queue[dict[str, Any]]]:
        """The first message for a page (a snapshot, or the delta since its version) and the
        queue its later messages arrive on."""
        tenant = self._tenants.get(tenant_id) or await self._open(tenant_id, zone)
        now = self._clock.now()
        if version is None:
            first = tenant.projection.snapshot(now).to_json()
        else:
            first = tenant.projection.changes_since(version, now, instance=instance).to_json()
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=120)
        tenant.listeners.add(queue)
        return first, queue

    def disconnect(self, tenant_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        tenant = self._tenants.get(tenant_id)
        if tenant is not None:
            tenant.listeners.discard(queue)

    def snapshot(self, tenant_id: str) -> dict[str, Any] | None:
        tenant = self._tenants.get(tenant_id)
        return tenant.projection.snapshot(self._clock.now()).to_json() if tenant else None
