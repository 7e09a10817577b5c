"""The provider port: what the SMS service needs from a gateway. A provider sends; what it
receives (messages, receipts) it hands to the `ProviderEvents` it was started with."""

from __future__ import annotations

from typing import Protocol

from hotline.channels.sms.model import DeliveryReceipt, InboundSms, OutboundSms, SendResult

__all__ = ["ProviderEvents", "SmsProvider"]


class ProviderEvents(Protocol):
    """What a provider reports back, for one tenant's configuration."""

    async def inbound(self, sms: InboundSms) -> None: ...

    async def receipt(self, receipt: DeliveryReceipt) -> None: ...


class SmsProvider(Protocol):
    name: str  # "http" | "smpp"

    async def send(self, sms: OutboundSms) -> SendResult:
        """Hand the message to the gateway; raise `SmsProviderError` if it is not taken."""
        ...

    async def close(self) -> None: ...
