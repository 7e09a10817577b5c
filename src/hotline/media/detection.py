"""Answering-machine detection next to the audio (ADR 0197, amended): the media backend listens
to a leg and hands back only the detector's decision, never the audio.

`MediaBackend.detect_machine(endpoint, settings)` starts listening and returns a
`MachineDetection`: `await detection.verdict()` gives a `MachineVerdict` — the detector's
result (`hotline.amd`, its verdict, sure or its lean at its time limit, the audio heard),
the seconds the media side listened until then, or why there is none: the endpoint was
released (the call ended), the listening was stopped, or the media process is gone. For a
machine that is to get a message, `await detection.greeting_end()` then gives the seconds of
audio from the verdict to the end of its greeting and beep (None when it did not end in time).

`MachineListener` is the media side: the engine hands it each tick's received audio (its audio
tap) and it feeds the detector, then listens on for the greeting's end if asked; all its time
limits count audio frames, so it ends by itself as long as the media clock ticks. The same
listener runs in the server's process or in the media process; only the verdict crosses the
control channel (ADR 0186).
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hotline.amd import (
    FRAME_S,
    AmdResult,
    AmdSettings,
    AnsweringMachineDetector,
    TickFrames,
    Verdict,
)

__all__ = [
    "DetectionEnd",
    "MachineDetection",
    "MachineDetections",
    "MachineListener",
    "MachineVerdict",
]


class DetectionEnd(enum.StrEnum):
    DECIDED = "decided"  # the detector's verdict (sure, or its lean at its time limit)
    ENDED = "ended"  # the endpoint was released (the call ended) before a verdict
    STOPPED = "stopped"  # `stop_detection`, or a new listener on the leg, before a verdict
    LOST = "lost"  # the media process is gone


@dataclass(frozen=True, slots=True)
class MachineVerdict:
    """How listening to a leg ended. `result` is set when `end` is DECIDED; `listened_s` is
    the time from the start of listening to this end, on the media side's clock."""

    end: DetectionEnd
    result: AmdResult | None = None
    listened_s: float = 0.0

    @property
    def decided(self) -> bool:
        return self.end is DetectionEnd.DECIDED and self.result is not None


class MachineDetection:
    """Listening to one leg, as the awaiting side sees it (like `Playback` for a playlist)."""

    def __init__(self, endpoint_id: str, *, greeting: bool) -> None:
        self.endpoint_id = endpoint_id
        self.greeting = greeting  # a machine verdict is followed by its greeting's end
        loop = asyncio.get_running_loop()
        self._verdict: asyncio.Future[MachineVerdict] = loop.create_future()
        self._greeting_end: asyncio.Future[float | None] = loop.create_future()

    @property
    def has_verdict(self) -> bool:
        return self._verdict.done()

    @property
    def finished(self) -> bool:
        """Nothing more will come: the verdict is in, and the greeting's end if awaited."""
        return self._verdict.done() and self._greeting_end.done()

    async def verdict(self) -> MachineVerdict:
        return await asyncio.shield(self._verdict)

    async def greeting_end(self) -> float | None:
        """Seconds of audio from the verdict to the end of the machine's greeting; None when it
        did not end within the wait, or when there is no greeting to wait for."""
        return await asyncio.shield(self._greeting_end)

    def on_verdict(self, callback: Callable[[MachineVerdict], None]) -> None:
        self._verdict.add_done_callback(lambda future: callback(future.result()))

    def on_greeting_end(self, callback: Callable[[float | None], None]) -> None:
        self._greeting_end.add_done_callback(lambda future: callback(future.result()))

    def _decide(self, verdict: MachineVerdict) -> None:
        if not self._verdict.done():
            self._verdict.set_result(verdict)
            listening_on = (
                self.greeting
                and verdict.decided
                and verdict.result is not None
                and verdict.result.verdict is Verdict.MACHINE
            )
            if not listening_on:
                self._end_greeting(None)

    def _end_greeting(self, seconds: float | None) -> None:
        if not self._greeting_end.done():
            self._greeting_end.set_result(seconds)

    def _end(self, end: DetectionEnd, listened_s: float = 0.0) -> None:
        """Listening stopped for `end`: no verdict yet is that; a greeting awaited is None."""
        self._decide(MachineVerdict(end, None, listened_s))
        self._end_greeting(None)


