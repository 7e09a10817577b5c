"""A text-to-speech run cut short (the caller hung up mid-synthesis) leaves no espeak-ng child
and no open pipe behind — found by a test that failed now and then under load."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from hotline.media import EspeakTts
from hotline.media.errors import TtsError


def slow_speaker(folder: Path, seconds: float) -> Path:
    """A stand-in for espeak-ng that reads its input, then takes its time."""
    script = folder / "slow-espeak"
    script.write_text(f"#!/bin/sh\ncat > /dev/null\nexec sleep {seconds}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_cancelled_synthesis_reaps_its_child(tmp_path: Path) -> None:
    tts = EspeakTts(tmp_path / "cache", executable=str(slow_speaker(tmp_path, 30)))
    task = asyncio.ensure_future(tts.synthesize("您好", "zh"))
    for _ in range(500):
        if tts.running:
            break
        await asyncio.sleep(0.01)
    (pid,) = tts.running
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert tts.running == set()
    assert not alive(pid)


async def test_a_synthesis_past_its_time_is_an_error_and_reaps_its_child(tmp_path: Path) -> None:
    tts = EspeakTts(tmp_path / "cache", executable=str(slow_speaker(tmp_path, 30)), timeout_s=0.3)
    with pytest.raises(TtsError):
        await tts.synthesize("hello", "en")
    assert tts.running == set()
