"""RTCP (RFC 3550 §6): SR, RR, SDES, BYE compound packets, and the reception statistics that
fill report blocks — sequence tracking (§A.1), loss (§A.3), interarrival jitter (§A.8) — and
round-trip time from LSR/DLSR (§6.4.1).

Packet types this module does not model (APP, feedback) survive a round-trip as `RawRtcp`.
"""

from __future__ import annotations

import dataclasses
import struct

from hotline.media.errors import RtcpParseError

__all__ = [
    "Goodbye",
    "RawRtcp",
    "ReceiverReport",
    "ReceptionStats",
    "ReportBlock",
    "RtcpPacket",
    "SdesChunk",
    "SenderReport",
    "SourceDescription",
    "ntp_from_unix",
    "ntp_middle",
    "parse_compound",
    "round_trip_seconds",
    "serialize_compound",
]

PT_SR, PT_RR, PT_SDES, PT_BYE = 200, 201, 202, 203
SDES_CNAME = 1
_NTP_EPOCH_OFFSET = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01
_COMMON = struct.Struct("!BBH")
_BLOCK = struct.Struct("!IIIIII")


def ntp_from_unix(unix_seconds: float) -> int:
    """64-bit NTP timestamp (§4) of a Unix time."""
    return int((unix_seconds + _NTP_EPOCH_OFFSET) * (1 << 32)) & 0xFFFFFFFFFFFFFFFF


def ntp_middle(ntp: int) -> int:
    """The middle 32 bits of an NTP timestamp, as carried in LSR (§6.4.1)."""
    return (ntp >> 16) & 0xFFFFFFFF


@dataclasses.dataclass(frozen=True, slots=True)
class ReportBlock:
    """One reception report (§6.4.1) about the source `ssrc`."""

    ssrc: int
    fraction_lost: int  # 0..255, fixed point /256, since the previous report
    cumulative_lost: int  # signed 24-bit: duplicates can make it negative
    highest_sequence: int  # extended: cycles << 16 | max seq
    jitter: int  # timestamp units
    last_sr: int = 0
    delay_since_last_sr: int = 0  # 1/65536 s

    def serialize(self) -> bytes:
        lost = self.cumulative_lost & 0xFFFFFF
        return _BLOCK.pack(
            self.ssrc,
            (self.fraction_lost << 24) | lost,
            self.highest_sequence,
            self.jitter,
            self.last_sr,
            self.delay_since_last_sr,
        )

    @classmethod
    def parse(cls, data: bytes, pos: int) -> ReportBlock:
        ssrc, word, highest, jitter, lsr, dlsr = _BLOCK.unpack_from(data, pos)
        lost = word & 0xFFFFFF
        if lost & 0x800000:
            lost -= 1 << 24
        return cls(ssrc, word >> 24, lost, highest, jitter, lsr, dlsr)


@dataclasses.dataclass(frozen=True, slots=True)
class SenderReport:
    ssrc: int
    ntp_timestamp: int
    rtp_timestamp: int
    packet_count: int
    octet_count: int
    reports: tuple[ReportBlock, ...] = ()

    def serialize(self) -> bytes:
        body = struct.pack(
            "!IQIII",
            self.ssrc,
            self.ntp_timestamp,
            self.rtp_timestamp,
            self.packet_count & 0xFFFFFFFF,
            self.octet_count & 0xFFFFFFFF,
        ) + b"".join(r.serialize() for r in self.reports)
        return _frame(len(self.reports), PT_SR, body)


@dataclasses.dataclass(frozen=True, slots=True)
class ReceiverReport:
    ssrc: int
    reports: tuple[ReportBlock, ...] = ()

    def serialize(self) -> bytes:
        body = struct.pack("!I", self.ssrc) + b"".join(r.serialize() for r in self.reports)
        return _frame(len(self.reports), PT_RR, body)


@dataclasses.dataclass(frozen=True, slots=True)
class SdesChunk:
    ssrc: int
    items: tuple[tuple[int, bytes], ...]  # (item type, value) — CNAME is type 1


@dataclasses.dataclass(frozen=True, slots=True)
class SourceDescription:
    chunks: tuple[SdesChunk, ...]

    def serialize(self) -> bytes:
        body = bytearray()
        for chunk in self.chunks:
            body += struct.pack("!I", chunk.ssrc)
            for item_type, value in chunk.items:
                body += bytes((item_type, len(value))) + value
            # The item list ends with a null octet, then pads to a 32-bit boundary (§6.5).
            body += b"\0" * (4 - len(body) % 4)
        return _frame(len(self.chunks), PT_SDES, bytes(body))


