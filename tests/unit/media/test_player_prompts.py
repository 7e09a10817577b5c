from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hotline.media.errors import PromptError
from hotline.media.player import (
    ArraySource,
    PlaybackEnd,
    Player,
    Silence,
    SilenceSource,
    Tone,
    ToneSource,
    TtsText,
    WavFile,
)
from hotline.media.prompts import PromptLibrary
from hotline.media.tones import BEEP, CN_RINGBACK
from hotline.media.wav import write_wav


def _drain(player: Player) -> list[np.ndarray]:
    frames = []
    while (frame := player.next_frame()) is not None:
        frames.append(frame)
    return frames


def test_playlist_plays_items_in_order_and_pads_the_last_frame() -> None:
    prompt = np.arange(1, 201, dtype=np.int16)  # 1.25 frames
    player = Player([ArraySource(prompt), SilenceSource(0.04), ToneSource(CN_RINGBACK, 0.05)])
    frames = _drain(player)
    assert len(frames) == 2 + 2 + 3
    assert frames[0].tolist() == list(range(1, 161))
    assert frames[1][:40].tolist() == list(range(161, 201))
    assert not frames[1][40:].any()
    assert not frames[2].any()
    assert frames[4].any()
    assert not frames[6][80:].any()  # 50 ms of tone = 2.5 frames
    assert player.ended is PlaybackEnd.COMPLETED
    assert player.frames_played == 7


def test_barge_in_only_when_asked() -> None:
    player = Player([SilenceSource(1.0)], barge_in=True)
    player.next_frame()
    assert player.on_dtmf()
    assert player.next_frame() is None
    assert player.ended is PlaybackEnd.BARGE_IN
    quiet = Player([SilenceSource(1.0)])
    assert not quiet.on_dtmf()
    quiet.stop()
    assert quiet.ended is PlaybackEnd.STOPPED


async def test_library_converts_each_file_once_and_resolves_items(tmp_path: Path) -> None:
    write_wav(tmp_path / "hello.wav", np.full(1600, 100, np.int16), rate=16000)
    library = PromptLibrary(prompts_dir=tmp_path)
    first = await library.load(Path("hello.wav"))
    again = await library.load(tmp_path / "hello.wav")
    assert first is again
    assert len(first) == 800
    assert library.conversions == 1
    sources = await library.resolve([WavFile(Path("hello.wav")), Tone(BEEP, 0.1), Silence(0.02)])
    assert len(_drain(Player(sources))) == 5 + 5 + 1


async def test_library_evicts_beyond_its_budget(tmp_path: Path) -> None:
    for name in "abc":
        write_wav(tmp_path / f"{name}.wav", np.zeros(8000, np.int16))
    library = PromptLibrary(prompts_dir=tmp_path, max_cached_seconds=2.0)
    for name in "abca":
        await library.load(Path(f"{name}.wav"))
    assert library.conversions == 4


async def test_library_errors_name_the_item(tmp_path: Path) -> None:
    library = PromptLibrary(prompts_dir=tmp_path)
    with pytest.raises(PromptError, match=r"missing\.wav"):
        await library.resolve([WavFile(Path("missing.wav"))])
    with pytest.raises(PromptError, match="text-to-speech"):
        await library.resolve([TtsText("hi", "en")])


def test_a_pre_encoded_prompt_sends_the_same_codes_as_encoding_each_frame() -> None:
    from hotline.media.codecs import g711
    from hotline.media.codecs.g711 import Codec
    from hotline.media.endpoint import AudioFrame
    from hotline.media.player import ArraySource, Player, PromptAudio

    pcm = (np.sin(np.arange(1000) / 7) * 9000).astype(np.int16)  # not a whole number of frames
    player = Player([ArraySource(PromptAudio(pcm))])
    frames = 0
    while (frame := player.next_frame()) is not None:
        assert player.encoded is not None
        made = AudioFrame(pcm=frame, prompt=player.encoded)
        for codec in Codec:
            assert made.codes(codec) == g711.encode(codec, frame)
        frames += 1
    assert frames == 7  # the last one zero-padded in both
