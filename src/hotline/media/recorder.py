"""Stereo call recording: left = what the customer says, right = what the customer hears from
the center side (the agent, whoever that is after a transfer, or the conference mix).

The recording hangs on the customer's endpoint, not on a bridge, so transfers and conferences
need no special case: the right channel is simply whatever the engine sends to the customer.
Both channels pass through jitter buffers of the same depth, so they stay aligned.

The WAV is written incrementally: samples are kept as G.711 codes (one byte each) and every
second they are decoded, interleaved and appended, and the header's sizes are rewritten — a
killed process leaves a playable file up to the last second. Pausing (card numbers) writes
silence for the paused time, so the timeline stays true, and records the paused spans.
"""

from __future__ import annotations

import hashlib
import struct
from typing import BinaryIO

import numpy as np

from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.jitter import JitterBuffer
from hotline.media.wav import wav_header

__all__ = ["Recording", "StereoWavWriter", "file_sha256"]

RATE = 8000
FRAME = 160
_HEADER_BYTES = 44


class StereoWavWriter:
    """16-bit stereo PCM WAV, appended in blocks, header kept valid after each block."""

    def __init__(self, file: BinaryIO, *, rate: int = RATE) -> None:
        self._file = file
        self._rate = rate
        self.data_bytes = 0
        file.write(wav_header(channels=2, rate=rate, bits=16, data_bytes=0))
        file.flush()

    def append(self, left: np.ndarray, right: np.ndarray) -> None:
        frames = np.empty((len(left), 2), dtype="<i2")
        frames[:, 0] = left
        frames[:, 1] = right
        data = frames.tobytes()
        self._file.write(data)
        self.data_bytes += len(data)
        # Rewrite RIFF and data sizes so the file is complete as it stands.
        self._file.seek(4)
        self._file.write(struct.pack("<I", 36 + self.data_bytes))
        self._file.seek(40)
        self._file.write(struct.pack("<I", self.data_bytes))
        self._file.seek(0, 2)
        self._file.flush()

    def close(self) -> int:
        self._file.close()
        return _HEADER_BYTES + self.data_bytes


class Recording:
    """One recording of one customer endpoint, fed by the engine's tick.

    `on_sent(ts, codes)` taps every packet sent to the customer (relayed or paced);
    `on_tick(left_codes)` gets what the customer said this tick and advances one frame.
    """

    def __init__(
        self,
        recording_id: str,
        key: str,
        writer: StereoWavWriter,
        *,
        codec: Codec,
        flush_every: int = 50,
        flush_phase: int = 0,
        delay: int = 320,
    ) -> None:
        """`delay` is the customer endpoint's jitter-buffer delay in samples: the right channel
        gets the same, and the first `delay` samples are dropped so that the file's time 0 is
        the moment recording started."""
        self.id = recording_id
        self.key = key
        self.codec = codec
        self._writer = writer
        self._right = JitterBuffer(fill=codec.silence, delay=delay)
        self._skip_frames = delay // FRAME
        self._delay = delay
        self._pending: list[tuple[int, bool]] = []  # (sample index, pause?) not yet in effect
        self._left_codes = bytearray()
        self._right_codes = bytearray()
        self._silence = bytes((codec.silence,)) * FRAME
        self._flush_every = flush_every
        self._flush_phase = flush_phase % flush_every
        self.samples = 0
        self.paused_at: int | None = None
        self.paused_spans: list[tuple[int, int]] = []  # sample offsets
        self.closed = False

    def on_sent(self, timestamp: int, payload: bytes) -> None:
        self._right.put(timestamp, payload)

    def on_tick(self, tick: int, left: bytes | None) -> None:
        right = self._right.pull(FRAME)
        if self._skip_frames:
            self._skip_frames -= 1
            return
        while self._pending and self._pending[0][0] <= self.samples:
            _, pausing = self._pending.pop(0)
            if pausing:
                self.paused_at = self.samples
            elif self.paused_at is not None:
                self.paused_spans.append((self.paused_at, self.samples))
                self.paused_at = None
        if self.paused_at is not None:
            left = right = None
        self._left_codes += left if left is not None else self._silence
        self._right_codes += right if right is not None else self._silence
        self.samples += FRAME
        if tick % self._flush_every == self._flush_phase:
            self.flush()

    def flush(self) -> None:
        if not self._left_codes:
            return
        left = g711.decode(self.codec, bytes(self._left_codes))
        right = g711.decode(self.codec, bytes(self._right_codes))
        self._left_codes.clear()
        self._right_codes.clear()
        self._writer.append(left, right)

    @property
    def paused(self) -> bool:
        """Paused as asked (the file follows `delay` samples later)."""
        return self._pending[-1][1] if self._pending else self.paused_at is not None

    def pause(self) -> bool:
        """Mute from now on. Audio still in the jitter buffer arrived before the pause, but to
        be safe for card numbers the mute starts one frame early and ends one frame late."""
        if self.paused:
            return False
        self._pending.append((max(0, self.samples + self._delay - FRAME), True))
        return True

    def resume(self) -> bool:
        if not self.paused:
            return False
        self._pending.append((self.samples + self._delay + FRAME, False))
        return True

    def close(self) -> int:
        """Flush and close; returns the file size. Closes an open pause span."""
        if self.closed:
            return _HEADER_BYTES + self._writer.data_bytes
        self._pending.clear()
        if self.paused_at is not None:
            self.paused_spans.append((self.paused_at, self.samples))
            self.paused_at = None
        self.flush()
        self.closed = True
        return self._writer.close()

    @property
    def duration_s(self) -> float:
        return self.samples / RATE

    def spans_seconds(self) -> tuple[tuple[float, float], ...]:
        return tuple((start / RATE, end / RATE) for start, end in self.paused_spans)


def file_sha256(file: BinaryIO) -> str:
    """SHA-256 of a whole file, read in blocks (run in an executor for long recordings)."""
    digest = hashlib.sha256()
    with file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
