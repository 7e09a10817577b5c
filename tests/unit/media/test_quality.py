from __future__ import annotations

from hotline.media.backend import EndpointContext, EndpointId, RemoteMedia
from hotline.media.endpoint import RtpEndpoint
from hotline.media.quality import absorb_report, build_report, quality_event, snapshot
from hotline.media.rtcp import (
    ReceiverReport,
    ReportBlock,
    SenderReport,
    SourceDescription,
    ntp_from_unix,
    ntp_middle,
    parse_compound,
    serialize_compound,
)
from hotline.media.rtp import RtpPacket, RtpSender

T = 1_790_000_000.0


def endpoint() -> RtpEndpoint:
    ep = RtpEndpoint(
        EndpointId("E"), EndpointContext("t", "I", "L"), port=30000,
        send=lambda d, a: None, send_rtcp=lambda d, a: None,
        sender=RtpSender(0x1111, 0, 0), inband_dtmf=False,
    )  # fmt: skip
    ep.apply_remote(RemoteMedia("127.0.0.1", 40000, "PCMU", 0, 101))
    return ep


def test_receiver_report_before_sending_then_sender_report_with_our_cname() -> None:
    ep = endpoint()
    rr, sdes = parse_compound(build_report(ep, now=T, monotonic=5.0, cname=b"hotline@x"))
    assert rr == ReceiverReport(0x1111, ())
    assert isinstance(sdes, SourceDescription)
    assert sdes.chunks[0].items == ((1, b"hotline@x"),)
    for seq in (1, 2, 4):  # one lost
        ep.on_datagram(
            bytes(RtpPacket(0, seq, seq * 160, 0x2222, b"\xff" * 160)), ("127.0.0.1", 40000), 1.0
        )
    ep.sender.header(0, 160, 160, False)
    sr, _ = parse_compound(build_report(ep, now=T, monotonic=5.0, cname=b"hotline@x"))
    assert isinstance(sr, SenderReport)
    assert (sr.packet_count, sr.octet_count, sr.ntp_timestamp) == (1, 160, ntp_from_unix(T))
    assert (sr.reports[0].ssrc, sr.reports[0].cumulative_lost) == (0x2222, 1)


def test_the_peers_report_gives_its_loss_jitter_and_our_rtt() -> None:
    ep = endpoint()
    lsr = ntp_middle(ntp_from_unix(T))
    report = ReceiverReport(0x2222, (ReportBlock(0x1111, 128, 10, 500, 160, lsr, 65536 // 10),))
    assert absorb_report(ep, serialize_compound([report]), now=T + 0.150, monotonic=1.0)
    figures = snapshot(ep)
    assert figures.remote_fraction_lost == 0.5
    assert figures.remote_jitter_ms == 20.0
    assert figures.round_trip_ms is not None
    assert abs(figures.round_trip_ms - 50.0) < 1.0
    event = quality_event(ep, at=T, final=True)
    assert (event.type, event.leg_id, event.final, event.round_trip_ms) == (
        "media.quality", "L", True, figures.round_trip_ms,
    )  # fmt: skip
    assert not absorb_report(ep, b"\x00", now=T, monotonic=1.0)
