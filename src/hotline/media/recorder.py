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
from collections.abc import Callable
from concurrent.futures import Executor, Future
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
    """16-bit stereo PCM WAV, appended in blocks, header kept valid after each block.

    With an `executor` (one thread, shared by all recordings, so blocks stay in order) the
    file work happens off the event loop: a disk busy with someone else's writes must never
    stall the media clock. Without one (tests) it writes in place.
    """

    def __init__(
        self, file: BinaryIO, *, rate: int = RATE, executor: Executor | None = None
    ) -> None:
        self._file = file
        self._executor = executor
        self.data_bytes = 0
        self.failed: OSError | None = None
        self._last: Future[None] | None = None
        self._run(self._write_header, wav_header(channels=2, rate=rate, bits=16, data_bytes=0))

    def _run(self, function: Callable[..., None], *args: object) -> None:
        if self._executor is None:
            function(*args)
        else:
            self._last = self._executor.submit(function, *args)

    def _write_header(self, header: bytes) -> None:
        self._file.write(header)
        self._file.flush()

    def append(self, left: np.ndarray, right: np.ndarray) -> None:
        frames = np.empty((len(left), 2), dtype="<i2")
        frames[:, 0] = left
        frames[:, 1] = right
        data = frames.tobytes()
        self.data_bytes += len(data)
        self._run(self._append, data, self.data_bytes)

    def _append(self, data: bytes, total: int) -> None:
        if self.failed is not None:
            return
        try:
            self._file.write(data)
            # Rewrite RIFF and data sizes so the file is complete as it stands.
            self._file.seek(4)
            self._file.write(struct.pack("<I", 36 + total))
            self._file.seek(40)
            self._file.write(struct.pack("<I", total))
            self._file.seek(0, 2)
            self._file.flush()
        except OSError as exc:  # disk full: keep the call going, report at stop
            self.failed = exc

    def close(self) -> Future[None] | None:
        """Close the file after every pending block; a future when an executor does it."""
        self._run(self._file.close)
        return self._last


class Recording:
    """One recording of one customer endpoint.

    `on_received(ts, codes)` taps what the customer sends, `on_sent(ts, codes)` every packet
    sent to the customer (relayed or paced); each goes into its own jitter buffer by RTP
    timestamp. `on_tick()` only counts time: once a second (at `flush_phase`, so recordings
    take turns) a second of both channels is pulled, decoded and written in one go.
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
        """`delay` (samples) is the buffering of both channels; the first `delay` samples
        are dropped so that the file's time 0 is the moment recording started."""
        self.id = recording_id
        self.key = key
        self.codec = codec
        self._writer = writer
        # Room for a whole flush interval on top of the delay before anything is trimmed.
        room = delay + 2 * flush_every * FRAME
        self._left = JitterBuffer(fill=codec.silence, delay=delay, max_delay=room)
        self._right = JitterBuffer(fill=codec.silence, delay=delay, max_delay=room)
        self._silence = codec.silence
        self._skip = delay
        self._due = 0  # samples of time that passed and are not yet written
        self._flush_every = flush_every
        self._flush_phase = flush_phase % flush_every
        self.elapsed = 0  # samples since the start: the file position of "now"
        self._last_tick: int | None = None
        self.samples = 0  # samples written
        self._mutes: list[list[int | None]] = []  # [start, end or None] in file samples
        self.closed = False

    def on_received(self, timestamp: int, payload: bytes) -> None:
        self._left.put(timestamp, payload)

    def on_sent(self, timestamp: int, payload: bytes) -> None:
        self._right.put(timestamp, payload)

    def on_tick(self, tick: int) -> None:
        # Ticks the engine skipped after a stall (the pacer's index jumps) are time that passed
        # too: the file keeps the true timeline, so a pause lands where the audio sent at that
        # moment lands (by its RTP timestamp), and a card number cannot slip past a mute.
        passed = 1 if self._last_tick is None else max(1, tick - self._last_tick)
        self._last_tick = tick
        self.elapsed += passed * FRAME
        self._due += passed * FRAME
        if tick % self._flush_every == self._flush_phase or self._due > self._flush_every * FRAME:
            self.flush()

    def flush(self) -> None:
        count = self._due
        if count <= 0:
            return
        self._due = 0
        fill = bytes((self._silence,)) * count
        left = self._left.pull(count) or fill
        right = self._right.pull(count) or fill
        if self._skip:
            dropped = min(self._skip, count)
            self._skip -= dropped
            left, right = left[dropped:], right[dropped:]
        if not left:
            return
        left_pcm = g711.decode(self.codec, left)
        right_pcm = g711.decode(self.codec, right)
        start, end = self.samples, self.samples + len(left)
        for mute_start, mute_end in self._mutes:
            assert mute_start is not None
            low = max(mute_start, start) - start
            high = min(end if mute_end is None else mute_end, end) - start
            if low < high:
                left_pcm = left_pcm.copy() if not left_pcm.flags.writeable else left_pcm
                right_pcm = right_pcm.copy() if not right_pcm.flags.writeable else right_pcm
                left_pcm[low:high] = 0
                right_pcm[low:high] = 0
        self._writer.append(left_pcm, right_pcm)
        self.samples = end

    @property
    def paused(self) -> bool:
        return bool(self._mutes) and self._mutes[-1][1] is None

    def pause(self) -> bool:
        """Mute from now on (card numbers). Silence is written so the timeline stays true; the
        mute starts one frame early and ends one frame late, for safety at the edges."""
        if self.paused:
            return False
        self._mutes.append([max(0, self.elapsed - FRAME), None])
        return True

    def resume(self) -> bool:
        if not self.paused:
            return False
        self._mutes[-1][1] = self.elapsed + FRAME
        return True

    def close(self) -> Future[None] | None:
        """Write what is left and close the file; with a writer thread, a future for when the
        file is complete. `size_bytes` is the final size either way."""
        if self.closed:
            return None
        self.flush()
        self.closed = True
        return self._writer.close()

    @property
    def size_bytes(self) -> int:
        return _HEADER_BYTES + self._writer.data_bytes

    @property
    def failure(self) -> OSError | None:
        return self._writer.failed

    @property
    def duration_s(self) -> float:
        return self.samples / RATE

    def spans_seconds(self) -> tuple[tuple[float, float], ...]:
        """Paused spans (start, end) in seconds, clipped to the recording."""
        spans = []
        for start, end in self._mutes:
            assert start is not None
            stop = self.samples if end is None else min(end, self.samples)
            if stop > start:
                spans.append((start / RATE, stop / RATE))
        return tuple(spans)


def file_sha256(file: BinaryIO) -> str:
    """SHA-256 of a whole file, read in blocks (run in an executor for long recordings)."""
    digest = hashlib.sha256()
    with file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
