"""DTMF over RTP as telephone-events (RFC 4733 §2.3, §2.5): payload format, a receiver that
survives the triple end packet, lost end packets and retransmitted starts, and a sender paced by
the engine's 20 ms clock. The in-band (tone) detector lives in `dtmf_inband.py`.
"""

from __future__ import annotations

import dataclasses
import enum
import struct
from collections import deque

__all__ = [
    "DTMF_EVENTS",
    "DtmfDigit",
    "DtmfSource",
    "Rfc4733Receiver",
    "Rfc4733Sender",
    "TelephoneEvent",
]

# Event codes 0..15 (RFC 4733 §3.2, table 7).
DTMF_EVENTS = "0123456789*#ABCD"
_EVENT = struct.Struct("!BBH")


class DtmfSource(enum.StrEnum):
    RFC4733 = "rfc4733"
    INBAND = "inband"


@dataclasses.dataclass(frozen=True, slots=True)
class DtmfDigit:
    """A digit the caller pressed: what call control and flows receive."""

    digit: str
    duration_ms: int
    source: DtmfSource


@dataclasses.dataclass(frozen=True, slots=True)
class TelephoneEvent:
    """The 4-byte telephone-event payload (RFC 4733 §2.3)."""

    event: int
    end: bool
    volume: int  # 0..63, as -dBm0
    duration: int  # timestamp units since the event's RTP timestamp

    @classmethod
    def parse(cls, payload: bytes) -> TelephoneEvent | None:
        if len(payload) < 4:
            return None
        event, flags, duration = _EVENT.unpack_from(payload)
        return cls(event, bool(flags & 0x80), flags & 0x3F, duration)

    def serialize(self) -> bytes:
        return _EVENT.pack(self.event, (0x80 if self.end else 0) | self.volume, self.duration)


class Rfc4733Receiver:
    """Turns telephone-event packets into digits. Sans-I/O: the engine passes `now`.

    One event is identified by its RTP timestamp (§2.5.2.1): retransmitted end packets carry the
    same timestamp and are ignored; a new timestamp while an event is open ends the old one; an
    event whose end packets were all lost ends `timeout` seconds after its last packet.
    """

    def __init__(self, *, clock_rate: int = 8000, timeout: float = 0.5) -> None:
        self._rate = clock_rate
        self._timeout = timeout
        self._open: tuple[int, int] | None = None  # (timestamp, event code)
        self._open_duration = 0
        self._last_packet_at = 0.0
        self._finished: deque[int] = deque(maxlen=8)  # timestamps of recently finished events

    @property
    def active(self) -> str | None:
        """The digit being pressed right now (for barge-in before it ends)."""
        return None if self._open is None else DTMF_EVENTS[self._open[1]]

    def receive(self, timestamp: int, payload: bytes, now: float) -> DtmfDigit | None:
        event = TelephoneEvent.parse(payload)
        if event is None or event.event >= len(DTMF_EVENTS):
            return None  # not DTMF (flash, tones): ignore
        if timestamp in self._finished:
            return None  # a retransmitted end packet
        done = None
        if self._open is not None and self._open[0] != timestamp:
            done = self._close()  # its end packets were lost; a new event started
        if self._open is None:
            self._open = (timestamp, event.event)
        self._open_duration = max(self._open_duration, event.duration)
        self._last_packet_at = now
        if event.end:
            return self._close()
        return done

    def _close(self) -> DtmfDigit:
        assert self._open is not None
        timestamp, code = self._open
        self._finished.append(timestamp)  # the oldest drops out (not the smallest: wrap-around)
        digit = DtmfDigit(
            DTMF_EVENTS[code], self._open_duration * 1000 // self._rate, DtmfSource.RFC4733
        )
        self._open = None
        self._open_duration = 0
        return digit

    def next_timer(self) -> float | None:
        return None if self._open is None else self._last_packet_at + self._timeout

    def on_timer(self, now: float) -> DtmfDigit | None:
        if self._open is not None and now >= self._last_packet_at + self._timeout:
            return self._close()
        return None


class Rfc4733Sender:
    """The packets of one digit, one per engine tick (§2.5.1): a start packet with the marker
    bit, updates every `ptime` with a growing duration, then the end packet three times.

    `timestamp` is the stream's RTP timestamp when the digit starts; every packet carries it.
    """

    def __init__(
        self, digit: str, timestamp: int, *, duration_ms: int = 100, volume: int = 10,
        frame_samples: int = 160, clock_rate: int = 8000,
    ) -> None:  # fmt: skip
        if digit not in DTMF_EVENTS:
            raise ValueError(f"{digit!r} is not a DTMF digit")
        self.digit = digit
        self.timestamp = timestamp
        self._event = DTMF_EVENTS.index(digit)
        self._volume = volume
        self._step = frame_samples
        self._total = max(frame_samples, duration_ms * clock_rate // 1000)
        self._elapsed = 0
        self._ends_sent = 0

    @property
    def done(self) -> bool:
        return self._ends_sent >= 3

    @property
    def duration_samples(self) -> int:
        """How far the stream's audio timestamp moves because of this digit."""
        return self._total

    def next_packet(self) -> tuple[bytes, bool] | None:
        """(payload, marker) of the next packet, or None once the third end packet is out."""
        if self.done:
            return None
        marker = self._elapsed == 0
        self._elapsed = min(self._total, self._elapsed + self._step)
        end = self._elapsed >= self._total
        if end:
            self._ends_sent += 1
        return TelephoneEvent(self._event, end, self._volume, self._elapsed).serialize(), marker
