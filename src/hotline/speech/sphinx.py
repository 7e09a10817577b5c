"""CMU PocketSphinx (PyPI `pocketsphinx` 5, its bundled US-English model) behind the ASR adapter
(ADR 0258). The caller's 8 kHz audio is resampled to the model's 16 kHz and decoded in a worker
thread as it arrives (one decoder per utterance, loaded while the caller starts speaking).

The model's general language model recognizes telephone speech poorly, so the recognizer
decodes against a grammar of the phrases a voice bot expects (JSGF): the hand-off words
("operator", "agent", "a person", "representative") and short questions on the example
knowledge base's topics. A center with other topics passes its own phrases. English only:
`stream("zh")` raises `UnsupportedLanguage` (docs/speech.md for Chinese engines).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hotline.speech.recognizer import RATE, Pcm, Recognized, SpeechError, UnsupportedLanguage

__all__ = ["DEFAULT_PHRASES", "PocketSphinxRecognizer", "grammar"]

MODEL_RATE = 16000
BATCH = RATE // 5  # decode 200 ms at a time

DEFAULT_PHRASES: tuple[str, ...] = (
    "operator", "agent", "a person", "a real person", "a human", "representative",
    "customer service", "speak to an operator", "talk to an agent", "talk to someone",
    "check my balance", "what is my balance", "account balance", "i lost my card",
    "lost card", "stolen card", "change my plan", "new plan", "roaming", "broadband",
    "move my broadband", "points", "bill", "yes", "no", "thank you", "goodbye",
)  # fmt: skip
_OPENINGS = ("i want to", "i would like to", "can i", "please", "i need to", "how do i")
_WORD = re.compile(r"^[a-z']+$")


def grammar(phrases: Sequence[str]) -> str:
    """A JSGF grammar: one of the phrases, with an optional polite opening and "please"."""
    cleaned = []
    for phrase in phrases:
        words = phrase.lower().split()
        if not words or not all(_WORD.match(w) for w in words):
            raise SpeechError(f"a grammar phrase has letters only: {phrase!r}")
        cleaned.append(" ".join(words))
    return (
        "#JSGF V1.0;\ngrammar bot;\n"
        "public <utterance> = [<opening>] <phrase> [please];\n"
        f"<opening> = {' | '.join(_OPENINGS)};\n"
        f"<phrase> = {' | '.join(cleaned)};\n"
    )


def _upsample(pcm: Pcm) -> bytes:
    """8 kHz → 16 kHz by linear interpolation (the model's rate; telephone audio stays 4 kHz
    wide, which the grammar makes up for)."""
    if not len(pcm):
        return b""
    x = np.arange(len(pcm) * 2, dtype=np.float32) / 2.0
    up = np.interp(x, np.arange(len(pcm), dtype=np.float32), pcm.astype(np.float32))
    return bytes(up.astype("<i2").tobytes())


class _Stream:
    def __init__(self, grammar_file: Path, language: str) -> None:
        self.language = language
        self._grammar_file = grammar_file
        self._pending: list[Pcm] = []
        self._queued = 0
        self._closed = False
        self._work: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._task = asyncio.ensure_future(self._decode())

    def _make(self) -> Any:
        from pocketsphinx import Decoder

        decoder = Decoder(lm=None, jsgf=str(self._grammar_file), loglevel="FATAL")
        decoder.start_utt()
        return decoder

    async def _decode(self) -> str:
        decoder = await asyncio.to_thread(self._make)
        while (chunk := await self._work.get()) is not None:
            await asyncio.to_thread(decoder.process_raw, chunk, False, False)

        def end() -> str:
            decoder.end_utt()
            hyp = decoder.hyp()
            return "" if hyp is None else str(hyp.hypstr)

        return await asyncio.to_thread(end)

    def feed(self, pcm: Pcm) -> None:
        if self._closed:
            return
        self._pending.append(np.asarray(pcm, dtype=np.int16))
        self._queued += len(pcm)
        if self._queued >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._work.put_nowait(_upsample(np.concatenate(self._pending)))
        self._pending, self._queued = [], 0

    async def finish(self) -> Recognized:
        self._flush()
        self._closed = True
        self._work.put_nowait(None)
        text = await self._task
        return Recognized(text.strip(), PocketSphinxRecognizer.name, self.language)

    def close(self) -> None:
        self._closed = True
        if not self._task.done():
            self._work.put_nowait(None)


class PocketSphinxRecognizer:
    name = "pocketsphinx"

    def __init__(self, directory: Path, phrases: Sequence[str] = DEFAULT_PHRASES) -> None:
        """`directory` holds the grammar file written from `phrases`."""
        directory.mkdir(parents=True, exist_ok=True)
        self.grammar_file = directory / "bot.gram"
        self.grammar_file.write_text(grammar(phrases), encoding="utf-8")

    @staticmethod
    def available() -> bool:
        """Whether the engine and its model are installed."""
        try:
            import pocketsphinx
        except ImportError:
            return False
        return (Path(pocketsphinx.get_model_path()) / "en-us").is_dir()

    def languages(self) -> frozenset[str]:
        return frozenset({"en"})

    def stream(self, language: str) -> _Stream:
        if language.split("-")[0] not in self.languages():
            raise UnsupportedLanguage(
                f"{self.name} recognizes English only, not {language}",
                details={"language": language},
            )
        return _Stream(self.grammar_file, language)
