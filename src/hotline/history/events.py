"""Events of the worklist of missed contacts (ADR 0061): who took one in hand, and let it go."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["WorklistClaimed", "WorklistReleased"]


@domain_event("worklist.claimed")
class WorklistClaimed(DomainEvent):
    """The envelope's agent claimed the missed contact (the envelope's interaction)."""

    queue_id: str | None
    reason: str  # abandoned | voicemail | callback_failed


@domain_event("worklist.released")
class WorklistReleased(DomainEvent):
    """The claim was let go, by the envelope's agent (its own, or a supervisor's release)."""

    queue_id: str | None
    claimed_by: str  # the agent whose claim it was
