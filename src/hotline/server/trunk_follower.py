"""Keeps the SIP service's trunks in step with the centers' stored trunks: the configured
trunks and every enabled stored trunk at start, the list again whenever an admin adds, changes
or disables one (`config.changed`, entity `trunk`), on every node through the bus (ADR 0203)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.sip.transport.service import SipService
from hotline.sip.trunk import Trunk
from hotline.tasks import TaskSet
from hotline.trunks.book import ENTITY
from hotline.trunks.repository import SqlTrunks
from hotline.vault.secrets import SecretBox

__all__ = ["TrunkFollower"]

log = logging.getLogger(__name__)


class TrunkFollower:
    def __init__(self, db: AsyncEngine, bus: EventBus, sip: SipService, secrets: SecretBox) -> None:
        self._db = db
        self._bus = bus
        self._sip = sip
        self._secrets = secrets
        self.configured: tuple[Trunk, ...] = sip.config.trunks
        self._tasks = TaskSet("trunk follower")

    async def load(self) -> None:
        async with self._db.connect() as conn:
            stored = await SqlTrunks(conn, self._secrets).list()
        trunks = self.configured + tuple(t.sip_trunk() for t in stored if t.values.enabled)
        self._sip.set_trunks(trunks)

    async def start(self) -> None:
        # Subscribed before the first read, so a change committed meanwhile is not missed.
        sub = self._bus.subscribe(types={"config.changed"}, cluster=True)
        await self.load()
        self._tasks.spawn(self._follow(sub), name="trunk-follower")

    async def _follow(self, sub: Any) -> None:
        async for record in sub:
            if record.payload.get("entity") != ENTITY:
                continue
            try:
                await self.load()
            except Exception:
                log.exception("reloading the trunks failed")

    async def stop(self) -> None:
        await self._tasks.cancel_all()
