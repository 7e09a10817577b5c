"""Per-endpoint RTCP (RFC 3550 §6.4): the compound report we send (SR or RR + SDES CNAME,
§6.1), what we learn from the peer's reports (its loss and jitter of our stream, RTT from
LSR/DLSR), and the quality snapshot and event built from both. Sans-I/O: the engine passes
the clock readings and does the sending.
"""

from __future__ import annotations

from typing import Any

from hotline.media import rtcp
from hotline.media.backend import EndpointContext, QualitySnapshot
from hotline.media.endpoint import RtpEndpoint
from hotline.media.errors import RtcpParseError
from hotline.media.events import MediaQualityReported

__all__ = ["absorb_report", "build_report", "envelope", "quality_event", "snapshot"]


def envelope(context: EndpointContext, at: float) -> dict[str, Any]:
    """The domain-event envelope fields of an endpoint's events."""
    return {
        "tenant_id": context.tenant_id,
        "at": at,
        "interaction_id": context.interaction_id,
        "leg_id": context.leg_id,
        "agent_id": context.agent_id,
    }


def build_report(endpoint: RtpEndpoint, *, now: float, monotonic: float, cname: bytes) -> bytes:
    """Our compound report: SR once we have sent media, else RR; always with our CNAME."""
    blocks: tuple[rtcp.ReportBlock, ...] = ()
    if endpoint.stats is not None:
        blocks = (endpoint.stats.report_block(monotonic),)
    sender = endpoint.sender
    report: rtcp.SenderReport | rtcp.ReceiverReport
    if sender.packets_sent:
        report = rtcp.SenderReport(
            sender.ssrc, rtcp.ntp_from_unix(now), sender.timestamp, sender.packets_sent,
            sender.octets_sent, blocks,
        )  # fmt: skip
    else:
        report = rtcp.ReceiverReport(sender.ssrc, blocks)
    description = rtcp.SourceDescription(
        (rtcp.SdesChunk(sender.ssrc, ((rtcp.SDES_CNAME, cname),)),)
    )
    return rtcp.serialize_compound([report, description])


def absorb_report(endpoint: RtpEndpoint, data: bytes, *, now: float, monotonic: float) -> bool:
    """Take in a peer's compound report; False when it is not valid RTCP (then ignored)."""
    try:
        packets = rtcp.parse_compound(data)
    except RtcpParseError:
        return False
    for packet in packets:
        stats = endpoint.stats
        if (
            isinstance(packet, rtcp.SenderReport)
            and stats is not None
            and packet.ssrc == stats.ssrc
        ):
            stats.note_sender_report(packet.ntp_timestamp, monotonic)
        if isinstance(packet, rtcp.SenderReport | rtcp.ReceiverReport):
            for block in packet.reports:
                if block.ssrc == endpoint.sender.ssrc:
                    rtt = rtcp.round_trip_seconds(block, rtcp.ntp_from_unix(now))
                    # Jitter arrives in timestamp units: 8 per millisecond at 8 kHz.
                    endpoint.last_remote_report = (block.fraction_lost / 256, block.jitter / 8, rtt)
    return True


def snapshot(endpoint: RtpEndpoint) -> QualitySnapshot:
    stats = endpoint.stats
    remote = endpoint.last_remote_report
    received = 0 if stats is None else stats.received
    lost = 0 if stats is None else max(0, stats.lost)
    expected = 0 if stats is None else stats.expected
    return QualitySnapshot(
        packets_received=received,
        packets_lost=lost,
        fraction_lost=round(lost / expected, 4) if expected > 0 else 0.0,
        jitter_ms=0.0 if stats is None else stats.jitter / 8.0,
        packets_sent=endpoint.sender.packets_sent,
        remote_fraction_lost=None if remote is None else remote[0],
        remote_jitter_ms=None if remote is None else remote[1],
        round_trip_ms=None if remote is None or remote[2] is None else remote[2] * 1000,
    )


def quality_event(endpoint: RtpEndpoint, *, at: float, final: bool) -> MediaQualityReported:
    figures = snapshot(endpoint)
    return MediaQualityReported(
        **envelope(endpoint.context, at),
        endpoint_id=endpoint.id,
        packets_received=figures.packets_received,
        packets_lost=figures.packets_lost,
        fraction_lost=figures.fraction_lost,
        jitter_ms=figures.jitter_ms,
        packets_sent=figures.packets_sent,
        remote_fraction_lost=figures.remote_fraction_lost,
        remote_jitter_ms=figures.remote_jitter_ms,
        round_trip_ms=figures.round_trip_ms,
        final=final,
    )
