"""RTP packets (RFC 3550 §5.1) and the sender-side sequence/timestamp state (§5.1, §8).

`RtpPacket.parse(data)` / `bytes(packet)` round-trip every valid packet, including CSRC lists,
header extensions (§5.3.1) and padding. The engine's hot path does not build `RtpPacket`
objects: it uses `peek()` and `RtpSender.header()` on raw bytes, which cost one `struct` call.
"""

from __future__ import annotations

import dataclasses
import struct

from hotline.media.errors import RtpParseError

__all__ = [
    "RTP_VERSION",
    "RtpExtension",
    "RtpHeader",
    "RtpPacket",
    "RtpSender",
    "is_rtcp",
    "peek",
    "seq_delta",
]

RTP_VERSION = 2
_HEADER = struct.Struct("!BBHII")
_EXT_HEADER = struct.Struct("!HH")


@dataclasses.dataclass(frozen=True, slots=True)
class RtpExtension:
    """A header extension (§5.3.1): a 16-bit profile word and 32-bit-word aligned data."""

    profile: int
    data: bytes

    def __post_init__(self) -> None:
        if len(self.data) % 4:
            raise ValueError("RTP header extension data must be a multiple of 4 bytes")


@dataclasses.dataclass(frozen=True, slots=True)
class RtpPacket:
    payload_type: int
    sequence_number: int
    timestamp: int
    ssrc: int
    payload: bytes = b""
    marker: bool = False
    csrc: tuple[int, ...] = ()
    extension: RtpExtension | None = None
    # Number of padding octets at the end, the last of which holds the count (§5.1 P bit).
    padding: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.payload_type <= 127:
            raise ValueError(f"payload_type {self.payload_type} is outside 0..127")
        if not 0 <= self.sequence_number <= 0xFFFF:
            raise ValueError(f"sequence_number {self.sequence_number} is outside 0..65535")
        if not 0 <= self.timestamp <= 0xFFFFFFFF or not 0 <= self.ssrc <= 0xFFFFFFFF:
            raise ValueError("timestamp and ssrc are 32-bit unsigned")
        if len(self.csrc) > 15:
            raise ValueError("at most 15 CSRC identifiers")
        if not 0 <= self.padding <= 255:
            raise ValueError("padding is 0..255 octets")

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket:
        if len(data) < _HEADER.size:
            raise RtpParseError(f"RTP packet of {len(data)} bytes is shorter than its header")
        b0, b1, seq, ts, ssrc = _HEADER.unpack_from(data)
        if b0 >> 6 != RTP_VERSION:
            raise RtpParseError(f"RTP version {b0 >> 6}, expected 2")
        cc = b0 & 0x0F
        pos = _HEADER.size
        end = len(data)
        if end < pos + 4 * cc:
            raise RtpParseError("RTP packet is shorter than its CSRC list")
        csrc = struct.unpack_from(f"!{cc}I", data, pos) if cc else ()
        pos += 4 * cc
        extension = None
        if b0 & 0x10:
            if end < pos + 4:
                raise RtpParseError("RTP packet is shorter than its header extension")
            profile, words = _EXT_HEADER.unpack_from(data, pos)
            pos += 4
            if end < pos + 4 * words:
                raise RtpParseError("RTP header extension runs past the end of the packet")
            extension = RtpExtension(profile, bytes(data[pos : pos + 4 * words]))
            pos += 4 * words
        padding = 0
        if b0 & 0x20:
            padding = data[-1]
            if padding == 0 or pos + padding > end:
                raise RtpParseError(f"RTP padding count {padding} is invalid")
            end -= padding
        return cls(
            payload_type=b1 & 0x7F,
            sequence_number=seq,
            timestamp=ts,
            ssrc=ssrc,
            payload=bytes(data[pos:end]),
            marker=bool(b1 & 0x80),
            csrc=tuple(csrc),
            extension=extension,
            padding=padding,
        )

    def serialize(self) -> bytes:
        b0 = (RTP_VERSION << 6) | len(self.csrc)
        if self.padding:
            b0 |= 0x20
        if self.extension is not None:
            b0 |= 0x10
        b1 = self.payload_type | (0x80 if self.marker else 0)
        parts = [_HEADER.pack(b0, b1, self.sequence_number, self.timestamp, self.ssrc)]
        if self.csrc:
            parts.append(struct.pack(f"!{len(self.csrc)}I", *self.csrc))
        if self.extension is not None:
            ext = self.extension
            parts.append(_EXT_HEADER.pack(ext.profile, len(ext.data) // 4))
            parts.append(ext.data)
        parts.append(self.payload)
        if self.padding:
            parts.append(bytes(self.padding - 1) + bytes((self.padding,)))
        return b"".join(parts)

    def __bytes__(self) -> bytes:
        return self.serialize()


@dataclasses.dataclass(frozen=True, slots=True)
class RtpHeader:
    """The fixed header fields the engine needs, read without copying the payload."""

    payload_type: int
    sequence_number: int
    timestamp: int
    ssrc: int
    marker: bool
    payload_offset: int
    payload_end: int


def peek(data: bytes) -> RtpHeader | None:
    """The header of `data`, or None when it is not a valid RTP packet (dropped, not raised)."""
    if len(data) < 12:
        return None
    b0, b1, seq, ts, ssrc = _HEADER.unpack_from(data)
    if b0 & 0xC0 != 0x80:
        return None
    pos = 12 + 4 * (b0 & 0x0F)
    end = len(data)
    if b0 & 0x10:
        if end < pos + 4:
            return None
        pos += 4 + 4 * _EXT_HEADER.unpack_from(data, pos)[1]
    if b0 & 0x20:
        end -= data[-1]
    if pos > end:
        return None
    return RtpHeader(b1 & 0x7F, seq, ts, ssrc, bool(b1 & 0x80), pos, end)


def is_rtcp(data: bytes) -> bool:
    """RTCP multiplexed on the RTP port (RFC 5761 §4): packet types 192..223 sit where PT is."""
    return len(data) >= 2 and 192 <= data[1] <= 223


def seq_delta(new: int, old: int) -> int:
    """Signed distance between two 16-bit sequence numbers, modulo wrap-around."""
    return ((new - old + 0x8000) & 0xFFFF) - 0x8000


class RtpSender:
    """The outbound side of one RTP stream: our SSRC, sequence and timestamp (§5.1).

    Sequence and timestamp start at random values (§5.1) and continue across whatever feeds the
    stream (prompt, relayed peer, mixer), so the far end sees one continuous source.
    """

    __slots__ = ("octets_sent", "packets_sent", "sequence", "ssrc", "timestamp")

    def __init__(self, ssrc: int, sequence: int, timestamp: int) -> None:
        self.ssrc = ssrc & 0xFFFFFFFF
        self.sequence = sequence & 0xFFFF
        self.timestamp = timestamp & 0xFFFFFFFF
        self.packets_sent = 0
        self.octets_sent = 0

    def header(self, payload_type: int, samples: int, payload_len: int, marker: bool) -> bytes:
        """The 12-byte header of the next packet; advances sequence and timestamp."""
        head = _HEADER.pack(
            0x80, payload_type | (0x80 if marker else 0), self.sequence, self.timestamp, self.ssrc
        )
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.timestamp = (self.timestamp + samples) & 0xFFFFFFFF
        self.packets_sent += 1
        self.octets_sent += payload_len
        return head

    def event_header(self, payload_type: int, timestamp: int, marker: bool, length: int) -> bytes:
        """Header of an RFC 4733 event packet: its own timestamp (the event start), next seq."""
        head = _HEADER.pack(
            0x80, payload_type | (0x80 if marker else 0), self.sequence, timestamp, self.ssrc
        )
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.packets_sent += 1
        self.octets_sent += length
        return head

    def skip(self, samples: int) -> None:
        """Advance the timestamp for time during which nothing was sent (hold, silence)."""
        self.timestamp = (self.timestamp + samples) & 0xFFFFFFFF
