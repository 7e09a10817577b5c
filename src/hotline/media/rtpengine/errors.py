"""Errors of the rtpengine backend, each with a stable dotted code (DESIGN §3.5)."""

from __future__ import annotations

from hotline.errors import Unavailable
from hotline.media.errors import MediaError

__all__ = ["RtpengineError", "RtpengineUnreachable"]


class RtpengineError(MediaError):
    """rtpengine answered `result: error`; `reason` is its `error-reason` ("Unknown call-id")."""

    code = "media.rtpengine.error"

    def __init__(self, command: str, reason: str) -> None:
        super().__init__(
            f"rtpengine refused {command!r}: {reason}",
            details={"command": command, "reason": reason},
        )
        self.command = command
        self.reason = reason


class RtpengineUnreachable(Unavailable):
    """No reply from rtpengine after every retransmission of a command."""

    code = "media.rtpengine.unreachable"
