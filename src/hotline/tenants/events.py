"""Events of a tenant's lifecycle, written to the tenant's own log; the running server's
tenant watcher starts or stops the center on them (and on its poll, for other processes)."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["TENANT_EVENTS", "TenantChanged", "TenantCreated"]


@domain_event("tenant.created")
class TenantCreated(DomainEvent):
    slug: str
    sip_domain: str
    by: str


@domain_event("tenant.changed")
class TenantChanged(DomainEvent):
    """Status or limits changed (`action`: suspend, resume, delete, limits)."""

    slug: str
    action: str
    status: str
    by: str


TENANT_EVENTS = (TenantCreated.type, TenantChanged.type)
