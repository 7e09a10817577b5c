"""Keeps a running server's centers in step with the `tenants` table: a center created,
suspended, resumed, given new limits or purged — by the API in this process or by
`hotline tenant …` in another — reaches telephony and the wallboard without a restart.

The operator's API emits `tenant.created` / `tenant.changed` on the bus of its own process: the
watcher reacts at once. Another process (the command line) writes only the database, so the
watcher also reads the table every `tenants.poll_s` seconds. Either way it compares what it
read with what it knew and tells its targets what changed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.store.tenant_repo import tenant_states
from hotline.tasks import TaskSet
from hotline.tenants.events import TENANT_EVENTS

__all__ = ["TenantTarget", "TenantWatcher"]

log = logging.getLogger(__name__)

Row = dict[str, Any]


class TenantTarget(Protocol):
    """What follows the centers: telephony (SIP domains, routers, call gates), the wallboard."""

    async def tenant_added(self, row: Row) -> None: ...

    async def tenant_changed(self, row: Row) -> None: ...

    async def tenant_removed(self, tenant_id: str) -> None: ...


class TenantWatcher:
    def __init__(self, db: AsyncEngine, bus: EventBus, *, poll_s: float) -> None:
        self._db = db
        self._bus = bus
        self.poll_s = poll_s
        self.targets: list[TenantTarget] = []
        self.known: dict[str, Row] = {}
        self._lock = asyncio.Lock()
        self._tasks = TaskSet("tenant watch")

    async def start(self) -> None:
        """What exists now is known (every target reads it as it starts); follow changes."""
        self.known = {str(row["id"]): row for row in await self._read()}
        self._tasks.spawn(self._follow_bus(), name="tenant-watch-bus")
        self._tasks.spawn(self._poll(), name="tenant-watch-poll")

    async def stop(self) -> None:
        await self._tasks.cancel_all()

    async def _read(self) -> list[Row]:
        async with self._db.connect() as conn:
            return await tenant_states(conn)

    async def sync(self) -> None:
        """Read the table once; tell the targets about every difference."""
        async with self._lock:
            rows = {str(row["id"]): row for row in await self._read()}
            for tenant_id, row in rows.items():
                before = self.known.get(tenant_id)
                if before == row:
                    continue
                self.known[tenant_id] = row
                if before is None:
                    log.info("center %s (%s) added at runtime", row["slug"], row["sip_domain"])
                    await self._tell("tenant_added", row)
                else:
                    log.info("center %s now %s", row["slug"], row["status"])
                    await self._tell("tenant_changed", row)
            for tenant_id in set(self.known) - set(rows):
                self.known.pop(tenant_id)
                log.info("center %s removed", tenant_id)
                await self._tell("tenant_removed", tenant_id)

    async def _tell(self, method: str, arg: Any) -> None:
        for target in self.targets:
            try:
                await getattr(target, method)(arg)
            except Exception:
                # One target failing (a router that cannot be built) must not stop the others.
                log.exception("%s.%s failed", type(target).__name__, method)

    async def _follow_bus(self) -> None:
        sub = self._bus.subscribe(types=set(TENANT_EVENTS), cluster=True)
        try:
            async for _ in sub:
                await self._safe_sync()
        finally:
            sub.close()

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            await self._safe_sync()

    async def _safe_sync(self) -> None:
        try:
            await self.sync()
        except Exception:
            log.exception("reading the tenants failed")
