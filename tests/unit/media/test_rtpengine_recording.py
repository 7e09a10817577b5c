"""rtpengine's pcap recording turned into our stereo WAV (customer left, what it hears right)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from hotline.media.codecs.g711 import alaw_decode, ulaw_decode
from hotline.media.errors import RecordingError
from hotline.media.rtp import RtpPacket
from hotline.media.rtpengine.recording import read_pcap, stereo_wav
from hotline.media.wav import parse_wav

CUSTOMER_FACING, AGENT_FACING = 40020, 40000


def ipv4_udp(dst_port: int, payload: bytes, *, protocol: int = 17) -> bytes:
    udp = struct.pack("!HHHH", 5000, dst_port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, protocol, 0,
                     bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))  # fmt: skip
    return ip + udp


def pcap(records: list[tuple[float, bytes]], *, linktype: int = 101, cut: int = 0) -> bytes:
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)]
    for at, frame in records:
        seconds, micros = int(at), round((at - int(at)) * 1e6)
        out.append(struct.pack("<IIII", seconds, micros, len(frame), len(frame)) + frame)
    data = b"".join(out)
    return data[: len(data) - cut] if cut else data


def rtp(pt: int, seq: int, ts: int, ssrc: int, payload: bytes) -> bytes:
    return bytes(RtpPacket(pt, seq, ts, ssrc, payload))


def test_each_party_goes_to_its_channel_at_its_time() -> None:
    records = []
    for i in range(3):  # the customer speaks PCMU from t=10.0
        at = 10.0 + i * 0.02
        records.append((at, ipv4_udp(CUSTOMER_FACING, rtp(0, i, 1000 + i * 160, 1, b"\x10" * 160))))
    for i in range(2):  # the agent answers in PCMA from t=10.1, timestamps near wrap-around
        at = 10.1 + i * 0.02
        ts = (0xFFFF_FFF0 + i * 160) & 0xFFFF_FFFF
        records.append((at, ipv4_udp(AGENT_FACING, rtp(8, i, ts, 2, b"\x55" * 160))))
    # Not audio: RTCP, a telephone-event, a TCP segment; and a record cut short at the end.
    records.append((10.2, ipv4_udp(CUSTOMER_FACING, bytes([0x80, 200]) + bytes(26))))
    records.append((10.2, ipv4_udp(CUSTOMER_FACING, rtp(101, 9, 9999, 1, bytes(4)))))
    records.append((10.2, ipv4_udp(AGENT_FACING, b"x" * 20, protocol=6)))
    records.append((10.3, ipv4_udp(AGENT_FACING, rtp(8, 3, 480, 2, b"\x55" * 160))))
    wav = stereo_wav(read_pcap(pcap(records, cut=10)), customer_port=CUSTOMER_FACING)

    audio = parse_wav(wav.data)
    assert audio.channels == 2
    left, right = audio.samples[:, 0], audio.samples[:, 1]
    assert len(left) == 800 + 2 * 160  # ends with the agent's last packet at 0.1 s + 40 ms
    assert wav.duration_s == pytest.approx(len(left) / 8000)
    assert np.all(left[:480] == ulaw_decode(b"\x10")[0])
    assert np.all(left[480:] == 0)
    assert np.all(right[:800] == 0)
    assert np.all(right[800:] == alaw_decode(b"\x55")[0])
    assert len(wav.sha256) == 64


def test_timestamps_that_jump_are_placed_by_the_capture_clock() -> None:
    records = [
        (1.0, ipv4_udp(CUSTOMER_FACING, rtp(0, 1, 0, 7, b"\x10" * 160))),
        # A re-INVITE restarted the sender: its timestamp jumps by hours, its time by 1 s.
        (2.0, ipv4_udp(CUSTOMER_FACING, rtp(0, 2, 123_456_789, 7, b"\x20" * 160))),
    ]
    audio = parse_wav(stereo_wav(read_pcap(pcap(records)), CUSTOMER_FACING).data)
    left = audio.samples[:, 0]
    assert len(left) == 8000 + 160
    assert left[8000] == ulaw_decode(b"\x20")[0]


def test_ethernet_pcaps_are_read_too() -> None:
    frame = bytes(12) + b"\x08\x00" + ipv4_udp(AGENT_FACING, rtp(0, 1, 0, 3, b"\x30" * 160))
    recording = read_pcap(pcap([(5.0, frame)], linktype=1))
    assert [(port, len(data)) for _, port, data in recording.datagrams] == [(AGENT_FACING, 172)]


def test_an_empty_call_is_an_empty_wav() -> None:
    wav = stereo_wav(read_pcap(pcap([])), CUSTOMER_FACING)
    assert wav.duration_s == 0
    assert parse_wav(wav.data).channels == 2


@pytest.mark.parametrize(
    "data",
    [b"", b"not a pcap at all, really not one", pcap([], linktype=113)],
)
def test_what_is_not_a_readable_pcap_is_refused(data: bytes) -> None:
    with pytest.raises(RecordingError):
        read_pcap(data)
