from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.media.errors import RtpParseError
from hotline.media.rtp import RtpExtension, RtpPacket, RtpSender, is_rtcp, peek, seq_delta

DATA = Path(__file__).parents[2] / "data" / "media"


@pytest.mark.parametrize(
    "name",
    ["rtp_pcma_30ms.bin", "rtp_event_start.bin", "rtp_event_end.bin", "rtp_csrc_ext_padding.bin"],
)
def test_golden_rtp_packets_round_trip(name: str) -> None:
    raw = (DATA / name).read_bytes()
    assert bytes(RtpPacket.parse(raw)) == raw


def test_sipp_pcma_packet_fields() -> None:
    packet = RtpPacket.parse((DATA / "rtp_pcma_30ms.bin").read_bytes())
    assert packet.payload_type == 8
    assert len(packet.payload) == 240  # sipp's g711a.pcap uses a 30 ms ptime
    assert packet.marker  # the first packet of a talkspurt (RFC 3551 §4.1)
    header = peek((DATA / "rtp_pcma_30ms.bin").read_bytes())
    assert header is not None
    assert (header.payload_end - header.payload_offset, header.ssrc) == (240, packet.ssrc)


def test_event_packet_from_sipp_has_marker_and_pt_101() -> None:
    packet = RtpPacket.parse((DATA / "rtp_event_start.bin").read_bytes())
    assert (packet.payload_type, packet.marker, len(packet.payload)) == (101, True, 4)


def test_exotic_packet_fields() -> None:
    packet = RtpPacket.parse((DATA / "rtp_csrc_ext_padding.bin").read_bytes())
    assert packet.csrc == (1, 2)
    assert packet.extension == RtpExtension(0xBEDE, b"\x10\xaa\x00\x00")
    assert packet.padding == 3
    assert packet.payload == b"\xff\xfe\xfd\xfc"
    assert (packet.sequence_number, packet.timestamp, packet.marker) == (65535, 0xFFFFFFF0, True)
    header = peek(bytes(packet))
    assert header is not None
    assert header.payload_offset == 12 + 8 + 8
    assert header.payload_end == header.payload_offset + 4


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"\x80\x00", "shorter than its header"),
        (b"\x40" + bytes(11), "version 1"),
        (b"\x81" + bytes(11), "CSRC list"),
        (b"\x90" + bytes(11), "header extension"),
        (b"\x90" + bytes(11) + b"\x00\x00\x00\x09", "runs past"),
        (b"\xa0" + bytes(10) + b"\x00", "padding count 0"),
        (b"\xa0" + bytes(10) + b"\x20", "padding count 32"),
    ],
)
def test_malformed_packets_raise_rtp_parse_error(raw: bytes, why: str) -> None:
    with pytest.raises(RtpParseError, match=why) as info:
        RtpPacket.parse(raw)
    assert info.value.code == "media.rtp.malformed"
    assert peek(raw) is None or why in ("padding count 0",)


@given(
    pt=st.integers(0, 127),
    seq=st.integers(0, 0xFFFF),
    ts=st.integers(0, 0xFFFFFFFF),
    ssrc=st.integers(0, 0xFFFFFFFF),
    payload=st.binary(max_size=300),
    marker=st.booleans(),
    csrc=st.lists(st.integers(0, 0xFFFFFFFF), max_size=15),
    ext=st.none() | st.binary(max_size=12).map(lambda b: b + bytes(-len(b) % 4)),
    padding=st.integers(0, 255),
)
def test_any_packet_round_trips(
    pt: int,
    seq: int,
    ts: int,
    ssrc: int,
    payload: bytes,
    marker: bool,
    csrc: list[int],
    ext: bytes | None,
    padding: int,
) -> None:
    packet = RtpPacket(
        pt, seq, ts, ssrc, payload, marker, tuple(csrc),
        None if ext is None else RtpExtension(0x1000, ext), padding,
    )  # fmt: skip
    raw = bytes(packet)
    assert RtpPacket.parse(raw) == packet
    header = peek(raw)
    assert header is not None
    assert raw[header.payload_offset : header.payload_end] == payload


@given(st.binary(max_size=64))
def test_parser_raises_only_its_own_error(raw: bytes) -> None:
    with contextlib.suppress(RtpParseError):
        RtpPacket.parse(raw)
    peek(raw)


def test_sender_continues_sequence_and_timestamp_with_wrap() -> None:
    sender = RtpSender(ssrc=7, sequence=0xFFFF, timestamp=0xFFFFFF00)
    first = RtpPacket.parse(sender.header(0, 160, 160, True) + bytes(160))
    second = RtpPacket.parse(sender.header(0, 160, 160, False) + bytes(160))
    assert (first.sequence_number, first.timestamp, first.marker) == (0xFFFF, 0xFFFFFF00, True)
    assert (second.sequence_number, second.timestamp) == (0, (0xFFFFFF00 + 160) & 0xFFFFFFFF)
    assert (sender.packets_sent, sender.octets_sent) == (2, 320)


def test_seq_delta_and_rtcp_demultiplexing() -> None:
    assert seq_delta(2, 0xFFFE) == 4
    assert seq_delta(0xFFFE, 2) == -4
    assert is_rtcp(b"\x81\xc9\x00\x07")
    assert not is_rtcp(b"\x80\x00")
