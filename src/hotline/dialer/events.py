"""Domain events of the live dialer (DESIGN §3.3): what answering-machine detection decided on
an answered campaign call and what came of it (ADR 0197). The envelope's `interaction_id` is
the outbound contact, `leg_id` the callee's leg."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["AmdDecided", "CampaignCallPlaced", "MachineMessageEnded"]


@domain_event("dialer.amd.decided")
class AmdDecided(DomainEvent):
    campaign_id: str
    record_id: str
    verdict: str  # "human" | "machine"
    sure: bool  # False: the detector ran out of time and went with its lean
    heard_s: float  # audio heard before the verdict
    decision_s: float  # from the answer to the verdict
    action: str  # "connect" | "hang_up" | "message"


@domain_event("dialer.amd.message_ended")
class MachineMessageEnded(DomainEvent):
    campaign_id: str
    record_id: str
    left: bool  # the message played to its end
    waited_s: float  # from the verdict to the greeting's end (the message's start)


@domain_event("dialer.call.placed")
class CampaignCallPlaced(DomainEvent):
    """A campaign's call was placed: the outbound contact (`interaction_id`) is the record's,
    so the agent's wrap-up of it lands on the record and its dial log row."""

    campaign_id: str
    record_id: str
