"""rtpengine's pcap recording of one call, turned into our stereo WAV (ADR 0226): left what the
customer says, right what the customer hears (the other party), 8 kHz 16-bit, like the built-in
engine's recorder writes.

rtpengine without its kernel module records with `--recording-method=pcap`: one classic pcap
per call holding every RTP packet it *received*, each with the sender as source and the
rtpengine port facing that sender as destination. So the customer's packets are those sent
to the port rtpengine gave the customer, and in a two-party call everything else is what the
customer hears. Each stream is placed on the timeline by its RTP timestamps, anchored at its
first packet's capture time; G.711 only (PCMU, PCMA), other payloads (telephone-events, CN)
and RTCP are skipped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import struct

import numpy as np
import numpy.typing as npt

from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.errors import RecordingError, RtpParseError
from hotline.media.rtp import RtpPacket, is_rtcp
from hotline.media.wav import wav_header

__all__ = ["PcapRecording", "StereoWav", "read_pcap", "stereo_wav"]

RATE = 8000
_RESYNC = 2 * RATE  # samples a stream's timestamps may drift from the capture clock
_PAYLOADS = {Codec.PCMU.payload_type: Codec.PCMU, Codec.PCMA.payload_type: Codec.PCMA}
_LINKTYPE_ETHERNET, _LINKTYPE_RAW, _LINKTYPE_IPV4 = 1, 101, 228


@dataclasses.dataclass(frozen=True, slots=True)
class PcapRecording:
    """The UDP datagrams of a pcap: (capture time s, destination port, payload)."""

    datagrams: tuple[tuple[float, int, bytes], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class StereoWav:
    data: bytes = dataclasses.field(repr=False)
    duration_s: float
    sha256: str


def read_pcap(data: bytes) -> PcapRecording:
    """The IPv4/UDP datagrams of a classic pcap (Ethernet or raw IP link types)."""
    if len(data) < 24:
        raise RecordingError("the pcap is shorter than its header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise RecordingError("not a classic pcap file")
    fraction = 1e-9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e-6
    (linktype,) = struct.unpack_from(order + "I", data, 20)
    if linktype == _LINKTYPE_ETHERNET:
        link_header = 14
    elif linktype in (_LINKTYPE_RAW, _LINKTYPE_IPV4):
        link_header = 0
    else:
        raise RecordingError(f"pcap link type {linktype} is not Ethernet or raw IP")
    record = struct.Struct(order + "IIII")
    datagrams: list[tuple[float, int, bytes]] = []
    pos = 24
    while pos + record.size <= len(data):
        seconds, fractions, captured, _ = record.unpack_from(data, pos)
        frame = data[pos + record.size : pos + record.size + captured]
        pos += record.size + captured
        if len(frame) < captured:
            break  # a file cut short while being written: keep what is whole
        ip = frame[link_header:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue  # not IPv4/UDP
        udp = ip[(ip[0] & 0x0F) * 4 :]
        if len(udp) < 8:
            continue
        (port,) = struct.unpack_from("!H", udp, 2)
        datagrams.append((seconds + fractions * fraction, port, bytes(udp[8:])))
    return PcapRecording(tuple(datagrams))


def stereo_wav(recording: PcapRecording, customer_port: int) -> StereoWav:
    """The call as our stereo WAV; `customer_port` is rtpengine's port facing the customer
    (the `m=` port of the SDP rtpengine gave the customer, or `query`'s stream of its tag)."""
    streams: dict[tuple[bool, int], list[tuple[float, RtpPacket]]] = {}
    for at, port, payload in recording.datagrams:
        if is_rtcp(payload):
            continue
        try:
            packet = RtpPacket.parse(payload)
        except RtpParseError:
            continue
        if packet.payload_type in _PAYLOADS:
            streams.setdefault((port == customer_port, packet.ssrc), []).append((at, packet))
    if not streams:
        return _wav(np.zeros(0, np.int16), np.zeros(0, np.int16))
    start = min(at for packets in streams.values() for at, _ in packets)
    placed: dict[bool, list[tuple[int, npt.NDArray[np.int16]]]] = {True: [], False: []}
    for (customer, _), packets in streams.items():
        anchor, anchor_ts = None, 0
        for at, packet in packets:
            by_clock = round((at - start) * RATE)
            offset = by_clock if anchor is None else anchor + _ts_delta(packet.timestamp, anchor_ts)
            if anchor is None or abs(offset - by_clock) > _RESYNC:
                # The first packet, or timestamps that jumped (a re-INVITE, a new source with
                # the same SSRC): trust the capture clock again.
                anchor, anchor_ts, offset = by_clock, packet.timestamp, by_clock
            codec = _PAYLOADS[packet.payload_type]
            placed[customer].append((offset, g711.decode(codec, packet.payload)))
    length = max((o + len(pcm) for side in placed.values() for o, pcm in side), default=0)
    left, right = np.zeros(length, np.int16), np.zeros(length, np.int16)
    for channel, customer in ((left, True), (right, False)):
        for offset, pcm in placed[customer]:
            channel[offset : offset + len(pcm)] = pcm
    return _wav(left, right)


def _ts_delta(new: int, old: int) -> int:
    """Signed distance between two 32-bit RTP timestamps, modulo wrap-around."""
    return ((new - old + 0x8000_0000) & 0xFFFF_FFFF) - 0x8000_0000


def _wav(left: npt.NDArray[np.int16], right: npt.NDArray[np.int16]) -> StereoWav:
    frames = np.empty((len(left), 2), dtype="<i2")
    frames[:, 0] = left
    frames[:, 1] = right
    body = frames.tobytes()
    data = wav_header(channels=2, rate=RATE, bits=16, data_bytes=len(body)) + body
    return StereoWav(data, len(left) / RATE, hashlib.sha256(data).hexdigest())
