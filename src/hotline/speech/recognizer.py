"""The ASR adapter (ADR 0258): what the voice bot needs of any speech recognizer.

    stream = recognizer.stream("en")          # UnsupportedLanguage if the engine has none
    stream.feed(frame)                        # 20 ms of 8 kHz int16 audio, as it arrives
    result = await stream.finish()            # the caller stopped speaking
    stream.close()                            # always (a hang-up closes without finishing)

`feed` must not block the event loop: an engine queues the audio and decodes it off the loop
(a worker thread, or a network round trip for a server engine such as FunASR or MRCP).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from hotline.errors import HotlineError

__all__ = [
    "Pcm",
    "RecognitionStream",
    "Recognized",
    "SpeechError",
    "SpeechRecognizer",
    "UnsupportedLanguage",
]

Pcm = npt.NDArray[np.int16]
RATE = 8000  # what the media engine hands over: telephone audio


class SpeechError(HotlineError):
    code = "speech.error"


class UnsupportedLanguage(SpeechError):
    code = "speech.language.unsupported"


@dataclass(frozen=True, slots=True)
class Recognized:
    text: str  # "" when nothing was recognized
    engine: str
    language: str
    confidence: float | None = None  # as the engine reports it, when it does


class RecognitionStream(Protocol):
    def feed(self, pcm: Pcm) -> None: ...

    async def finish(self) -> Recognized: ...

    def close(self) -> None: ...


class SpeechRecognizer(Protocol):
    name: str

    def languages(self) -> frozenset[str]:
        """The primary language subtags it recognizes ("en", "zh")."""
        ...

    def stream(self, language: str) -> RecognitionStream: ...
