"""Errors of the browser phone gateway, each with a stable dotted code (DESIGN §3.5)."""

from __future__ import annotations

from hotline.errors import InvalidInput, NotFound

__all__ = ["DtmfInvalid", "OfferRejected", "SessionNotFound"]


class OfferRejected(InvalidInput):
    """The browser's SDP offer cannot be answered: malformed, no audio, no PCMU, or no ICE
    candidate on an address the gateway may use. `details` names the line when there is one."""

    code = "webrtc.offer.rejected"


class SessionNotFound(NotFound):
    """The agent has no browser phone session (never opened, closed, or failed)."""

    code = "webrtc.session.not_found"


class DtmfInvalid(InvalidInput):
    code = "webrtc.dtmf.invalid"
