"""Domain events of `hotline.sip` (DESIGN §3.3): registrations, reachability, protection.

`tenant_id` is a parameter of the producer: the lead maps realms (and trunks) to tenants.
"""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = [
    "ContactReachability",
    "FloodDetected",
    "OutboundDenied",
    "Registered",
    "ScannerBlocked",
    "SourceBanned",
    "SourceUnbanned",
    "TrunkRegistration",
    "TrustedSourceAbuse",
    "Unregistered",
]


@domain_event("sip.registered")
class Registered(DomainEvent):
    """A phone registered a contact for an address-of-record (new or refreshed binding)."""

    aor: str
    contact: str
    expires_at: float
    source: str
    transport: str
    user_agent: str | None = None
    refreshed: bool = False


@domain_event("sip.unregistered")
class Unregistered(DomainEvent):
    """A binding ended: `reason` is "removed" (expires=0), "expired" or "replaced"."""

    aor: str
    contact: str
    reason: str


@domain_event("sip.reachability")
class ContactReachability(DomainEvent):
    """OPTIONS qualify found a registered contact (un)reachable; `rtt_ms` when reachable."""

    aor: str
    contact: str
    reachable: bool
    rtt_ms: float | None = None


@domain_event("sip.source_banned")
class SourceBanned(DomainEvent):
    source: str
    until: float
    reason: str


@domain_event("sip.source_unbanned")
class SourceUnbanned(DomainEvent):
    """An admin lifted a ban (`by` is the user id)."""

    source: str
    by: str | None = None


@domain_event("sip.trusted_source_abuse")
class TrustedSourceAbuse(DomainEvent):
    """Failed authentications from a configured trunk's address, which is never banned: someone
    may be forging the carrier's address, or the trunk's credentials are wrong. An alert."""

    source: str
    reason: str


@domain_event("sip.flood_detected")
class FloodDetected(DomainEvent):
    """A source, a network ("192.0.2.0/24") or all unknown sources together ("*") went over
    their message budget; the excess is dropped before parsing."""

    source: str
    reason: str


@domain_event("sip.scanner_blocked")
class ScannerBlocked(DomainEvent):
    source: str
    user_agent: str


@domain_event("sip.trunk_registration")
class TrunkRegistration(DomainEvent):
    """Outbound registration to a provider succeeded or failed (`status` is the SIP code)."""

    trunk: str
    registered: bool
    status: int | None = None
    expires_at: float | None = None


@domain_event("sip.outbound_denied")
class OutboundDenied(DomainEvent):
    """The toll-fraud policy refused a destination (or the concurrent cap was reached)."""

    destination: str
    role: str
    reason: str
