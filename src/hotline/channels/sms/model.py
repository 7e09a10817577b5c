"""The SMS layer's value objects: a message received, a message to send, what a provider
answered, and a delivery receipt."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "DeliveryReceipt",
    "Direction",
    "InboundSms",
    "OutboundSms",
    "SendResult",
    "SmsStatus",
]


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class SmsStatus(StrEnum):
    RECEIVED = "received"  # inbound, stored
    REFUSED = "refused"  # outbound, not sent: opt-out or bad input
    QUEUED = "queued"  # outbound, stored, not yet taken by the provider
    SENT = "sent"  # the provider took every part
    DELIVERED = "delivered"  # a receipt said so
    FAILED = "failed"  # the provider refused, or a receipt said undeliverable/expired/rejected


@dataclass(frozen=True, slots=True)
class InboundSms:
    """A whole message from a customer (parts already joined)."""

    sender: str  # the customer's number, E.164
    recipient: str  # our number or sender id it was sent to
    text: str
    received_at: float
    provider: str  # "http" | "smpp"
    provider_ids: tuple[str, ...] = ()  # one per part, as the provider named them
    parts: int = 1


@dataclass(frozen=True, slots=True)
class OutboundSms:
    to: str  # E.164
    sender: str  # the sender id or number shown to the customer
    text: str
    reference: int = 0  # 0–255: ties the parts of a long message together
    message_id: str = ""  # ours: the gateway's idempotency key, the same on every retry


@dataclass(frozen=True, slots=True)
class SendResult:
    provider_ids: tuple[str, ...]  # one per part the provider took
    parts: int
    encoding: str  # gsm7 | ucs2


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """The provider's word on one part (SMPP) or one message (HTTP)."""

    provider_id: str
    status: SmsStatus  # DELIVERED or FAILED (or SENT for an intermediate state)
    at: float
    error: str | None = None
