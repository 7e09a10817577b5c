"""Answering-machine detection on a live campaign call (ADR 0197): the callee leg's received
audio, tapped on the media clock, feeds the sans-I/O detector (`hotline.dialer.amd`); the
verdict, and for a machine the end of its greeting, are awaited here.

The tap runs on the engine's tick: it only cuts frames and steps the detector (a few numpy
operations a tick for the first seconds of a call), and wakes the waiting call on a result.
"""

from __future__ import annotations

import asyncio

import numpy as np
import numpy.typing as npt

from hotline.dialer.amd import FRAME_S, AmdResult, AnsweringMachineDetector, TickFrames
from hotline.dialer.machine import MachineHandling

__all__ = ["AmdListener"]


class AmdListener:
    """`tap` is the media tap of the callee's leg. `await verdict()`, then, for a machine,
    `await greeting_end()`."""

    def __init__(self, handling: MachineHandling) -> None:
        self.handling = handling
        self.detector = AnsweringMachineDetector(handling.detector)
        self._frames = TickFrames()
        loop = asyncio.get_running_loop()
        self._verdict: asyncio.Future[AmdResult] = loop.create_future()
        self._quiet: asyncio.Future[float] = loop.create_future()
        self._after_s = 0.0  # audio heard since the verdict

    def tap(self, pcm: npt.NDArray[np.int16]) -> None:
        for frame in self._frames.push(pcm):
            if not self._verdict.done():
                result = self.detector.feed(frame)
                if result is not None:
                    self._verdict.set_result(result)
            elif not self._quiet.done():
                self._after_s += FRAME_S
                if self.detector.silence_after(frame) >= self.handling.greeting_end_s:
                    self._quiet.set_result(self._after_s)

    async def verdict(self) -> AmdResult:
        """The detector's verdict; if audio stops reaching it (no RTP at all, a media
        hiccup), its lean once its time is up and a second more has passed."""
        limit = self.handling.detector.total_s + 1.0
        try:
            return await asyncio.wait_for(asyncio.shield(self._verdict), limit)
        except TimeoutError:
            return self.detector.finish()

    async def greeting_end(self) -> float | None:
        """Seconds of audio from the verdict to the greeting's end; None if it did not end
        within `max_greeting_wait_s`."""
        try:
            return await asyncio.wait_for(
                asyncio.shield(self._quiet), self.handling.max_greeting_wait_s
            )
        except TimeoutError:
            return None
