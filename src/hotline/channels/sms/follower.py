"""Texts other packages ask for, sent through the center's provider: a follower of the event
log (like the voicemail tickets, ADR 0162). It reads `ticket.sms` (the tickets' SMS hook,
`tickets.sms_notify`) and `sms.wanted` (a flow's "we will text you a link") after its cursor,
sends each, and moves the cursor. A send the center refuses (no provider, an opted-out
number, a bad number) is logged and skipped; a crash between a send and the cursor's move
sends that one text again at the next start (at least once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from hotline.bus import EventBus
from hotline.channels.sms.service import SmsService
from hotline.errors import HotlineError
from hotline.store.log_cursor import LogCursor
from hotline.store.uow import UnitOfWorkFactory

__all__ = ["SmsFollower"]

log = logging.getLogger(__name__)

# event type -> cursor name
FOLLOWED = {"ticket.sms": "sms.ticket", "sms.wanted": "sms.flow"}
_BATCH = 100


class SmsFollower:
    def __init__(self, uow: UnitOfWorkFactory, bus: EventBus, sms: SmsService) -> None:
        self._uow = uow
        self._bus = bus
        self._sms = sms
        self._task: asyncio.Task[None] | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        self.sent = 0

    async def catch_up(self, tenant_id: str) -> int:
        """Send the tenant's new wanted texts; how many were sent."""
        sent = 0
        async with self._locks.setdefault(tenant_id, asyncio.Lock()):
            for event_type, cursor_name in FOLLOWED.items():
                while True:
                    async with self._uow(write=False) as uow:
                        cursor = LogCursor(uow.conn, cursor_name)
                        after = await cursor.position(tenant_id)
                        batch = await cursor.events_after(tenant_id, after, event_type, _BATCH)
                    if not batch:
                        break
                    for event in batch:
                        sent += await self._send(tenant_id, event_type, event)
                        async with self._uow() as uow:
                            await LogCursor(uow.conn, cursor_name).move(
                                tenant_id, int(event["seq"])
                            )
                            await uow.commit()
        self.sent += sent
        return sent

    async def _send(self, tenant_id: str, event_type: str, event: Mapping[str, Any]) -> int:
        payload = event["payload"] or {}
        try:
            if event_type == "ticket.sms":
                await self._sms.send(
                    tenant_id, str(payload["to"]), text=str(payload["text"]),
                    purpose="ticket", reference=str(payload.get("ticket_id") or ""),
                    language=str(payload.get("language") or "zh-CN"),
                )  # fmt: skip
            else:
                await self._sms.send(
                    tenant_id, str(payload["to"]),
                    template=str(payload["template"]),
                    values={str(k): str(v) for k, v in (payload.get("values") or {}).items()},
                    language=str(payload.get("language") or "zh-CN"),
                    purpose="flow", reference=event.get("interaction_id"),
                )  # fmt: skip
        except (HotlineError, KeyError) as refused:
            log.warning("%s #%s: not sent (%s)", event_type, event["seq"], refused)
            return 0
        return 1

    async def start(self) -> None:
        tenants: set[str] = set()
        async with self._uow(write=False) as uow:
            for name in FOLLOWED.values():
                tenants.update(await LogCursor(uow.conn, name).tenants())
        for tenant_id in tenants:
            with contextlib.suppress(Exception):
                await self.catch_up(tenant_id)
        self._task = asyncio.create_task(self._follow(), name="sms.follow")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self) -> None:
        async for record in self._bus.subscribe(types=tuple(FOLLOWED)):
            try:
                await self.catch_up(record.tenant_id)
            except Exception:  # the next event or the next start catches up
                log.exception("SMS follower of %s failed", record.tenant_id)
