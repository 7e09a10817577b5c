"""The SMS layer's events in the interaction log (webhooks and reports can follow them)."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["SmsOptedOut", "SmsReceived", "SmsSent"]


@domain_event("sms.received")
class SmsReceived(DomainEvent):
    message_id: str
    sender: str
    recipient: str
    text: str
    parts: int


@domain_event("sms.sent")
class SmsSent(DomainEvent):
    message_id: str
    to: str
    sender: str
    purpose: str
    reference: str | None
    status: str  # sent | failed
    parts: int


@domain_event("sms.opt_out")
class SmsOptedOut(DomainEvent):
    number: str
    opted_out: bool  # False: the number opted back in
    word: str | None
