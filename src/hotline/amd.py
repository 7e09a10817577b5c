"""Answering-machine detection from the first seconds of an answered call (ADR 0267): in-band
energy and cadence, sans-I/O — 20 ms frames of 8 kHz PCM in, a verdict out once it is sure.
A module of its own, numpy only: the media backends run it next to the audio (in the media
process too, ADR 0197) and the dialer's campaigns set it.

A person answers with a short word ("喂？", "Hello?") and waits; a machine talks on (a greeting
of several seconds, many words with short gaps). Each frame's energy is compared with a noise
floor learnt from the quietest frames so far; voiced frames make words, and a gap of
`word_gap_s` ends a word. The verdict:

- HUMAN when, after some speech, the callee is silent for `after_greeting_silence_s`
  (a short greeting and a wait), and the speech so far is under `max_greeting_s`;
- MACHINE when the speech without such a pause passes `max_greeting_s`, or it holds
  `max_words` words;
- when nothing is said for `initial_silence_s`: HUMAN (a person who waits for us to talk is
  far more costly to lose than a silent machine, whose message then just starts later);
- at `total_s` whatever the rules lean to, marked undecided (`sure=False`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = [
    "AmdResult",
    "AmdSettings",
    "AnsweringMachineDetector",
    "TickFrames",
    "Verdict",
    "detect",
]

FRAME_S = 0.02
FRAME = 160  # samples of a 20 ms frame at 8 kHz


class Verdict(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"


@dataclass(frozen=True, slots=True)
class AmdSettings:
    initial_silence_s: float = 3.5
    after_greeting_silence_s: float = 0.8
    max_greeting_s: float = 1.6
    max_words: int = 4
    word_gap_s: float = 0.15
    min_word_s: float = 0.1
    voice_db: float = 12.0  # a voiced frame is this far above the noise floor
    min_level_db: float = -50.0  # dBFS under which nothing is voice
    total_s: float = 5.0


@dataclass(frozen=True, slots=True)
class AmdResult:
    verdict: Verdict
    decided_after_s: float  # audio heard before the verdict
    sure: bool
    words: int
    speech_s: float
    trailing_silence_s: float = 0.0  # silence heard since the last word, when it decided


class AnsweringMachineDetector:
    """`feed(frame)` with each 20 ms frame (int16 samples); a result once decided."""

    def __init__(self, settings: AmdSettings | None = None) -> None:
        self.settings = settings or AmdSettings()
        self.heard_s = 0.0
        self.result: AmdResult | None = None
        self._levels: list[float] = []
        self._speech_s = 0.0  # voiced time in words so far
        self._words = 0
        self._in_word = False
        self._silence_s = 0.0  # silence since the last voiced frame
        self._spoken = False

    def _floor(self) -> float:
        quiet = np.percentile(self._levels, 10) if self._levels else -90.0
        return float(quiet)

    def _voiced(self, frame: npt.NDArray[np.int16]) -> bool:
        samples = frame.astype(np.float64) / 32768.0
        level = 10.0 * np.log10(float(np.mean(samples**2)) + 1e-12)
        self._levels.append(level)
        self.heard_s += FRAME_S
        return bool(level > max(self.settings.min_level_db, self._floor() + self.settings.voice_db))

    def feed(self, frame: npt.NDArray[np.int16]) -> AmdResult | None:
        if self.result is not None:
            return self.result
        s = self.settings
        voiced = self._voiced(frame)
        if voiced:
            if not self._in_word:
                self._words += 1
                self._in_word = True
            self._speech_s += FRAME_S
            self._silence_s = 0.0
            self._spoken = True
        else:
            self._silence_s += FRAME_S
            if self._silence_s >= s.word_gap_s:
                self._in_word = False
        return self._decide()

    def _decide(self) -> AmdResult | None:
        s = self.settings
        if not self._spoken:
            if self.heard_s >= s.initial_silence_s:
                return self._done(Verdict.HUMAN, sure=True)
            return None
        if self._speech_s >= s.max_greeting_s or self._words >= s.max_words:
            return self._done(Verdict.MACHINE, sure=True)
        if self._silence_s >= s.after_greeting_silence_s and self._speech_s >= s.min_word_s:
            return self._done(Verdict.HUMAN, sure=True)
        if self.heard_s >= s.total_s:
            lean = Verdict.MACHINE if self._speech_s >= s.max_greeting_s / 2 else Verdict.HUMAN
            return self._done(lean, sure=False)
        return None

    def silence_after(self, frame: npt.NDArray[np.int16]) -> float:
        """After the verdict, a frame more of the greeting: the seconds of silence it ends on
        (a machine's greeting, and its beep, are over once this passes a second or so)."""
        if self._voiced(frame):
            self._silence_s = 0.0
        else:
            self._silence_s += FRAME_S
        return self._silence_s

    def finish(self) -> AmdResult:
        """The audio ended undecided: the rules' lean."""
        if self.result is not None:
            return self.result
        lean = self._speech_s >= self.settings.max_greeting_s / 2
        return self._done(Verdict.MACHINE if lean else Verdict.HUMAN, sure=False)

    def _done(self, verdict: Verdict, *, sure: bool) -> AmdResult:
        self.result = AmdResult(
            verdict, self.heard_s, sure, self._words, self._speech_s, self._silence_s
        )
        return self.result


def detect(
    samples: npt.NDArray[np.int16], settings: AmdSettings | None = None, *, rate: int = 8000
) -> AmdResult:
    """Run the detector over a whole recording (8 kHz); undecided at its end → its lean."""
    if rate != 8000:
        raise ValueError("the detector takes 8 kHz audio")
    detector = AnsweringMachineDetector(settings)
    step = int(rate * FRAME_S)
    for start in range(0, len(samples) - step + 1, step):
        result = detector.feed(samples[start : start + step])
        if result is not None:
            return result
    return detector.finish()


_SILENT_FRAME: npt.NDArray[np.int16] = np.zeros(FRAME, np.int16)


class TickFrames:
    """A leg's received audio as the media clock hands it over (whatever arrived each 20 ms
    tick, maybe nothing) cut into 20 ms frames. Ticks with nothing are silence — a callee that
    stops sending is quiet — but only once `gap_ticks` of them in a row rule out packets that
    are merely late; then the whole gap is counted."""

    def __init__(self, gap_ticks: int = 3) -> None:
        self.gap_ticks = gap_ticks
        self._buffer: npt.NDArray[np.int16] = np.zeros(0, np.int16)
        self._missing = 0

    def push(self, pcm: npt.NDArray[np.int16]) -> list[npt.NDArray[np.int16]]:
        if pcm.size == 0:
            self._missing += 1
            if self._missing < self.gap_ticks:
                return []
            return [_SILENT_FRAME] * (self.gap_ticks if self._missing == self.gap_ticks else 1)
        self._missing = 0
        buffer = np.concatenate([self._buffer, pcm]) if self._buffer.size else pcm
        whole = buffer.size // FRAME * FRAME
        self._buffer = buffer[whole:]
        return [buffer[i : i + FRAME] for i in range(0, whole, FRAME)]
