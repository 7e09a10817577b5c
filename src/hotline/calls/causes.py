"""Why legs and calls end: one vocabulary (`Cause`) mapped to ITU-T Q.850 cause values for the
`Reason` header (RFC 3326) and to SIP status codes (RFC 3398 §7.2.4 / §8.2.6).

Call control, the router's outcomes, the flows' `hangup` causes and the reports all use the
`Cause` names; the numbers only appear on the wire and in `leg.ended` / `call.ended` events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CAUSES",
    "Cause",
    "CauseInfo",
    "cause_from_flow",
    "cause_from_q850",
    "cause_from_reason",
    "cause_from_status",
]


class Cause(StrEnum):
    NORMAL = "normal"  # normal clearing
    BUSY = "busy"  # user busy
    NO_RESPONSE = "no_response"  # the phone did not respond at all
    NO_ANSWER = "no_answer"  # rang, nobody answered
    REJECTED = "rejected"  # declined
    UNALLOCATED = "unallocated"  # no such number / DID
    UNAVAILABLE = "unavailable"  # not registered, nobody can take it
    CANCELLED = "cancelled"  # the caller (or we) gave up while it rang
    DENIED = "denied"  # the tenant's outbound policy refused the number
    CONGESTION = "congestion"  # no capacity (media ports, outbound cap)
    MEDIA_FAILED = "media_failed"  # no common codec
    TIMEOUT = "timeout"  # a protocol timer expired (no ACK, no response)
    FAILED = "failed"  # anything else went wrong
    INTERRUPTED = "interrupted"  # Hotline was stopped or restarted during the call
    TRANSFERRED = "transferred"  # the leg left because its party was transferred


@dataclass(frozen=True, slots=True)
class CauseInfo:
    q850: int
    status: int  # for an unanswered call we reject
    text: str


CAUSES: dict[Cause, CauseInfo] = {
    Cause.NORMAL: CauseInfo(16, 480, "Normal call clearing"),
    Cause.BUSY: CauseInfo(17, 486, "User busy"),
    Cause.NO_RESPONSE: CauseInfo(18, 408, "No user responding"),
    Cause.NO_ANSWER: CauseInfo(19, 480, "No answer from user"),
    Cause.REJECTED: CauseInfo(21, 603, "Call rejected"),
    Cause.UNALLOCATED: CauseInfo(1, 404, "Unallocated number"),
    Cause.UNAVAILABLE: CauseInfo(20, 480, "Subscriber absent"),
    Cause.CANCELLED: CauseInfo(16, 487, "Originator cancel"),
    Cause.DENIED: CauseInfo(21, 403, "Call rejected by policy"),
    Cause.CONGESTION: CauseInfo(34, 503, "No circuit available"),
    Cause.MEDIA_FAILED: CauseInfo(88, 488, "Incompatible destination"),
    Cause.TIMEOUT: CauseInfo(102, 408, "Recovery on timer expiry"),
    Cause.FAILED: CauseInfo(41, 500, "Temporary failure"),
    Cause.INTERRUPTED: CauseInfo(41, 503, "Service interrupted"),
    Cause.TRANSFERRED: CauseInfo(16, 480, "Call transferred"),
}

# RFC 3398 §8.2.6.1: SIP final responses as Q.850 causes, here as `Cause` names.
_BY_STATUS: dict[int, Cause] = {
    403: Cause.REJECTED,
    404: Cause.UNALLOCATED,
    408: Cause.NO_RESPONSE,
    410: Cause.UNALLOCATED,
    480: Cause.UNAVAILABLE,
    484: Cause.UNALLOCATED,
    486: Cause.BUSY,
    487: Cause.CANCELLED,
    488: Cause.MEDIA_FAILED,
    503: Cause.CONGESTION,
    600: Cause.BUSY,
    603: Cause.REJECTED,
    604: Cause.UNALLOCATED,
}

_BY_Q850: dict[int, Cause] = {
    1: Cause.UNALLOCATED,
    16: Cause.NORMAL,
    17: Cause.BUSY,
    18: Cause.NO_RESPONSE,
    19: Cause.NO_ANSWER,
    20: Cause.UNAVAILABLE,
    21: Cause.REJECTED,
    31: Cause.NORMAL,
    34: Cause.CONGESTION,
    41: Cause.FAILED,
    88: Cause.MEDIA_FAILED,
    102: Cause.TIMEOUT,
}

_FLOW_CAUSES = {
    "normal": Cause.NORMAL,
    "busy": Cause.BUSY,
    "rejected": Cause.REJECTED,
    "no_answer": Cause.NO_ANSWER,
    "unavailable": Cause.UNAVAILABLE,
}

_Q850 = re.compile(r"Q\.850\s*;(?:.*;)?\s*cause\s*=\s*(\d+)", re.IGNORECASE)


def cause_from_status(status: int) -> Cause:
    """The cause of a failed INVITE from its final status."""
    found = _BY_STATUS.get(status)
    if found is not None:
        return found
    if 500 <= status < 600:
        return Cause.FAILED
    if status >= 600:
        return Cause.REJECTED
    return Cause.FAILED


def cause_from_q850(value: int) -> Cause:
    return _BY_Q850.get(value, Cause.NORMAL if value < 32 else Cause.FAILED)


def cause_from_reason(header: str | None) -> Cause:
    """The cause a BYE's `Reason: Q.850;cause=17` carries; a plain BYE is a normal clearing."""
    if not header:
        return Cause.NORMAL
    match = _Q850.search(header)
    return cause_from_q850(int(match.group(1))) if match else Cause.NORMAL


def cause_from_flow(name: str) -> Cause:
    """A flow `hangup` node's `cause` (normal, busy, rejected, no_answer, unavailable)."""
    return _FLOW_CAUSES.get(name, Cause.NORMAL)
