"""Call control: calls, legs, bridges, the B2BUA joining SIP dialogs with media sessions.

`CallControl` (b2bua.py) takes inbound INVITEs and places outbound ones, each as a `Leg` of a
`Call` with its own media endpoint; `topology.py` joins legs (bridge, conference), holds and
records them. What happens next (flows, queues, agents) is decided in `hotline.interactions`,
which `CallControl` tells about hang-ups, REFERs and phone holds through a `CallObserver`.
See docs/calls.md.
"""

from hotline.calls.b2bua import CallControl, CallObserver, CallSettings
from hotline.calls.call import Bridge, Call
from hotline.calls.causes import (
    CAUSES,
    Cause,
    CauseInfo,
    cause_from_flow,
    cause_from_q850,
    cause_from_reason,
    cause_from_status,
)
from hotline.calls.errors import (
    CallConflict,
    CallError,
    CallNotFound,
    DestinationDenied,
    IllegalCallTransition,
    IllegalLegTransition,
    LegFailed,
    LegNotFound,
    OutboundCapFull,
)
from hotline.calls.leg import Leg
from hotline.calls.ports import DialogSession, InboundInvite, OutboundInvite, SipCalls
from hotline.calls.states import CallState, LegDirection, LegRole, LegState
from hotline.tasks import TaskSet

__all__ = [
    "CAUSES",
    "Bridge",
    "Call",
    "CallConflict",
    "CallControl",
    "CallError",
    "CallNotFound",
    "CallObserver",
    "CallSettings",
    "CallState",
    "Cause",
    "CauseInfo",
    "DestinationDenied",
    "DialogSession",
    "IllegalCallTransition",
    "IllegalLegTransition",
    "InboundInvite",
    "Leg",
    "LegDirection",
    "LegFailed",
    "LegNotFound",
    "LegRole",
    "LegState",
    "OutboundCapFull",
    "OutboundInvite",
    "SipCalls",
    "TaskSet",
    "cause_from_flow",
    "cause_from_q850",
    "cause_from_reason",
    "cause_from_status",
]
