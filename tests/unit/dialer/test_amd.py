"""Answering-machine detection on shaped signals: a short word and a wait is a person, a long
greeting or many words is a machine, silence is a person (the costly error is the other way),
and the noise floor is learnt, not assumed."""

from __future__ import annotations

import numpy as np
import pytest

from hotline.amd import AmdSettings, AnsweringMachineDetector, Verdict, detect

RATE = 8000


def voice(seconds: float, level: float = 6000.0) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    # a vowel-like sound: a 150 Hz buzz with harmonics, its loudness wavering
    buzz = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))
    return level * buzz * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)) / 2.3


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(RATE * seconds))


def pcm(*parts: np.ndarray, noise_db: float | None = None) -> np.ndarray:
    audio = np.concatenate(parts)
    if noise_db is not None:
        audio = audio + np.random.default_rng(1).normal(size=audio.size) * 32768 * 10 ** (
            noise_db / 20
        )
    return np.clip(audio, -32768, 32767).astype(np.int16)


def test_a_short_hello_then_a_wait_is_a_person() -> None:
    result = detect(pcm(quiet(0.4), voice(0.5), quiet(2.0)))
    assert result.verdict is Verdict.HUMAN
    assert result.sure
    assert result.words == 1
    # decided once the pause after the word was long enough, not at the end
    assert result.decided_after_s == pytest.approx(0.4 + 0.5 + 0.8, abs=0.1)


def test_a_long_greeting_is_a_machine() -> None:
    result = detect(pcm(quiet(0.3), voice(4.0), quiet(1.0)))
    assert result.verdict is Verdict.MACHINE
    assert result.decided_after_s == pytest.approx(0.3 + 1.6, abs=0.1)


def test_many_words_with_short_gaps_are_a_machine() -> None:
    words = [part for _ in range(5) for part in (voice(0.25), quiet(0.25))]
    result = detect(pcm(quiet(0.2), *words, quiet(1.0)))
    assert result.verdict is Verdict.MACHINE
    assert result.words == 4


def test_silence_is_taken_for_a_person() -> None:
    result = detect(pcm(quiet(5.0)))
    assert result.verdict is Verdict.HUMAN
    assert result.decided_after_s == pytest.approx(3.5, abs=0.03)


def test_the_noise_floor_is_learnt() -> None:
    noisy = pcm(quiet(0.6), voice(0.5), quiet(2.0), noise_db=-40)
    assert detect(noisy).verdict is Verdict.HUMAN
    long = pcm(quiet(0.6), voice(3.0), quiet(1.0), noise_db=-40)
    assert detect(long).verdict is Verdict.MACHINE


def test_settings_move_the_boundary_and_frames_stream() -> None:
    greeting = pcm(quiet(0.2), voice(1.2), quiet(2.0))
    assert detect(greeting).verdict is Verdict.HUMAN
    assert detect(greeting, AmdSettings(max_greeting_s=1.0)).verdict is Verdict.MACHINE
    detector = AnsweringMachineDetector()
    results = [detector.feed(greeting[i : i + 160]) for i in range(0, len(greeting) - 159, 160)]
    decided = [r for r in results if r is not None]
    assert decided
    assert all(r is decided[0] for r in decided)
    with pytest.raises(ValueError):
        detect(greeting, rate=16000)
