"""The wallboard's live numbers: one `RealtimeProjection` per tenant, rebuilt from the events
table at start-up, then fed by the bus. The changes go to the open wallboards as soon as a record
changed something (coalesced: at most one delta per `push_delay_s`), and at least every `tick_s`
for the figures that move with time alone (ADR 0052, ADR 0060).

DESIGN §10: the wallboard's figures come only from the event log, so a restart (replay) gives
the same numbers, and the daily report can use the same definitions. The center's counting
rules (short-abandon threshold, lowest satisfied rating) are the reports' own (ADR 0173,
`report_counting`); when they change (`config.changed`, entity `report_counting`) the
center's projection is replayed with them, without a restart (ADR 0176).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.analytics.realtime import (
    QueueSettings,
    RealtimeProjection,
    RealtimeSettings,
    replay_start,
)
from hotline.analytics.reports.counting import COUNTING_ENTITY
from hotline.bus import EventBus, Subscription
from hotline.clock import Clock
from hotline.directory.routing import load_routing_config
from hotline.ids import new_id
from hotline.routing import QueueConfig
from hotline.store.auth_repo import SqlTenants
from hotline.store.eventlog import SqlEventReader
from hotline.store.reports_repo import load_counting
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
    zone: str
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

    def thresholds(self, tenant_id: str) -> dict[str, dict[str, Any]]:
        """Each queue's SL target and alert thresholds, as the TV wallboard colours by them."""
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            return {}
        out: dict[str, dict[str, Any]] = {}
        for queue_id, rules in tenant.projection.thresholds().items():
            out[queue_id] = {
                "waiting_above": rules.waiting_above,
                "waiting_clear_at": rules.waiting_clear_at,
                "longest_wait_above_s": rules.longest_wait_above_s,
                "longest_wait_clear_at_s": rules.longest_wait_clear_at_s,
                "sl_below": rules.sl_below,
                "sl_clear_margin": rules.sl_clear_margin,
            }
        return out

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
            projection, after = await self._replay(tenant_id, zone, until=None)
            subscription = self._bus.subscribe(tenant_id=tenant_id, after_seq=after, cluster=True)
            tenant = _Tenant(zone, projection, subscription, published=projection.version)
            self._tenants[tenant_id] = tenant
            self._tasks.append(
                asyncio.create_task(self._follow(tenant_id, tenant), name=f"wallboard-{tenant_id}")
            )
            return tenant

    async def _settings_of(self, tenant_id: str, zone: str) -> RealtimeSettings:
        """The server's wallboard settings with the center's own counting rules: the same
        rules, from the same row, as its reports (one rule in one place)."""
        async with self._engine.connect() as conn:
            counting = await load_counting(conn, tenant_id)
        return replace(
            self._settings(zone),
            short_abandon_s=counting.short_abandon_s,
            csat_satisfied_from={5: counting.csat_satisfied_from},
        )

    async def _replay(
        self, tenant_id: str, zone: str, *, until: int | None
    ) -> tuple[RealtimeProjection, int]:
        """A projection rebuilt from the log (from the replay start up to `until`, or to the
        end), and the last seq it applied."""
        settings = await self._settings_of(tenant_id, zone)
        projection = RealtimeProjection(tenant_id, settings, instance=new_id())
        await self._configure(tenant_id, projection)
        start = replay_start(self._clock.now(), settings)
        after = await self._reader.seq_before(tenant_id, start)
        while until is None or after < until:
            batch = await self._reader.read_since(tenant_id, after, limit=5000)
            batch = [r for r in batch if until is None or r.seq <= until]
            if not batch:
                break
            projection.apply_all(batch)
            after = batch[-1].seq
        return projection, after

    async def _recount(self, tenant_id: str, tenant: _Tenant) -> None:
        """The center's counting rules changed: if the wallboard counts differently now,
        replay its day with them and give every open page a fresh snapshot."""
        current = tenant.projection.settings
        wanted = await self._settings_of(tenant_id, tenant.zone)
        if (wanted.short_abandon_s, dict(wanted.csat_satisfied_from)) == (
            current.short_abandon_s,
            dict(current.csat_satisfied_from),
        ):
            return
        projection, _ = await self._replay(tenant_id, tenant.zone, until=tenant.projection.seq)
        tenant.projection = projection
        tenant.published = projection.version
        if tenant.push is not None:
            tenant.push.cancel()
            tenant.push = None
        message = projection.snapshot(self._clock.now()).to_json()
        for queue in tuple(tenant.listeners):
            while queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

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
                    if record.payload.get("entity") == COUNTING_ENTITY:
                        await self._recount(tenant_id, tenant)
                    else:
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
