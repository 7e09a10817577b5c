"""Errors of call control, each with a stable dotted code (DESIGN §3.5).

    CallError
    ├── CallNotFound, LegNotFound                       (NotFound)
    ├── CallConflict                                    (Conflict)  a leg in the wrong shape
    ├── IllegalLegTransition, IllegalCallTransition     (IllegalTransition)
    ├── LegFailed                                       a leg ended before it was answered
    └── DestinationDenied                               the tenant's toll-fraud policy said no
        └── OutboundCapFull                             … because its calls at once are at the cap

A leg that fails carries the `Cause` it ended with, so callers can report it to the router and
put it in `Reason` headers without guessing from SIP status codes again.
"""

from __future__ import annotations

from hotline.calls.causes import Cause
from hotline.errors import Conflict, HotlineError, IllegalTransition, NotFound

__all__ = [
    "CallConflict",
    "CallError",
    "CallNotFound",
    "DestinationDenied",
    "IllegalCallTransition",
    "IllegalLegTransition",
    "LegFailed",
    "LegNotFound",
    "OutboundCapFull",
]


class CallError(HotlineError):
    """Base of every error `hotline.calls` raises."""

    code = "calls.error"


class CallNotFound(CallError, NotFound):
    code = "calls.call.not_found"

    def __init__(self, call_id: str) -> None:
        super().__init__(f"no live call {call_id!r}", details={"call_id": call_id})


class LegNotFound(CallError, NotFound):
    code = "calls.leg.not_found"

    def __init__(self, leg_id: str) -> None:
        super().__init__(f"no live leg {leg_id!r}", details={"leg_id": leg_id})


class CallConflict(CallError, Conflict):
    """The call is not in a shape that allows the request (nothing to resume, no consult leg)."""

    code = "calls.conflict"


class IllegalLegTransition(CallError, IllegalTransition):
    code = "calls.leg.illegal_transition"


class IllegalCallTransition(CallError, IllegalTransition):
    code = "calls.call.illegal_transition"


class LegFailed(CallError):
    """A leg ended before it was answered: busy, no answer, unreachable, cancelled."""

    code = "calls.leg.failed"

    def __init__(self, cause: Cause, *, status: int | None = None, reason: str = "") -> None:
        text = f"leg failed: {cause.value}" + (f" ({status} {reason})" if status else "")
        super().__init__(text, details={"cause": cause.value, "status": status})
        self.cause = cause
        self.status = status
        self.reason = reason


class DestinationDenied(CallError):
    """The tenant's `OutboundPolicy` refused the number (toll-fraud guard) or its cap is full."""

    code = "calls.destination.denied"

    def __init__(self, number: str, why: str) -> None:
        super().__init__(f"calling {number} is not allowed: {why}", details={"number": number})
        self.number = number
        self.why = why


class OutboundCapFull(DestinationDenied):
    """The number is allowed, but the tenant's cap on outbound calls at once is full: the
    call never left, and may be tried again once a call ends."""

    code = "calls.destination.cap_full"