@dataclasses.dataclass(frozen=True, slots=True)
class Goodbye:
    ssrcs: tuple[int, ...]
    reason: bytes = b""

    def serialize(self) -> bytes:
        body = b"".join(struct.pack("!I", s) for s in self.ssrcs)
        if self.reason:
            reason = bytes((len(self.reason),)) + self.reason
            body += reason + b"\0" * (-len(reason) % 4)
        return _frame(len(self.ssrcs), PT_BYE, body)


@dataclasses.dataclass(frozen=True, slots=True)
class RawRtcp:
    """A packet type this module does not interpret (APP, RTPFB, …), kept verbatim."""

    packet_type: int
    count: int
    body: bytes

    def serialize(self) -> bytes:
        return _frame(self.count, self.packet_type, self.body)


RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Goodbye | RawRtcp


def _frame(count: int, packet_type: int, body: bytes) -> bytes:
    pad = -len(body) % 4
    if not pad:
        return _COMMON.pack(0x80 | count, packet_type, len(body) // 4) + body
    # A body that is not whole words (a parsed packet that had padding) gets RTCP padding
    # again, its last octet the count (RFC 3550 §6.4.1), so it parses back to the same body.
    padded = body + b"\0" * (pad - 1) + bytes((pad,))
    return _COMMON.pack(0xA0 | count, packet_type, len(padded) // 4) + padded


def serialize_compound(packets: tuple[RtcpPacket, ...] | list[RtcpPacket]) -> bytes:
    return b"".join(p.serialize() for p in packets)


def parse_compound(data: bytes) -> tuple[RtcpPacket, ...]:
    """Every packet of a compound RTCP datagram; padding is accepted only on the last (§6.4.1)."""
    packets: list[RtcpPacket] = []
    pos = 0
    if len(data) < 4:
        raise RtcpParseError(f"RTCP datagram of {len(data)} bytes is too short")
    while pos < len(data):
        if len(data) - pos < 4:
            raise RtcpParseError(f"{len(data) - pos} stray bytes after the last RTCP packet")
        b0, packet_type, words = _COMMON.unpack_from(data, pos)
        if b0 >> 6 != 2:
            raise RtcpParseError(f"RTCP version {b0 >> 6} at offset {pos}, expected 2")
        end = pos + 4 + 4 * words
        if end > len(data):
            raise RtcpParseError(f"RTCP packet at offset {pos} runs past the datagram")
        body_end = end
        if b0 & 0x20:
            if end != len(data):
                raise RtcpParseError("RTCP padding on a packet that is not the last")
            pad = data[end - 1]
            if pad == 0 or pad > 4 * words:
                raise RtcpParseError(f"RTCP padding count {pad} is invalid")
            body_end -= pad
        packets.append(_parse_one(b0 & 0x1F, packet_type, data[pos + 4 : body_end]))
        pos = end
    return tuple(packets)


def _blocks(body: bytes, start: int, count: int) -> tuple[ReportBlock, ...]:
    if len(body) < start + 24 * count:
        raise RtcpParseError(f"RTCP packet announces {count} report blocks it does not hold")
    return tuple(ReportBlock.parse(body, start + 24 * i) for i in range(count))


def _parse_one(count: int, packet_type: int, body: bytes) -> RtcpPacket:
    if packet_type == PT_SR:
        if len(body) < 24:
            raise RtcpParseError("RTCP SR shorter than its sender info")
        ssrc, ntp, rtp_ts, packets, octets = struct.unpack_from("!IQIII", body)
        return SenderReport(ssrc, ntp, rtp_ts, packets, octets, _blocks(body, 24, count))
    if packet_type == PT_RR:
        if len(body) < 4:
            raise RtcpParseError("RTCP RR without its SSRC")
        return ReceiverReport(struct.unpack_from("!I", body)[0], _blocks(body, 4, count))
    if packet_type == PT_SDES:
        return SourceDescription(_parse_sdes(count, body))
    if packet_type == PT_BYE:
        if len(body) < 4 * count:
            raise RtcpParseError("RTCP BYE shorter than its SSRC list")
        ssrcs = struct.unpack_from(f"!{count}I", body)
        reason = b""
        if len(body) > 4 * count:
            length = body[4 * count]
            reason = bytes(body[4 * count + 1 : 4 * count + 1 + length])
            if len(reason) != length:
                raise RtcpParseError("RTCP BYE reason runs past the packet")
        return Goodbye(tuple(ssrcs), reason)
    return RawRtcp(packet_type, count, bytes(body))


def _parse_sdes(count: int, body: bytes) -> tuple[SdesChunk, ...]:
    chunks = []
    pos = 0
    for _ in range(count):
        if pos + 4 > len(body):
            raise RtcpParseError("RTCP SDES announces more chunks than it holds")
        ssrc = struct.unpack_from("!I", body, pos)[0]
        pos += 4
        items = []
        while True:
            if pos >= len(body):
                raise RtcpParseError("RTCP SDES chunk is not terminated")
            item_type = body[pos]
            if item_type == 0:
                pos = (pos + 4) & ~3  # skip the terminator and the padding to 32 bits
                break
            if pos + 2 > len(body) or pos + 2 + body[pos + 1] > len(body):
                raise RtcpParseError("RTCP SDES item runs past the packet")
            length = body[pos + 1]
            items.append((item_type, bytes(body[pos + 2 : pos + 2 + length])))
            pos += 2 + length
        chunks.append(SdesChunk(ssrc, tuple(items)))
    return tuple(chunks)


class ReceptionStats:
    """What we know about one incoming source, per RFC 3550 §A.1, §A.3 and §A.8.

    `update()` runs once per received packet on the hot path, so it sticks to integer math.
    `arrival` is the arrival time already converted to timestamp units (samples).
    """

    MAX_DROPOUT = 3000
    MAX_MISORDER = 100

    __slots__ = (
        "_expected_prior",
        "_received_prior",
        "_transit",
        "bad_seq",
        "base_seq",
        "cycles",
        "jitter_q4",
        "last_sr_arrival",
        "last_sr_middle",
        "max_seq",
        "received",
        "ssrc",
    )

    def __init__(self, ssrc: int, seq: int) -> None:
        self.ssrc = ssrc
        self.base_seq = seq
        self.max_seq = seq
        self.cycles = 0
        self.bad_seq = -1
        self.received = 0
        self._expected_prior = 0
        self._received_prior = 0
        self._transit: int | None = None
        self.jitter_q4 = 0  # jitter * 16, kept in fixed point as in §A.8
        self.last_sr_middle = 0
        self.last_sr_arrival = 0.0

    def update(self, seq: int, timestamp: int, arrival: int) -> bool:
        """Account for one packet; False when it is a stray to ignore (§A.1 rules)."""
        delta = ((seq - self.max_seq + 0x8000) & 0xFFFF) - 0x8000  # seq_delta, inlined (hot)
        if 0 < delta < self.MAX_DROPOUT:
            if seq < self.max_seq:
                self.cycles += 1 << 16
            self.max_seq = seq
        elif delta <= 0 and -delta <= self.MAX_MISORDER:
            pass  # duplicate or reordered: counted, does not move max_seq
        elif delta != 0:
            if seq == self.bad_seq:
                # Two sequential packets after a big jump: the source restarted.
                self.__init__(self.ssrc, seq)  # type: ignore[misc]
            else:
                self.bad_seq = (seq + 1) & 0xFFFF
                return False
        self.received += 1
        transit = (arrival - timestamp) & 0xFFFFFFFF
        if self._transit is not None:
            d = abs(((transit - self._transit + 0x80000000) & 0xFFFFFFFF) - 0x80000000)
            self.jitter_q4 += d - ((self.jitter_q4 + 8) >> 4)
        self._transit = transit
        return True

    @property
    def extended_max(self) -> int:
        return self.cycles + self.max_seq

    @property
    def expected(self) -> int:
        return self.extended_max - self.base_seq + 1

    @property
    def lost(self) -> int:
        return self.expected - self.received

    @property
    def jitter(self) -> int:
        return self.jitter_q4 >> 4

    def note_sender_report(self, ntp: int, arrival_s: float) -> None:
        self.last_sr_middle = ntp_middle(ntp)
        self.last_sr_arrival = arrival_s

    def report_block(self, now_s: float) -> ReportBlock:
        """A report block for this source; resets the interval used for `fraction_lost`."""
        expected = self.expected
        expected_interval = expected - self._expected_prior
        received_interval = self.received - self._received_prior
        self._expected_prior, self._received_prior = expected, self.received
        lost_interval = expected_interval - received_interval
        fraction = 0
        if expected_interval > 0 and lost_interval > 0:
            fraction = min(255, (lost_interval << 8) // expected_interval)
        lost = max(-0x800000, min(0x7FFFFF, self.lost))
        dlsr = 0
        if self.last_sr_middle:
            dlsr = int((now_s - self.last_sr_arrival) * 65536) & 0xFFFFFFFF
        return ReportBlock(
            self.ssrc, fraction, lost, self.extended_max & 0xFFFFFFFF, self.jitter,
            self.last_sr_middle, dlsr,
        )  # fmt: skip


def round_trip_seconds(block: ReportBlock, arrival_ntp: int) -> float | None:
    """RTT from a report block about our stream (§6.4.1: A − LSR − DLSR), or None."""
    if not block.last_sr:
        return None
    rtt = (ntp_middle(arrival_ntp) - block.last_sr - block.delay_since_last_sr) & 0xFFFFFFFF
    if rtt & 0x80000000:
        return None
    return rtt / 65536.0
