"""espeak-ng for real: zh and en prompts, cached by text and voice, converted to 8 kHz."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from hotline.media.errors import TtsError
from hotline.media.player import Player, TtsText
from hotline.media.prompts import PromptLibrary
from hotline.media.tts import EspeakTts
from hotline.media.wav import read_wav
from tests.conftest import require_tool


@pytest.fixture
def tts(tmp_path: Path) -> EspeakTts:
    return EspeakTts(tmp_path / "tts", executable=require_tool("espeak-ng"))


async def test_zh_and_en_are_synthesised_once_and_cached(tts: EspeakTts) -> None:
    zh, en = await asyncio.gather(
        tts.synthesize("您好，欢迎致电客服中心", "zh"), tts.synthesize("Hello and welcome", "en")
    )
    assert zh != en
    for path in (zh, en):
        audio = read_wav(path)
        assert (audio.rate, audio.channels) == (8000, 1)
        assert audio.duration_s > 0.5
        assert np.abs(audio.samples).max() > 1000
    # Same text and voice from two callers at once: one synthesis; later requests hit the cache.
    again = await asyncio.gather(*(tts.synthesize("Hello and welcome", "en") for _ in range(3)))
    assert set(again) == {en}
    assert tts.synthesised == 2


async def test_concurrent_first_requests_share_one_synthesis(tts: EspeakTts) -> None:
    paths = await asyncio.gather(*(tts.synthesize("请稍候", "zh") for _ in range(4)))
    assert len(set(paths)) == 1
    assert tts.synthesised == 1


async def test_a_tts_item_plays_through_the_library(tts: EspeakTts) -> None:
    library = PromptLibrary(tts=tts)
    sources = await library.resolve([TtsText("Press one for sales", "en")])
    player = Player(sources)
    frames = 0
    while player.next_frame() is not None:
        frames += 1
    assert frames > 25


async def test_errors_are_typed(tmp_path: Path) -> None:
    missing = EspeakTts(tmp_path, executable=str(tmp_path / "no-such-espeak"))
    with pytest.raises(TtsError, match="cannot run"):
        await missing.synthesize("hi", "en")
    with pytest.raises(TtsError, match="empty"):
        await missing.synthesize("  ", "en")
