"""Playlists: what call control asks to play (`PlayItem`s) and the sans-I/O `Player` that turns
resolved sources into 20 ms frames, one per engine tick, with barge-in on DTMF.

Items are resolved to `FrameSource`s before playback starts (WAV and TTS need file and process
work, done off the event loop by `prompts.PromptLibrary`); the player itself only slices arrays.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.tones import RATE, ToneGenerator, ToneSpec

__all__ = [
    "ArraySource",
    "FrameSource",
    "PlayItem",
    "PlaybackEnd",
    "Player",
    "PromptAudio",
    "Silence",
    "SilenceSource",
    "Tone",
    "ToneSource",
    "TtsText",
    "WavFile",
]

Pcm = npt.NDArray[np.int16]
FRAME = 160


@dataclasses.dataclass(frozen=True, slots=True)
class WavFile:
    """A prompt file: any WAV, converted once to 8 kHz mono and cached."""

    path: Path


@dataclasses.dataclass(frozen=True, slots=True)
class TtsText:
    """Text spoken by espeak-ng; `voice` is a language key ("zh", "en") or an espeak voice."""

    text: str
    voice: str = "zh"


@dataclasses.dataclass(frozen=True, slots=True)
class Tone:
    spec: ToneSpec
    seconds: float


@dataclasses.dataclass(frozen=True, slots=True)
class Silence:
    seconds: float


PlayItem = WavFile | TtsText | Tone | Silence


class PlaybackEnd(enum.StrEnum):
    COMPLETED = "completed"
    STOPPED = "stopped"  # stop_playback(), or the endpoint was released
    BARGE_IN = "barge_in"  # the caller pressed a digit
    FAILED = "failed"  # an item could not be resolved (missing file, TTS error)


class FrameSource(Protocol):
    def next_frame(self, samples: int = FRAME) -> Pcm | None:
        """The next `samples` samples (zero-padded at the end), or None when exhausted."""
        ...


class PromptAudio:
    """A decoded prompt shared by every call that plays it, with its G.711 codes made once per
    codec: a frame sent to a caller is then a slice of bytes, not a numpy encode per call and
    tick (bench/media_tick.py: the encode was a fifth of a playing tick)."""

    __slots__ = ("_codes", "pcm")

    def __init__(self, pcm: Pcm) -> None:
        self.pcm = pcm
        self._codes: dict[Codec, bytes] = {}

    def codes(self, codec: Codec) -> bytes:
        found = self._codes.get(codec)
        if found is None:
            padding = -len(self.pcm) % FRAME  # the last frame is zero-padded, as played
            found = g711.encode(codec, np.concatenate([self.pcm, np.zeros(padding, np.int16)]))
            self._codes[codec] = found
        return found


class ArraySource:
    """Plays a decoded prompt (shared, read-only array) from its start."""

    __slots__ = ("_audio", "_pcm", "_position", "frame_start")

    def __init__(self, pcm: Pcm | PromptAudio) -> None:
        self._audio = pcm if isinstance(pcm, PromptAudio) else None
        self._pcm = pcm.pcm if isinstance(pcm, PromptAudio) else pcm
        self._position = 0
        self.frame_start = 0  # where the frame last returned starts in the prompt

    @property
    def audio(self) -> PromptAudio | None:
        return self._audio

    def next_frame(self, samples: int = FRAME) -> Pcm | None:
        start = self._position
        if start >= len(self._pcm):
            return None
        self.frame_start = start
        self._position = start + samples
        frame = self._pcm[start : start + samples]
        if len(frame) < samples:
            frame = np.concatenate([frame, np.zeros(samples - len(frame), np.int16)])
        return frame


class ToneSource:
    """A tone for a fixed time (a repeating cadence is cut at `seconds`)."""

    __slots__ = ("_generator", "_left")

    def __init__(self, spec: ToneSpec, seconds: float) -> None:
        self._generator = ToneGenerator(spec)
        self._left = round(seconds * RATE)

    def next_frame(self, samples: int = FRAME) -> Pcm | None:
        if self._left <= 0:
            return None
        frame = self._generator.next_frame(samples)
        if frame is None:
            return None
        if self._left < samples:
            frame = frame.copy()
            frame[self._left :] = 0
        self._left -= samples
        return frame


class SilenceSource:
    __slots__ = ("_left",)
    _ZERO = np.zeros(FRAME, np.int16)

    def __init__(self, seconds: float) -> None:
        self._left = round(seconds * RATE)

    def next_frame(self, samples: int = FRAME) -> Pcm | None:
        if self._left <= 0:
            return None
        self._left -= samples
        return self._ZERO if samples == FRAME else np.zeros(samples, np.int16)


class Player:
    """Frames of a playlist, in order. `barge_in` ends playback on the first DTMF digit."""

    def __init__(self, sources: Iterable[FrameSource], *, barge_in: bool = False) -> None:
        self._sources = deque(sources)
        self.barge_in = barge_in
        self.ended: PlaybackEnd | None = None
        self.frames_played = 0
        # The pre-encoded prompt the last frame came from, and where in it (None: made here).
        self.encoded: tuple[PromptAudio, int] | None = None

    def next_frame(self) -> Pcm | None:
        """The next frame, or None once the playlist is over (then `ended` says why)."""
        if self.ended is not None:
            return None
        while self._sources:
            source = self._sources[0]
            frame = source.next_frame(FRAME)
            if frame is not None:
                self.frames_played += 1
                if isinstance(source, ArraySource) and source.audio is not None:
                    self.encoded = (source.audio, source.frame_start)
                else:
                    self.encoded = None
                return frame
            self._sources.popleft()
        self.ended = PlaybackEnd.COMPLETED
        return None

    def on_dtmf(self) -> bool:
        """A digit arrived; True when that ends playback (barge-in)."""
        if self.barge_in and self.ended is None:
            self.ended = PlaybackEnd.BARGE_IN
            return True
        return False

    def stop(self) -> None:
        if self.ended is None:
            self.ended = PlaybackEnd.STOPPED
