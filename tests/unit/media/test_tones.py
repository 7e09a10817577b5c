from __future__ import annotations

import numpy as np
import pytest

from hotline.media.tones import (
    BEEP,
    CN_BUSY,
    CN_RINGBACK,
    ToneGenerator,
    ToneSpec,
    amplitude_of_dbm0,
    dtmf_tone,
    render,
)


def _on(signal: np.ndarray, start_s: float, end_s: float) -> bool:
    part = signal[int(start_s * 8000) : int(end_s * 8000)].astype(float)
    return bool(np.sqrt(np.mean(part**2)) > 100)


def test_china_ringback_is_450_hz_one_second_on_four_off() -> None:
    signal = render(CN_RINGBACK, 10.0)
    assert _on(signal, 0.05, 0.95)
    assert not _on(signal, 1.05, 4.95)
    assert _on(signal, 5.05, 5.95)
    spectrum = np.abs(np.fft.rfft(signal[:8000]))
    assert np.argmax(spectrum) == 450  # 1 Hz bins over one second


def test_busy_cadence_and_frames_continue_phase() -> None:
    generator = ToneGenerator(CN_BUSY)
    frames = [generator.next_frame() for _ in range(50)]
    signal = np.concatenate([f for f in frames if f is not None])
    assert np.array_equal(signal, render(CN_BUSY, 1.0))
    assert _on(signal, 0.0, 0.34)
    assert not _on(signal, 0.36, 0.69)


def test_beep_ends() -> None:
    generator = ToneGenerator(BEEP)
    frames = []
    while (frame := generator.next_frame()) is not None:
        frames.append(frame)
    assert len(frames) == 13  # 250 ms in 20 ms frames, the last one partly silent


def test_dtmf_tone_level_and_twist() -> None:
    tone = dtmf_tone("1", 1000, level_dbm0=-10, twist_db=4).astype(float)
    spectrum = np.abs(np.fft.rfft(tone)) / 4000  # amplitude per 1 Hz bin
    low, high = spectrum[697], spectrum[1209]
    assert 20 * np.log10(high / low) == pytest.approx(4.0, abs=0.05)
    assert low == pytest.approx(amplitude_of_dbm0(-12), rel=0.01)


def test_invalid_cadence() -> None:
    with pytest.raises(ValueError, match="on/off pairs"):
        ToneSpec("x", (400.0,), (1.0,))
