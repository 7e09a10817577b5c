"""Music on hold as one shared stream per source: the music advances once per tick and each
frame is encoded once per codec, however many callers are waiting (a radio, not N players).
A source with no listener does not advance, so the next caller resumes where music stopped.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hotline.media.endpoint import AudioFrame, Endpoint

__all__ = ["MohStream"]

FRAME = 160


class MohStream:
    def __init__(self, name: str, pcm: npt.NDArray[np.int16]) -> None:
        if len(pcm) < FRAME:
            raise ValueError(f"hold music {name!r} is shorter than one frame")
        self.name = name
        # Pad to whole frames so the loop point never splits a frame.
        padding = -len(pcm) % FRAME
        self._pcm = np.concatenate([pcm, np.zeros(padding, np.int16)]) if padding else pcm
        self._position = 0
        self._tick = -1
        self._frame = AudioFrame(pcm=self._pcm[:FRAME])
        self.listeners: set[Endpoint] = set()
        self.frames_made = 0

    def frame(self, tick: int) -> AudioFrame:
        if tick != self._tick:
            self._tick = tick
            start = self._position
            self._frame = AudioFrame(pcm=self._pcm[start : start + FRAME])
            self._position = (start + FRAME) % len(self._pcm)
            self.frames_made += 1
        return self._frame
