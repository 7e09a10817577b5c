"""rtpengine as a media backend for relay and recording at scale (ADR 0226): a client of its ng
control protocol (`ng.py`) over our own bencode codec (`bencode.py`)."""

from hotline.media.rtpengine.errors import RtpengineError, RtpengineUnreachable
from hotline.media.rtpengine.ng import CallStats, NgClient, PacketCounts, StreamStats

__all__ = [
    "CallStats",
    "NgClient",
    "PacketCounts",
    "RtpengineError",
    "RtpengineUnreachable",
    "StreamStats",
]
