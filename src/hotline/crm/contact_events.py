"""Events the desktop adds to an interaction's record: the wrap-up and missed-call follow-up."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["InteractionDispositioned", "InteractionFollowedUp"]


@domain_event("interaction.dispositioned")
class InteractionDispositioned(DomainEvent):
    """The agent's wrap-up of its segment (`work_id`, ADR 0061): disposition code, notes;
    `sale` for the conversion rate; `resolved` the agent's answer to "resolved?" (None: not
    answered), which counts for first-contact resolution (GLOSSARY, ADR 0172)."""

    disposition: str
    category: str
    sale: bool
    notes: str
    queue_id: str | None = None
    ticket_id: str | None = None
    work_id: str | None = None  # the agent's segment of the contact (ADR 0061)
    resolved: bool | None = None


@domain_event("interaction.followed_up")
class InteractionFollowedUp(DomainEvent):
    """A missed contact (abandoned, voicemail, failed callback) was dealt with."""

    by: str
    note: str | None = None
