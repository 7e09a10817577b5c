"""Customer events."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["CustomerChanged"]


@domain_event("customer.changed")
class CustomerChanged(DomainEvent):
    customer_id: str
    action: str  # create | update | delete
