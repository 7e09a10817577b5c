"""Errors of `hotline.sip`, each with a stable dotted code (DESIGN §3.5).

`SipParseError` carries a `status_hint` (normally 400, 505 for a bad version) the way h11's
`ProtocolError` does: the endpoint decides whether to answer with it or drop the datagram.
"""

from __future__ import annotations

from typing import Any

from hotline.errors import HotlineError, NotFound, PermissionDenied, Throttled

__all__ = [
    "BanNotFound",
    "DialogError",
    "OutboundCapReached",
    "OutboundDenied",
    "SdpError",
    "SdpNegotiationFailed",
    "SipError",
    "SipParseError",
    "TransactionError",
    "TransportError",
]


class SipError(HotlineError):
    """Base of every error `hotline.sip` raises on purpose."""

    code = "sip"


class SipParseError(SipError):
    """Malformed SIP input. `status_hint` is the response a server should send (400, 505 …)."""

    code = "sip.parse"

    def __init__(self, message: str, *, status_hint: int = 400, where: str | None = None) -> None:
        details: dict[str, Any] = {"status_hint": status_hint}
        if where is not None:
            details["where"] = where
        super().__init__(message if where is None else f"{where}: {message}", details=details)
        self.status_hint = status_hint
        self.where = where


class SdpError(SipError):
    """A session description that cannot be parsed."""

    code = "sip.sdp.parse"


class SdpNegotiationFailed(SipError):
    """An offer with nothing we can accept: answer 488 Not Acceptable Here."""

    code = "sip.sdp.no_match"
    status_hint = 488


class TransactionError(SipError):
    """A transaction was used against its state machine (sending on a terminated one …)."""

    code = "sip.transaction"


class DialogError(SipError):
    """A dialog request or response that does not fit the dialog's state."""

    code = "sip.dialog"


class TransportError(SipError):
    """A message could not be sent (no connection, unknown transport)."""

    code = "sip.transport"


class OutboundDenied(SipError, PermissionDenied):
    """The toll-fraud policy does not allow this destination for this tenant and role."""

    code = "sip.outbound.denied"


class OutboundCapReached(Throttled):
    """The tenant already has its maximum number of concurrent outbound calls."""

    code = "sip.outbound.cap"


class BanNotFound(SipError, NotFound):
    """No active ban on that source address (lifted already, or expired)."""

    code = "sip.ban.not_found"
