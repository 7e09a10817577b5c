"""The inbound port: where a received SMS goes after it is stored. The conversation core
implements `SmsInbox` (an SMS becomes a message of a conversation); until then the in-memory
inbox (tests) or none at all — the provider-level table keeps every message either way."""

from __future__ import annotations

import asyncio
from typing import Protocol

from hotline.channels.sms.model import InboundSms

__all__ = ["InMemorySmsInbox", "SmsInbox"]


class SmsInbox(Protocol):
    async def receive(self, tenant_id: str, sms: InboundSms) -> None: ...


class InMemorySmsInbox:
    """Keeps what it receives; `wait_for(n)` returns once `n` messages arrived."""

    def __init__(self) -> None:
        self.received: list[tuple[str, InboundSms]] = []
        self._changed = asyncio.Condition()

    async def receive(self, tenant_id: str, sms: InboundSms) -> None:
        async with self._changed:
            self.received.append((tenant_id, sms))
            self._changed.notify_all()

    async def wait_for(self, count: int) -> list[tuple[str, InboundSms]]:
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.received) >= count)
            return list(self.received)
