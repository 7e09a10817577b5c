"""Prompt resolution: turns `PlayItem`s into `FrameSource`s, converting WAV files to 8 kHz once
(in an executor) and keeping the decoded arrays in a small LRU cache shared by every call.

A prompt file is identified by path, size and modification time, so replacing an uploaded
prompt takes effect on the next playback without a restart.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hotline.media.errors import PromptError
from hotline.media.player import (
    ArraySource,
    FrameSource,
    PlayItem,
    PromptAudio,
    Silence,
    SilenceSource,
    Tone,
    ToneSource,
    TtsText,
    WavFile,
)
from hotline.media.tts import EspeakTts
from hotline.media.wav import load_8k_mono

__all__ = ["PromptLibrary"]

Pcm = npt.NDArray[np.int16]


class PromptLibrary:
    def __init__(
        self,
        *,
        prompts_dir: Path | None = None,
        tts: EspeakTts | None = None,
        max_cached_seconds: float = 3600.0,
    ) -> None:
        self._dir = prompts_dir
        self._tts = tts
        self._budget = int(max_cached_seconds * 8000)
        self._cache: OrderedDict[tuple[Path, int, int], PromptAudio] = OrderedDict()
        self._cached_samples = 0
        self.conversions = 0

    def _locate(self, path: Path) -> Path:
        if not path.is_absolute() and self._dir is not None:
            return self._dir / path
        return path

    async def load(self, path: Path) -> Pcm:
        """A prompt as 8 kHz mono int16 (read-only, shared)."""
        return (await self.load_audio(path)).pcm

    async def load_audio(self, path: Path) -> PromptAudio:
        """A prompt with its G.711 codes made on first use, shared by every call."""
        path = self._locate(path)
        try:
            stat = path.stat()
        except OSError as exc:
            raise PromptError(
                f"prompt {path} cannot be read: {exc.strerror}", details={"file": str(path)}
            ) from exc
        key = (path, stat.st_size, stat.st_mtime_ns)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        pcm = await asyncio.get_running_loop().run_in_executor(None, load_8k_mono, path)
        pcm.flags.writeable = False
        self.conversions += 1
        audio = self._cache[key] = PromptAudio(pcm)
        self._cached_samples += len(pcm)
        while self._cached_samples > self._budget and len(self._cache) > 1:
            _, evicted = self._cache.popitem(last=False)
            self._cached_samples -= len(evicted.pcm)
        return audio

    async def resolve(self, items: Sequence[PlayItem]) -> list[FrameSource]:
        """Frame sources for a playlist; raises `PromptError`/`TtsError` naming the bad item."""
        sources: list[FrameSource] = []
        for item in items:
            if isinstance(item, WavFile):
                sources.append(ArraySource(await self.load_audio(item.path)))
            elif isinstance(item, TtsText):
                if self._tts is None:
                    raise PromptError("text-to-speech is not configured")
                # The TTS cache has its own directory: its files are not under prompts_dir.
                spoken = (await self._tts.synthesize(item.text, item.voice)).absolute()
                sources.append(ArraySource(await self.load_audio(spoken)))
            elif isinstance(item, Tone):
                sources.append(ToneSource(item.spec, item.seconds))
            elif isinstance(item, Silence):
                sources.append(SilenceSource(item.seconds))
        return sources
