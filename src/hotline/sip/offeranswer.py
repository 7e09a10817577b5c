"""The offer/answer model (RFC 3264) for audio calls: PCMU, PCMA and telephone-event.

`make_offer` builds our offer, `make_answer` answers a remote offer (rejecting streams with port
0 and raising `SdpNegotiationFailed` — 488 — when no audio stream can be accepted), and
`accept_answer` reads the remote answer to our offer. Each returns the `NegotiatedMedia` that
call control hands to the media backend. Hold is a re-offer with `sendonly` (RFC 3264 §8.4).

SRTP keys are exchanged in the SDP (SDES, RFC 4568): an offer may carry our `a=crypto` line,
an answer picks the first usable line of a secure (RTP/SAVP) or best-effort (RTP/AVP with
`a=crypto`) offer and returns our key under its tag; the result carries both keys as
`SrtpKeys`. `wire_offer` decides what leaves: keys only over TLS (ADR 0104).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from hotline.sip.errors import SdpNegotiationFailed
from hotline.sip.sdp import (
    Codec,
    Crypto,
    Direction,
    MediaDescription,
    Origin,
    SessionDescription,
)

__all__ = [
    "PCMA",
    "PCMU",
    "SRTP_DEFAULT_SUITE",
    "TELEPHONE_EVENT",
    "NegotiatedMedia",
    "SrtpKeys",
    "accept_answer",
    "make_answer",
    "make_offer",
    "restrict_codecs",
    "strip_crypto",
    "wire_offer",
    "with_direction",
]

PCMU = Codec(0, "PCMU", 8000)
PCMA = Codec(8, "PCMA", 8000)
TELEPHONE_EVENT = Codec(101, "telephone-event", 8000, fmtp="0-16")
DEFAULT_CODECS = (PCMU, PCMA)
_RTP_PROTOS = ("RTP/AVP", "RTP/SAVP", "RTP/AVPF", "RTP/SAVPF")
SRTP_DEFAULT_SUITE = "AES_CM_128_HMAC_SHA1_80"  # RFC 4568 §6.2's mandatory suite


@dataclass(frozen=True, slots=True)
class SrtpKeys:
    """SRTP agreed by SDES for one stream: we protect with `local_key`, the peer with
    `remote_key` (master key and salt each, RFC 3711 §8)."""

    suite: str
    local_key: bytes
    remote_key: bytes

    def __repr__(self) -> str:  # keys stay out of logs and tracebacks
        return f"SrtpKeys({self.suite})"


@dataclass(frozen=True, slots=True)
class NegotiatedMedia:
    """What both sides agreed for the audio stream, seen from our side."""

    remote_address: str
    remote_port: int
    codec: Codec
    telephone_event: int | None
    direction: Direction
    ptime: int = 20
    srtp: SrtpKeys | None = None

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
    *,
    proto: str = "RTP/AVP",
    crypto: Crypto | None = None,
) -> MediaDescription:
    formats = [str(c.payload_type) for c in codecs]
    attrs: list[tuple[str, str | None]] = [("rtpmap", c.rtpmap()) for c in codecs]
    attrs += [("fmtp", f"{c.payload_type} {c.fmtp}") for c in codecs if c.fmtp]
    if telephone_event is not None:
        formats.append(str(telephone_event.payload_type))
        attrs.append(("rtpmap", telephone_event.rtpmap()))
        attrs.append(("fmtp", f"{telephone_event.payload_type} {telephone_event.fmtp or '0-16'}"))
    if crypto is not None:
        attrs.append(("crypto", str(crypto)))
    attrs += [("ptime", str(ptime)), (direction.value, None)]
    return MediaDescription("audio", port, proto, tuple(formats), attributes=tuple(attrs))


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
    srtp_key: bytes | None = None,
) -> SessionDescription:
    """Our offer: one audio stream with `codecs` in order of preference. With `srtp_key` it
    carries `a=crypto:1` (RTP/AVP: best effort, until `wire_offer` makes it RTP/SAVP)."""
    crypto = Crypto(1, SRTP_DEFAULT_SUITE, srtp_key) if srtp_key is not None else None
    section = _audio_section(port, codecs, telephone_event, direction, ptime, crypto=crypto)
    return SessionDescription(
        origin=Origin("hotline", session_id, version, address),
        session_name="hotline",
        connection=address,
        media=(section,),
    )


def wire_offer(sdp: SessionDescription, *, encrypt: bool) -> SessionDescription:
    """The offer as it is sent: where `encrypt` (the signalling is TLS and the peer a phone),
    audio streams with an `a=crypto` key become RTP/SAVP; elsewhere the keys are removed, as
    SDES keys must never cross a clear-text signalling path (RFC 4568 §8.3)."""
    if not encrypt:
        return strip_crypto(sdp)
    media = tuple(
        replace(m, proto="RTP/SAVP") if m.media == "audio" and m.crypto and m.port else m
        for m in sdp.media
    )
    return replace(sdp, media=media)


def restrict_codecs(sdp: SessionDescription, names: Sequence[str]) -> SessionDescription:
    """The offer with only the audio codecs `names` (a trunk's list), in that order, and
    telephone-event; the rtpmap/fmtp lines of the codecs left out go with them. An offer with
    none of them is returned as it is: the peer's answer then says what it lacks (488)."""
    wanted = [n.upper() for n in names]
    media = []
    for m in sdp.media:
        if m.media != "audio" or not m.port:
            media.append(m)
            continue
        by_format = {str(c.payload_type): c.name.upper() for c in m.codecs}
        kept = [f for n in wanted for f in m.formats if by_format.get(f) == n]
        if not kept:
            media.append(m)
            continue
        events = [f for f in m.formats if by_format.get(f) == "TELEPHONE-EVENT"]
        formats = tuple(kept + events)
        attributes = tuple(
            (k, v)
            for k, v in m.attributes
            if k not in ("rtpmap", "fmtp") or (v or "").partition(" ")[0] in formats
        )
        media.append(replace(m, formats=formats, attributes=attributes))
    return replace(sdp, media=tuple(media))


def strip_crypto(sdp: SessionDescription) -> SessionDescription:
    """The description without `a=crypto` lines (SRTP switched off)."""
    media = tuple(
        replace(m, attributes=tuple((k, v) for k, v in m.attributes if k != "crypto"))
        for m in sdp.media
    )
    return replace(sdp, media=media)


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
    srtp_key: bytes | None = None,
) -> tuple[SessionDescription, NegotiatedMedia]:
    """Answer `offer`: accept the first usable audio stream, reject every other with port 0.

    A stream offered with `a=crypto` gets our `srtp_key` under the first usable line's tag; a
    secure (RTP/SAVP) stream without a usable line, or without our key, is not usable."""
    chosen: NegotiatedMedia | None = None
    sections: list[MediaDescription] = []
    for m in offer.media:
        common = _match(m.codecs, codecs) if m.media == "audio" else []
        remote = offer.connection_for(m)
        offered = [c for c in m.crypto if c.usable] if srtp_key is not None else []
        usable = (
            chosen is None
            and m.port != 0
            and m.proto in _RTP_PROTOS
            and common
            and remote is not None
            and (offered or not m.secure)
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
        keys: SrtpKeys | None = None
        crypto: Crypto | None = None
        if offered and srtp_key is not None:
            theirs = offered[0]
            crypto = Crypto(theirs.tag, theirs.suite, srtp_key)
            keys = SrtpKeys(theirs.suite, srtp_key, theirs.key)
        sections.append(
            _audio_section(
                port, common, event, ours, m.ptime or ptime, proto=m.proto, crypto=crypto
            )
        )
        chosen = NegotiatedMedia(
            remote, m.port, common[0], _pt(event), ours, m.ptime or ptime, srtp=keys
        )
    if chosen is None:
        raise SdpNegotiationFailed(
            "no acceptable audio stream in the offer (PCMU/PCMA, and SRTP keys where RTP/SAVP)"
        )
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
    """Read the answer to our `offer`: the codec is the answer's first one we offered; SRTP
    when the answer returns a key under the tag and suite of one of our `a=crypto` lines."""
    ours = offer.audio()
    our_keys = {c.tag: c for c in ours.crypto if c.usable} if ours is not None else {}
    for m in answer.media:
        if m.media != "audio" or m.port == 0 or ours is None:
            continue
        common = _match(m.codecs, ours.codecs)
        remote = answer.connection_for(m)
        if not common or remote is None:
            continue
        keys: SrtpKeys | None = None
        for theirs in m.crypto:
            mine = our_keys.get(theirs.tag)
            if theirs.usable and mine is not None and mine.suite == theirs.suite:
                keys = SrtpKeys(theirs.suite, mine.key, theirs.key)
                break
        if keys is None and (m.secure or ours.secure):
            continue  # SRTP was required, and no key agreed
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
            srtp=keys,
        )
    raise SdpNegotiationFailed("the answer accepted no audio stream we offered")
