"""Domain events the media package emits (DESIGN §3.3): quality per endpoint, and the life of
each recording. DTMF digits are deliberately *not* events: callers type card numbers and PINs,
which must never reach the append-only log; call control gets digits by callback instead.
"""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = [
    "MediaQualityReported",
    "RecordingPaused",
    "RecordingPurged",
    "RecordingResumed",
    "RecordingStarted",
    "RecordingStopped",
]


@domain_event("media.quality")
class MediaQualityReported(DomainEvent):
    """RTCP-derived figures for one endpoint, on each RTCP report and once at release."""

    endpoint_id: str
    packets_received: int
    packets_lost: int
    fraction_lost: float
    jitter_ms: float
    packets_sent: int
    remote_fraction_lost: float | None = None
    remote_jitter_ms: float | None = None
    round_trip_ms: float | None = None
    final: bool = False


@domain_event("recording.started")
class RecordingStarted(DomainEvent):
    recording_id: str
    path: str
    channels: int
    sample_rate: int


@domain_event("recording.paused")
class RecordingPaused(DomainEvent):
    recording_id: str
    offset_s: float


@domain_event("recording.resumed")
class RecordingResumed(DomainEvent):
    recording_id: str
    offset_s: float


@domain_event("recording.stopped")
class RecordingStopped(DomainEvent):
    recording_id: str
    path: str
    duration_s: float
    channels: int
    sha256: str
    size_bytes: int
    paused_spans: tuple[tuple[float, float], ...] = ()


@domain_event("recording.purged")
class RecordingPurged(DomainEvent):
    """A recording file deleted by the retention job (the database row is the lead's)."""

    path: str
    age_days: float
    retention_days: int
