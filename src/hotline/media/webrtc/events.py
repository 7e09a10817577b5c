"""Domain events of the browser phone (DESIGN §3.3): an agent's WebRTC session came up or went
away. Call control marks an agent unreachable when her browser session is gone."""

from __future__ import annotations

import enum

from hotline.events import DomainEvent, domain_event

__all__ = ["BrowserConnected", "BrowserDetached", "BrowserDisconnected", "DisconnectReason"]


class DisconnectReason(enum.StrEnum):
    CLOSED = "closed"  # the page said bye (logout) or its signalling socket closed
    FAILED = "failed"  # ICE or DTLS failed, or the browser stopped answering consent checks
    SHUTDOWN = "shutdown"  # the server is stopping
    GONE = "gone"  # the page went away and did not come back within the grace period


@domain_event("phone.browser_connected")
class BrowserConnected(DomainEvent):
    """The agent's browser media is flowing (DTLS up). Sent again after the page renegotiates
    (a new offer on a live session keeps the same `endpoint_id`)."""

    endpoint_id: str
    generation: int  # which offer of this session connected: 1, then 2 after a re-offer …


@domain_event("phone.browser_detached")
class BrowserDetached(DomainEvent):
    """The agent's page went away (reload, network loss, a failed peer connection) but its
    session and endpoint wait `grace_s` for a new offer: a call bridged to it is kept (call
    control plays hold music to the other side). Then either `phone.browser_connected` (the
    page is back, same `endpoint_id`) or `phone.browser_disconnected` (reason `gone`)."""

    endpoint_id: str
    reason: str  # a DisconnectReason value: what took the page away
    grace_s: float


@domain_event("phone.browser_disconnected")
class BrowserDisconnected(DomainEvent):
    """The agent's browser session is gone and its endpoint released. Only sent for a session
    that had connected."""

    endpoint_id: str
    reason: str  # a DisconnectReason value
