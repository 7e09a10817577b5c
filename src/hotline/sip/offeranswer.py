"""The offer/answer model (RFC 3264) for audio calls: PCMU, PCMA and telephone-event.

`make_offer` builds our offer, `make_answer` answers a remote offer (rejecting streams with port
0 and raising `SdpNegotiationFailed` — 488 — when no audio stream can be accepted), and
`accept_answer` reads the remote answer to our offer. Each returns the `NegotiatedMedia` that
call control hands to the media backend. Hold is a re-offer with `sendonly` (RFC 3264 §8.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from hotline.sip.errors import SdpNegotiationFailed
from hotline.sip.sdp import Codec, Direction, MediaDescription, Origin, SessionDescription

__all__ = [
    "PCMA",
    "PCMU",
    "TELEPHONE_EVENT",
    "NegotiatedMedia",
    "accept_answer",
    "make_answer",
    "make_offer",
    "with_direction",
]

PCMU = Codec(0, "PCMU", 8000)
PCMA = Codec(8, "PCMA", 8000)
TELEPHONE_EVENT = Codec(101, "telephone-event", 8000, fmtp="0-16")
DEFAULT_CODECS = (PCMU, PCMA)
_RTP_PROTOS = ("RTP/AVP", "RTP/SAVP", "RTP/AVPF", "RTP/SAVPF")


@dataclass(frozen=True, slots=True)
class NegotiatedMedia:
    """What both sides agreed for the audio stream, seen from our side."""

    remote_address: str
    remote_port: int
    codec: Codec
    telephone_event: int | None
    direction: Direction
    ptime: int = 20

    @property
    def on_hold(self) -> bool:
        """The remote side does not want to receive (it put us on hold, or both are held)."""
        return not self.direction.sends


def _audio_section(
    port: int,
    codecs: Sequence[Codec],
    telephone_event: Codec | None,
    direction: Direction,
    ptime: int,
) -> MediaDescription:
    formats = [str(c.payload_type) for c in codecs]
    attrs: list[tuple[str, str | None]] = [("rtpmap", c.rtpmap()) for c in codecs]
    attrs += [("fmtp", f"{c.payload_type} {c.fmtp}") for c in codecs if c.fmtp]
    if telephone_event is not None:
        formats.append(str(telephone_event.payload_type))
        attrs.append(("rtpmap", telephone_event.rtpmap()))
        attrs.append(("fmtp", f"{telephone_event.payload_type} {telephone_event.fmtp or '0-16'}"))
    attrs += [("ptime", str(ptime)), (direction.value, None)]
    return MediaDescription("audio", port, "RTP/AVP", tuple(formats), attributes=tuple(attrs))


def make_offer(
    address: str,
    port: int,
    *,
    session_id: int,
    version: int = 1,
    codecs: Sequence[Codec] = DEFAULT_CODECS,
    telephone_event: Codec | None = TELEPHONE_EVENT,
    direction: Direction = Direction.SENDRECV,
    ptime: int = 20,
) -> SessionDescription:
    """Our offer: one audio stream with `codecs` in order of preference."""
    return SessionDescription(
        origin=Origin("hotline", session_id, version, address),
        session_name="hotline",
        connection=address,
        media=(_audio_section(port, codecs, telephone_event, direction, ptime),),
    )


def with_direction(sdp: SessionDescription, direction: Direction) -> SessionDescription:
    """The same session with a new direction on its audio streams and version + 1.

    Used for hold (`SENDONLY`), resume (`SENDRECV`) and mute-both (`INACTIVE`) re-offers.
    """
    media = tuple(
        m.with_direction(direction) if m.media == "audio" and m.port else m for m in sdp.media
    )
    origin = replace(sdp.origin, session_version=sdp.origin.session_version + 1)
    return replace(sdp, origin=origin, media=media)


def _match(offered: list[Codec], supported: Sequence[Codec]) -> list[Codec]:
    """Offered codecs we support, in the offerer's order, keeping the offerer's numbers."""
    return [o for o in offered if any(o.same_format(s) for s in supported)]


def _telephone_event(offered: list[Codec]) -> Codec | None:
    for c in offered:
        if c.name.lower() == "telephone-event" and c.clock_rate == 8000:
            return c
    return None


def _answer_direction(offered: Direction, wanted: Direction) -> Direction:
    # RFC 3264 §6.1: we may send only if they receive, and receive only if they send.
    return Direction.of(
        wanted.sends and offered.receives,
        wanted.receives and offered.sends,
    )


def make_answer(
    offer: SessionDescription,
    address: str,
    port: int,
    *,
    session_id: int,
    version: int = 1,
    codecs: Sequence[Codec] = DEFAULT_CODECS,
    direction: Direction = Direction.SENDRECV,
    ptime: int = 20,
) -> tuple[SessionDescription, NegotiatedMedia]:
    """Answer `offer`: accept the first usable audio stream, reject every other with port 0."""
    chosen: NegotiatedMedia | None = None
    sections: list[MediaDescription] = []
    for m in offer.media:
        common = _match(m.codecs, codecs) if m.media == "audio" else []
        remote = offer.connection_for(m)
        usable = (
            chosen is None
            and m.port != 0
            and m.proto in _RTP_PROTOS
            and common
            and remote is not None
        )
        if not usable:
            sections.append(MediaDescription(m.media, 0, m.proto, m.formats))
            continue
        assert remote is not None
        event = _telephone_event(m.codecs)
        offered_dir = m.direction
        if remote in ("0.0.0.0", "::"):
            offered_dir = Direction.of(offered_dir.sends, False)  # RFC 2543-style hold
        ours = _answer_direction(offered_dir, direction)
        sections.append(_audio_section(port, common, event, ours, m.ptime or ptime))
        chosen = NegotiatedMedia(remote, m.port, common[0], _pt(event), ours, m.ptime or ptime)
    if chosen is None:
        raise SdpNegotiationFailed("no acceptable audio stream in the offer (PCMU/PCMA)")
    answer = SessionDescription(
        origin=Origin("hotline", session_id, version, address),
        session_name="hotline",
        connection=address,
        media=tuple(sections),
    )
    return answer, chosen


def _pt(codec: Codec | None) -> int | None:
    return None if codec is None else codec.payload_type


def accept_answer(offer: SessionDescription, answer: SessionDescription) -> NegotiatedMedia:
    """Read the answer to our `offer`: the codec is the answer's first one we offered."""
    ours = offer.audio()
    for m in answer.media:
        if m.media != "audio" or m.port == 0 or ours is None:
            continue
        common = _match(m.codecs, ours.codecs)
        remote = answer.connection_for(m)
        if not common or remote is None:
            continue
        direction = m.direction.reversed()
        if remote in ("0.0.0.0", "::"):
            direction = Direction.of(False, direction.receives)  # RFC 2543-style hold
        return NegotiatedMedia(
            remote,
            m.port,
            common[0],
            _pt(_telephone_event(m.codecs)),
            direction,
            m.ptime or ours.ptime or 20,
        )
    raise SdpNegotiationFailed("the answer accepted no audio stream we offered")
