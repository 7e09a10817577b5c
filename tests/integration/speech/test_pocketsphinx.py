"""The PocketSphinx engine behind the ASR adapter, on espeak-ng recordings at telephone rate fed
as 20 ms frames: "operator" and a balance question are recognized; Chinese is refused with a
named error; a grammar phrase with digits is refused."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from hotline.speech import UnsupportedLanguage
from hotline.speech.recognizer import SpeechError
from hotline.speech.sphinx import PocketSphinxRecognizer, grammar
from tests.conftest import require_tool


def recording(tmp: Path, words: str) -> np.ndarray:
    espeak, sox = require_tool("espeak-ng"), require_tool("sox")
    raw, out = tmp / "raw.wav", tmp / "8k.wav"
    subprocess.run([espeak, "-v", "en-us", "-s", "130", "-w", str(raw), words], check=True)
    subprocess.run([sox, str(raw), "-r", "8000", "-c", "1", "-b", "16", str(out), "pad", "0.5",
                    "0.5"], check=True)  # fmt: skip
    with wave.open(str(out)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


@pytest.mark.parametrize(
    ("words", "expected"),
    [("operator", "operator"), ("what is my balance", "what is my balance")],
)
async def test_words_are_recognized_from_telephone_frames(
    tmp_path: Path, words: str, expected: str
) -> None:
    assert PocketSphinxRecognizer.available()
    recognizer = PocketSphinxRecognizer(tmp_path / "speech")
    pcm = recording(tmp_path, words)
    stream = recognizer.stream("en")
    for i in range(0, len(pcm), 160):
        stream.feed(pcm[i : i + 160])
    heard = await stream.finish()
    assert (heard.text, heard.engine, heard.language) == (expected, "pocketsphinx", "en")


def test_chinese_and_bad_phrases_are_refused(tmp_path: Path) -> None:
    recognizer = PocketSphinxRecognizer(tmp_path / "speech")
    with pytest.raises(UnsupportedLanguage):
        recognizer.stream("zh-CN")
    with pytest.raises(SpeechError):
        grammar(["call 110"])
