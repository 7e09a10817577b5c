"""When the caller has said something and stopped: an energy end-pointer over 20 ms frames.

Speech starts after `start_s` of frames louder than `level` (RMS of int16 samples) and ends
after `end_s` of quieter ones; nothing said within `no_speech_s` is silence, and an utterance
is cut at `max_s`. Pure: frames in, state out; the caller's clock is the frames themselves.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = ["Endpointer", "UtteranceState"]

RATE = 8000


class UtteranceState(StrEnum):
    WAITING = "waiting"  # nothing said yet
    SPEAKING = "speaking"
    DONE = "done"  # said something, then stopped (or hit the length limit)
    SILENT = "silent"  # said nothing in time


class Endpointer:
    def __init__(
        self,
        *,
        level: float = 300.0,
        start_s: float = 0.1,
        end_s: float = 0.8,
        no_speech_s: float = 8.0,
        max_s: float = 15.0,
    ) -> None:
        self.level = level
        self._start = int(start_s * RATE)
        self._end = int(end_s * RATE)
        self._no_speech = int(no_speech_s * RATE)
        self._max = int(max_s * RATE)
        self.state = UtteranceState.WAITING
        self.samples = 0
        self._loud = 0
        self._quiet = 0

    def feed(self, pcm: npt.NDArray[np.int16]) -> UtteranceState:
        if self.state in (UtteranceState.DONE, UtteranceState.SILENT) or not len(pcm):
            return self.state
        self.samples += len(pcm)
        rms = float(np.sqrt(np.mean(pcm.astype(np.float32) ** 2)))
        if rms >= self.level:
            self._loud += len(pcm)
            self._quiet = 0
        else:
            self._quiet += len(pcm)
            if self.state is UtteranceState.WAITING:
                self._loud = 0
        if self.state is UtteranceState.WAITING:
            if self._loud >= self._start:
                self.state = UtteranceState.SPEAKING
            elif self.samples >= self._no_speech:
                self.state = UtteranceState.SILENT
        elif self._quiet >= self._end or self.samples >= self._max:
            self.state = UtteranceState.DONE
        return self.state
