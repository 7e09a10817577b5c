"""Agents at work: the phone each one logged in with, and the call it is on.

An agent's "phone" is how call control reaches it: a registered SIP extension (`SipPhone`),
which offers ring with an INVITE, or a browser (`BrowserPhone`), whose media is the long-lived
endpoint of its WebRTC session: an offer to it notifies the desktop and answering bridges the
customer into that endpoint at once (`browser.py`). The seam is `AgentPhone` and the places
that match on it (`RuntimeCore.ring_phone`, `Seat.reachable`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hotline.calls import Leg
from hotline.ids import AgentId, InteractionId

__all__ = ["AgentPhone", "BrowserPhone", "Consult", "PhoneKind", "Seat", "SipPhone", "phone_label"]


class PhoneKind(StrEnum):
    SIP = "sip"
    BROWSER = "browser"


@dataclass(frozen=True, slots=True)
class SipPhone:
    """A SIP phone registered as `extension` (its address-of-record, ADR 0019)."""

    extension: str

    @property
    def kind(self) -> PhoneKind:
        return PhoneKind.SIP

    @property
    def address(self) -> str:
        return self.extension


@dataclass(frozen=True, slots=True)
class BrowserPhone:
    """A browser phone: the WebRTC session the gateway keeps under `key` (the agent's id, or
    a supervisor's key, `supervisor_key`)."""

    key: str

    @property
    def kind(self) -> PhoneKind:
        return PhoneKind.BROWSER

    @property
    def address(self) -> str:
        return self.key


AgentPhone = SipPhone | BrowserPhone


def phone_label(phone: AgentPhone) -> str:
    """How the phone is named to others (the caller id of a consult): its extension, or the
    browser session's key."""
    return phone.extension if isinstance(phone, SipPhone) else phone.key


@dataclass
class Consult:
    """An agent talking to a third party while its customer holds: the consult leg and, for a
    consult with another agent, the internal interaction that agent works on."""

    leg: Leg | None  # None while the router looks for the consulted agent
    target: str
    target_kind: str  # "agent" | "queue" | "number"
    child: InteractionId | None = None
    note: str | None = None
    interaction_id: InteractionId | None = None  # the customer's contact


@dataclass
class Seat:
    """One logged-in agent: its phone and what it is doing with it."""

    agent_id: AgentId
    phone: AgentPhone
    logged_in_at: float
    interaction_id: InteractionId | None = None  # the contact the agent talks to
    leg: Leg | None = None  # the agent's live leg in that contact
    work: InteractionId | None = None  # what the router counts the agent as handling
    consult: Consult | None = None
    reachable: bool = True
    away_for_call: bool = False  # we set it not ready for a call of its own (click-to-dial)
    rings: set[InteractionId] = field(default_factory=set)  # offers ringing its phone

    @property
    def on_call(self) -> bool:
        return self.leg is not None and self.leg.is_live