class MachineListener:
    """The media side of one `MachineDetection`: `hear(pcm)` each tick; False once it has
    nothing more to listen for (the engine then takes its tap off the leg)."""

    def __init__(
        self,
        detection: MachineDetection,
        settings: AmdSettings,
        *,
        greeting_end_s: float | None,
        max_greeting_wait_s: float,
        monotonic: Callable[[], float],
    ) -> None:
        self.detection = detection
        self.detector = AnsweringMachineDetector(settings)
        self.greeting_end_s = greeting_end_s
        self.max_greeting_wait_s = max_greeting_wait_s
        self._monotonic = monotonic
        self._started = monotonic()
        self._frames = TickFrames()
        self._after_s = 0.0  # audio heard since the verdict

    def listened_s(self) -> float:
        return max(0.0, self._monotonic() - self._started)

    def hear(self, pcm: npt.NDArray[np.int16]) -> bool:
        detection = self.detection
        for frame in self._frames.push(pcm):
            if not detection.has_verdict:
                result = self.detector.feed(frame)
                if result is not None:
                    detection._decide(
                        MachineVerdict(DetectionEnd.DECIDED, result, self.listened_s())
                    )
            elif not detection.finished:
                self._after_s += FRAME_S
                silence = self.detector.silence_after(frame)
                assert self.greeting_end_s is not None  # awaited only when asked for
                if silence >= self.greeting_end_s:
                    detection._end_greeting(self._after_s)
                elif self._after_s >= self.max_greeting_wait_s:
                    detection._end_greeting(None)
            if detection.finished:
                return False
        return not detection.finished

    def end(self, end: DetectionEnd) -> None:
        """The leg went (ENDED) or listening was stopped (STOPPED) before it was over."""
        self.detection._end(end, self.listened_s())


class MachineDetections:
    """The engine's listeners, at most one per leg. `start` gives the detection and the audio
    tap that feeds it; the tap calls `untap(endpoint)` once its listener has heard enough."""

    def __init__(self, monotonic: Callable[[], float], untap: Callable[[str], None]) -> None:
        self._monotonic = monotonic
        self._untap = untap
        self._listeners: dict[str, MachineListener] = {}

    def __len__(self) -> int:
        return len(self._listeners)

    def start(
        self,
        endpoint_id: str,
        settings: AmdSettings,
        *,
        greeting_end_s: float | None,
        max_greeting_wait_s: float,
    ) -> tuple[MachineDetection, Callable[[npt.NDArray[np.int16]], None]]:
        self.end(endpoint_id, DetectionEnd.STOPPED)
        detection = MachineDetection(endpoint_id, greeting=greeting_end_s is not None)
        listener = MachineListener(
            detection, settings, greeting_end_s=greeting_end_s,
            max_greeting_wait_s=max_greeting_wait_s, monotonic=self._monotonic,
        )  # fmt: skip
        self._listeners[endpoint_id] = listener

        def tap(pcm: npt.NDArray[np.int16]) -> None:
            if self._listeners.get(endpoint_id) is not listener:
                return  # its listening is over
            if not listener.hear(pcm):
                del self._listeners[endpoint_id]
                self._untap(endpoint_id)

        return detection, tap

    def end(self, endpoint_id: str, end: DetectionEnd) -> bool:
        """Listening to the leg ends for `end` (False: nobody was listening)."""
        listener = self._listeners.pop(endpoint_id, None)
        if listener is None:
            return False
        listener.end(end)
        return True
