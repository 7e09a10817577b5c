"""Events of configuration changes: running services (router, SIP registrar) reload on them."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["ConfigChanged"]


@domain_event("config.changed")
class ConfigChanged(DomainEvent):
    entity: str
    entity_id: str
    action: str  # create | update | delete
