"""RtpEndpoint without sockets: a list stands in for the wire."""

from __future__ import annotations

import numpy as np

from hotline.media.backend import Direction, EndpointContext, EndpointId, RemoteMedia
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.dtmf import DtmfSource, TelephoneEvent
from hotline.media.endpoint import AudioFrame, RtpEndpoint
from hotline.media.rtp import RtpPacket, RtpSender

PEER = ("127.0.0.1", 40000)
NAT = ("127.0.0.1", 40100)


def make(sent: list[tuple[bytes, tuple[str, int]]], *, te: int | None = 101,
         direction: Direction = Direction.SENDRECV) -> RtpEndpoint:  # fmt: skip
    endpoint = RtpEndpoint(
        EndpointId("E1"), EndpointContext("t"), port=30000,
        send=lambda d, a: sent.append((d, a)), send_rtcp=lambda d, a: None,
        sender=RtpSender(0xABCD, 100, 1000), inband_dtmf=None,
    )  # fmt: skip
    endpoint.apply_remote(RemoteMedia(PEER[0], PEER[1], "PCMU", 0, te, direction=direction))
    return endpoint


def rtp(seq: int, ts: int, payload: bytes, pt: int = 0, marker: bool = False) -> bytes:
    return bytes(RtpPacket(pt, seq, ts, 0x5555, payload, marker))


def test_emit_sends_a_continuous_stream_to_the_latched_source() -> None:
    sent: list[tuple[bytes, tuple[str, int]]] = []
    endpoint = make(sent)
    endpoint.emit(AudioFrame(pcm=np.zeros(160, np.int16)))
    endpoint.on_datagram(rtp(1, 0, b"\xff" * 160), NAT, now=1.0)  # NAT rewrote the source
    endpoint.emit(AudioFrame(pcm=np.zeros(160, np.int16)))
    first, second = (RtpPacket.parse(d) for d, _ in sent)
    assert [a for _, a in sent] == [PEER, NAT]
    assert (second.sequence_number - first.sequence_number, second.timestamp - first.timestamp) == (
        1, 160,
    )  # fmt: skip
    # Someone else cannot take over while the latched peer keeps talking ...
    endpoint.on_datagram(rtp(2, 160, b"\xff" * 160), PEER, now=2.0)
    assert endpoint.remote_addr == NAT
    assert endpoint.received_from_unknown == 1
    # ... but after 5 s of silence from it, a new source is accepted.
    endpoint.on_datagram(rtp(3, 320, b"\xff" * 160), PEER, now=8.0)
    assert endpoint.remote_addr == PEER


def test_receive_feeds_the_jitter_buffer_only_when_someone_listens() -> None:
    endpoint = make([])
    endpoint.on_datagram(rtp(1, 0, b"\x11" * 160), PEER, now=0.0)
    assert endpoint.inbound(1) is None
    endpoint.needs_inbound = True
    endpoint.jitter = type(endpoint.jitter)(fill=0xFF, delay=0)
    endpoint.on_datagram(rtp(2, 160, b"\x22" * 160), PEER, now=0.02)
    frame = endpoint.inbound(2)
    assert frame is not None
    assert frame.codes(Codec.PCMU) == b"\x22" * 160
    assert endpoint.inbound(2) is frame  # memoised per tick
    assert frame.codes(Codec.PCMA) == (b"\x22" * 160).translate(
        g711.transcode_table(Codec.PCMU, Codec.PCMA)
    )


def test_telephone_events_end_as_digits_and_other_pts_are_ignored() -> None:
    endpoint = make([])
    event = TelephoneEvent(3, False, 10, 160).serialize()
    assert endpoint.on_datagram(rtp(1, 800, event, pt=101, marker=True), PEER, 0.0) == []
    assert endpoint.rfc4733.active == "3"
    end = TelephoneEvent(3, True, 10, 800).serialize()
    digits = endpoint.on_datagram(rtp(2, 800, end, pt=101), PEER, 0.1)
    assert [(d.digit, d.duration_ms, d.source) for d in digits] == [("3", 100, DtmfSource.RFC4733)]
    assert endpoint.on_datagram(rtp(3, 800, end, pt=101), PEER, 0.1) == []  # redundant end
    assert endpoint.on_datagram(rtp(4, 900, b"\x00", pt=13), PEER, 0.1) == []  # comfort noise
    assert endpoint.on_datagram(b"\x00" * 5, PEER, 0.1) == []


def test_peer_without_telephone_event_gets_an_inband_detector() -> None:
    assert make([], te=None).inband is not None
    assert make([]).inband is None


def test_holding_peer_is_not_sent_to_and_not_listened_to() -> None:
    sent: list[tuple[bytes, tuple[str, int]]] = []
    endpoint = make(sent, direction=Direction.INACTIVE)
    assert not endpoint.can_send
    assert not endpoint.emit(AudioFrame(pcm=np.zeros(160, np.int16)))
    endpoint.needs_inbound = True
    endpoint.on_datagram(rtp(1, 0, b"\x11" * 160), PEER, 0.0)
    assert not endpoint.jitter.started
    assert sent == []


def test_relay_keeps_payload_and_continues_our_sequence() -> None:
    sent: list[tuple[bytes, tuple[str, int]]] = []
    target = make(sent)
    target.emit(AudioFrame(pcm=np.zeros(160, np.int16)))  # our stream is at seq 100, ts 1000
    target.relay_in = True
    target.relay(b"\xab" * 160, 0, 7000, 999_999, 0x5555)
    target.relay(b"\xcd" * 160, 0, 7002, 999_999 + 320, 0x5555)  # one lost on the way in
    packets = [RtpPacket.parse(d) for d, _ in sent]
    assert [p.sequence_number for p in packets] == [100, 101, 103]
    assert [p.timestamp for p in packets] == [1000, 1160, 1480]
    assert [p.marker for p in packets] == [False, True, False]
    assert packets[1].payload == b"\xab" * 160
    assert {p.ssrc for p in packets} == {0xABCD}


def test_a_peer_asking_for_40_ms_gets_two_ticks_per_packet() -> None:
    sent: list[tuple[bytes, tuple[str, int]]] = []
    endpoint = make(sent)
    endpoint.apply_remote(RemoteMedia(PEER[0], PEER[1], "PCMU", 0, 101, ptime_ms=40))
    for value in (100, 200, 300, 400):
        endpoint.emit(AudioFrame(pcm=np.full(160, value, np.int16)))
    packets = [RtpPacket.parse(d) for d, _ in sent]
    assert [len(p.payload) for p in packets] == [320, 320]
    assert packets[1].timestamp - packets[0].timestamp == 320
    assert packets[0].payload[159] != packets[0].payload[160]  # two different ticks inside
    endpoint.apply_remote(RemoteMedia(PEER[0], PEER[1], "PCMU", 0, 101, ptime_ms=30))
    endpoint.emit(AudioFrame(pcm=np.zeros(160, np.int16)))
    assert len(RtpPacket.parse(sent[-1][0]).payload) == 160  # not a multiple of 20: 20 ms
