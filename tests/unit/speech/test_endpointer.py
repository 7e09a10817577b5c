"""The end-pointer: speech starts after a tenth of a second of sound and ends after the set
stretch of quiet; nothing said in time is silence; an utterance is cut at its length limit."""

from __future__ import annotations

import numpy as np

from hotline.speech import Endpointer, UtteranceState

FRAME = 160  # 20 ms at 8 kHz


def frames(loud: bool, seconds: float) -> list[np.ndarray]:
    level = 3000 if loud else 20
    t = np.arange(FRAME) / 8000
    frame = (level * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    return [frame] * int(seconds * 50)


def run(ep: Endpointer, *parts: list[np.ndarray]) -> list[UtteranceState]:
    return [ep.feed(f) for part in parts for f in part]


def test_speech_then_quiet_is_done() -> None:
    ep = Endpointer(end_s=0.8)
    states = run(ep, frames(False, 1.0), frames(True, 0.6), frames(False, 0.5))
    assert states[49] is UtteranceState.WAITING
    assert UtteranceState.SPEAKING in states
    assert ep.state is UtteranceState.SPEAKING  # half a second of quiet is a pause
    run(ep, frames(False, 0.4))
    assert ep.state is UtteranceState.DONE


def test_a_click_is_not_speech_and_nothing_said_is_silence() -> None:
    ep = Endpointer(no_speech_s=2.0)
    run(ep, frames(True, 0.04), frames(False, 1.0))
    assert ep.state is UtteranceState.WAITING
    run(ep, frames(False, 1.0))
    assert ep.state is UtteranceState.SILENT


def test_a_long_utterance_is_cut() -> None:
    ep = Endpointer(max_s=3.0)
    run(ep, frames(True, 4.0))
    assert ep.state is UtteranceState.DONE
