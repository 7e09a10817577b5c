"""The two buffers between aiortc's packet-sized audio and the engine's 20 ms ticks.

`FrameChunker` cuts the browser's decoded audio (8 kHz int16, any packet size) into the engine's
160-sample frames. `OutboundBuffer` holds what the engine delivers until aiortc's sender takes
it: bounded (the oldest frame goes first, so latency never grows), and each frame keeps its
tick index so that a dropped frame leaves a gap in RTP timestamps, as a lost packet would.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

__all__ = ["FRAME_SAMPLES", "SAMPLE_RATE", "FrameChunker", "OutboundBuffer"]

Pcm = npt.NDArray[np.int16]
SAMPLE_RATE = 8000
FRAME_SAMPLES = 160  # 20 ms at 8 kHz


class FrameChunker:
    """Accumulate int16 samples; hand out whole 160-sample frames."""

    def __init__(self) -> None:
        self._pending: Pcm = np.zeros(0, np.int16)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def feed(self, samples: Pcm) -> list[Pcm]:
        pcm = np.asarray(samples, dtype=np.int16).reshape(-1)
        if not len(self._pending) and len(pcm) == FRAME_SAMPLES:
            return [pcm]  # the usual case: a 20 ms packet is exactly one frame
        data = np.concatenate([self._pending, pcm]) if len(self._pending) else pcm
        whole = len(data) - len(data) % FRAME_SAMPLES
        frames = [data[i : i + FRAME_SAMPLES] for i in range(0, whole, FRAME_SAMPLES)]
        self._pending = data[whole:].copy()
        return frames


class OutboundBuffer:
    """What the engine delivered and aiortc has not yet sent: at most `capacity` frames."""

    def __init__(self, capacity: int = 5) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least one frame")
        self._frames: deque[tuple[int, Pcm]] = deque(maxlen=capacity)
        self.delivered = 0  # frames put, i.e. the next frame's tick index
        self.dropped = 0  # frames pushed out by newer ones before they were sent

    def __len__(self) -> int:
        return len(self._frames)

    def put(self, pcm: Pcm) -> None:
        if len(self._frames) == self._frames.maxlen:
            self.dropped += 1
        self._frames.append((self.delivered, pcm))
        self.delivered += 1

    def get(self) -> tuple[int, Pcm] | None:
        """The oldest frame and its index, or None when empty."""
        return self._frames.popleft() if self._frames else None

    def clear(self) -> None:
        self._frames.clear()
