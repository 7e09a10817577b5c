"""Errors of the media package, each with a stable dotted code (DESIGN §3.5)."""

from __future__ import annotations

from hotline.errors import Conflict, HotlineError, InvalidInput, NotFound, Unavailable

__all__ = [
    "CodecNotSupported",
    "EndpointNotFound",
    "MediaConflict",
    "MediaError",
    "PortPoolExhausted",
    "PromptError",
    "RecordingError",
    "RtcpParseError",
    "RtpParseError",
    "TtsError",
]


class MediaError(HotlineError):
    code = "media.error"


class RtpParseError(InvalidInput):
    """A datagram is not a valid RTP packet (RFC 3550 §5.1)."""

    code = "media.rtp.malformed"


class RtcpParseError(InvalidInput):
    """A datagram is not a valid RTCP compound packet (RFC 3550 §6)."""

    code = "media.rtcp.malformed"


class CodecNotSupported(InvalidInput):
    code = "media.codec.unsupported"


class PortPoolExhausted(Unavailable):
    code = "media.port_pool.exhausted"


class EndpointNotFound(NotFound):
    code = "media.endpoint.not_found"


class MediaConflict(Conflict):
    """The request clashes with what an endpoint is doing (bridged twice, already recording)."""

    code = "media.conflict"


class PromptError(InvalidInput):
    """A prompt file cannot be read or converted (bad WAV, unsupported encoding)."""

    code = "media.prompt.invalid"


class TtsError(MediaError):
    code = "media.tts.failed"


class RecordingError(MediaError):
    code = "media.recording.failed"
