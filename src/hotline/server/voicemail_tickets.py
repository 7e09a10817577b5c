"""Voicemails that open tickets (ADR 0162): a follower of the event log.

A voicemail node with `ticket:` puts the wanted ticket on its `voicemail.recorded` event. The
caller has usually hung up by then, so the flow cannot wait for the ticket; instead this
follower reads the tenant's `voicemail.recorded` events after its cursor and, per event, opens
the ticket through the same `TicketService` as the desktop and moves the cursor in that one
transaction: a restart neither loses a voicemail's ticket nor opens it twice. The ticket is
linked to the contact, so its detail page lists the call with the voicemail's recording, and
its description names the recording and its length. A ticket the center refuses (its
department deleted since the flow was published, a value out of range) is logged and skipped,
so one bad event never stops the ones after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from hotline.bus import EventBus
from hotline.clock import Clock
from hotline.errors import HotlineError
from hotline.server.ticket_desk import system_tickets
from hotline.store.log_cursor import LogCursor
from hotline.store.uow import UnitOfWork, UnitOfWorkFactory
from hotline.tickets.model import Priority
from hotline.tickets.schemas import TicketIn
from hotline.tickets.service import TicketService

__all__ = ["CURSOR", "VoicemailTickets", "voicemail_description"]

log = logging.getLogger(__name__)

CURSOR = "voicemail_tickets"
EVENT = "voicemail.recorded"
_BATCH = 200


def voicemail_description(payload: Mapping[str, Any], language: str) -> str:
    """What the ticket says about the message, in the caller's language."""
    seconds = round(float(payload.get("duration_s") or 0))
    caller = payload.get("caller_number")
    recording = payload.get("recording_id", "")
    mailbox = payload.get("mailbox", "")
    if language.lower().startswith("zh"):
        who = caller or "未知号码"
        return f"来电 {who} 在语音信箱 {mailbox} 留言 {seconds} 秒（录音 {recording}）。"
    who = caller or "an unknown number"
    return f"{who} left a {seconds} s message in mailbox {mailbox} (recording {recording})."


class VoicemailTickets:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        bus: EventBus,
        clock: Clock,
        wake: Callable[[], None] | None = None,
        *,
        texts: bool = False,
    ) -> None:
        """`texts`: text the customer too (`tickets.sms_notify`, the SMS hook)."""
        self._uow = uow
        self._bus = bus
        self._clock = clock
        self._wake = wake
        self._texts = texts
        self._task: asyncio.Task[None] | None = None
        self.opened = 0

    def _service(self, uow: UnitOfWork, tenant_id: str) -> TicketService:
        return system_tickets(uow, tenant_id, self._clock, self._wake, texts=self._texts)

    async def catch_up(self, tenant_id: str) -> int:
        """Open the tickets of the tenant's new voicemails; how many were opened."""
        opened = 0
        while True:
            async with self._uow() as uow:
                cursor = LogCursor(uow.conn, CURSOR)
                after = await cursor.position(tenant_id)
                batch = await cursor.events_after(tenant_id, after, EVENT, _BATCH)
                if not batch:
                    return opened
                done = 0
                for event in batch:
                    done += await self._open(uow, tenant_id, event)
                await cursor.move(tenant_id, int(batch[-1]["seq"]))
                await uow.commit()
            opened += done
            self.opened += done

    async def _open(self, uow: UnitOfWork, tenant_id: str, event: Mapping[str, Any]) -> int:
        payload = event["payload"] or {}
        wanted = payload.get("ticket")
        if not isinstance(wanted, Mapping):
            return 0
        language = str(wanted.get("language") or "zh-CN")
        try:
            data = self._ticket_in(payload, wanted, language, event["interaction_id"])
            # The service checks everything before it writes: a refusal leaves nothing behind.
            await self._service(uow, tenant_id).create(data)
        except (HotlineError, ValidationError, ValueError, KeyError) as refused:
            log.warning("voicemail %s: no ticket (%s)", payload.get("recording_id"), refused)
            return 0
        return 1

    @staticmethod
    def _ticket_in(
        payload: Mapping[str, Any], wanted: Mapping[str, Any], language: str, contact: str | None
    ) -> TicketIn:
        return TicketIn(
            subject=str(wanted.get("subject") or payload.get("mailbox") or "voicemail")[:200],
            department=str(wanted["department"]),
            priority=Priority(str(wanted.get("priority") or "normal")),
            category=wanted.get("category"),
            description=voicemail_description(payload, language),
            customer_id=wanted.get("customer_id"),
            interaction_id=contact,
        )

    async def start(self) -> None:
        async with self._uow(write=False) as uow:
            tenants = await LogCursor(uow.conn, CURSOR).tenants()
        for tenant_id in tenants:
            await self.catch_up(tenant_id)
        self._task = asyncio.create_task(self._follow(), name="voicemail-tickets.follow")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self) -> None:
        async for record in self._bus.subscribe():
            if record.type != EVENT:
                continue
            try:
                await self.catch_up(record.tenant_id)
            except Exception:  # the next voicemail or the next start catches up
                log.exception("voicemail tickets of %s failed", record.tenant_id)
