"""Receive-side jitter buffer for consumers that need audio on the 20 ms clock (mixing,
transcoding bridges, recording, in-band DTMF): packets are placed by RTP timestamp (RFC 3550
§5.1), so reordering is undone and a lost packet becomes a gap of comfort fill at its place.

G.711 carries one byte per sample, so the buffer works on codec bytes: no decoding until a
consumer needs linear audio. Playout starts `delay` samples behind the first packet; a sender
whose clock runs fast is trimmed back to `delay` once the buffer exceeds `max_delay`, and one
that runs slow (or restarts its timestamps) is re-anchored when a packet arrives entirely late
while the buffer is empty.
"""

from __future__ import annotations

__all__ = ["JitterBuffer"]

_MASK = 0xFFFFFFFF


def _signed(value: int) -> int:
    return ((value + 0x80000000) & _MASK) - 0x80000000


class JitterBuffer:
    __slots__ = (
        "_buffer",
        "_delay",
        "_fill",
        "_max_delay",
        "_position",
        "discarded",
        "late",
        "resyncs",
        "underruns",
    )

    def __init__(self, *, fill: int, delay: int = 320, max_delay: int = 1600) -> None:
        """`fill` is the codec's silence byte; `delay` and `max_delay` are in samples."""
        self._fill = fill
        self._delay = delay
        self._max_delay = max_delay
        self._position: int | None = None  # RTP timestamp of the next sample to play out
        self._buffer = bytearray()
        self.late = 0  # packets that arrived after their playout time
        self.discarded = 0  # samples dropped to bring a fast sender back to `delay`
        self.resyncs = 0
        self.underruns = 0  # pulls that found nothing at all

    @property
    def started(self) -> bool:
        return self._position is not None

    @property
    def depth(self) -> int:
        """Samples buffered ahead of the playout position."""
        return len(self._buffer)

    def reset(self) -> None:
        self._position = None
        self._buffer.clear()

    def _anchor(self, timestamp: int) -> None:
        self._position = (timestamp - self._delay) & _MASK
        self._buffer = bytearray((self._fill,)) * self._delay

    def put(self, timestamp: int, payload: bytes) -> None:
        position = self._position
        buffer = self._buffer
        if position is not None and timestamp == (position + len(buffer)) & _MASK:
            # In order and contiguous, the usual case: append (one call per packet, hot).
            buffer += payload
            if len(buffer) > self._max_delay:
                self._trim()
            return
        if self._position is None:
            self._anchor(timestamp)
        assert self._position is not None
        offset = _signed(timestamp - self._position)
        if offset < 0:
            if offset + len(payload) <= 0:
                self.late += 1
                if not self._buffer:
                    # The sender's clock is behind ours (or it restarted): follow it.
                    self.resyncs += 1
                    self._anchor(timestamp)
                    offset = self._delay
                else:
                    return
            else:
                payload = payload[-offset:]
                offset = 0
        if offset > self._max_delay:
            # Far in the future: a timestamp jump (new talkspurt, new source). Start over.
            self.resyncs += 1
            self._anchor(timestamp)
            offset = self._delay
        end = offset + len(payload)
        buffer = self._buffer
        if end > len(buffer):
            buffer.extend(bytes((self._fill,)) * (end - len(buffer)))
        buffer[offset:end] = payload
        if len(buffer) > self._max_delay:
            self._trim()

    def _trim(self) -> None:
        # The sender's clock runs ahead of ours: drop the oldest audio back to `delay`.
        assert self._position is not None
        excess = len(self._buffer) - self._delay
        del self._buffer[:excess]
        self.discarded += excess
        self._position = (self._position + excess) & _MASK

    def pull(self, samples: int = 160) -> bytes | None:
        """The next `samples` samples, or None until the first packet has arrived."""
        if self._position is None:
            return None
        buffer = self._buffer
        if len(buffer) >= samples:
            out = bytes(buffer[:samples])
            del buffer[:samples]
        else:
            if not buffer:
                self.underruns += 1
            out = bytes(buffer) + bytes((self._fill,)) * (samples - len(buffer))
            buffer.clear()
        self._position = (self._position + samples) & _MASK
        return out
