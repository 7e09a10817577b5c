"""Agents at work: the phone each one logged in with, and the call it is on.

An agent's "phone" is how call control reaches it. Today that is a registered SIP extension
(`SipPhone`): offers ring it with an INVITE. Browser agents (issue 7) will add a `BrowserPhone`
whose media is a long-lived frame endpoint of the media backend; offers then notify the
desktop and answering bridges the customer into that endpoint. The seam is `AgentPhone` and the
places that match on it (`offers.py`, `Seat.reachable`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hotline.calls import Leg
from hotline.ids import AgentId, InteractionId

__all__ = ["AgentPhone", "Consult", "PhoneKind", "Seat", "SipPhone"]


class PhoneKind(StrEnum):
    SIP = "sip"
    BROWSER = "browser"  # issue 7


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


AgentPhone = SipPhone  # | BrowserPhone in issue 7


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
