"""In-band DTMF against ITU-T Q.24 operate / non-operate limits, and talk-off on speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from hotline.media.dtmf import DtmfSource
from hotline.media.dtmf_inband import DetectorSettings, InbandDtmfDetector, feed_all
from hotline.media.tones import amplitude_of_dbm0, dtmf_tone
from hotline.media.wav import load_8k_mono

DIGITS = "0123456789*#ABCD"
SPEECH = Path(__file__).parents[2] / "data" / "media" / "speech_zh_en.wav"


def detect(signal: npt.NDArray[np.int16]) -> list[str]:
    detector = InbandDtmfDetector()
    found = []
    for start in range(0, len(signal), 160):
        found += detector.feed(signal[start : start + 160])
    found += detector.flush()
    assert all(d.source is DtmfSource.INBAND for d in found)
    return [d.digit for d in found]


def framed(*parts: npt.NDArray[np.int16], snr_db: float | None = None, level: float = -10.0,
           seed: int = 0) -> npt.NDArray[np.int16]:  # fmt: skip
    """Silence, the parts, silence; plus white noise `snr_db` below the tone pair's power."""
    signal = np.concatenate([np.zeros(333), *parts, np.zeros(900)]).astype(np.float64)
    if snr_db is not None:
        pair_rms = amplitude_of_dbm0(level)  # two tones of rms A/sqrt(2) each
        rng = np.random.default_rng(seed)
        signal += rng.normal(0.0, pair_rms * 10 ** (-snr_db / 20), len(signal))
    return np.clip(signal, -32768, 32767).astype(np.int16)


def test_all_16_digits_at_nominal_level() -> None:
    for digit in DIGITS:
        assert detect(framed(dtmf_tone(digit, 40))) == [digit]


# Operate cases (Q.24 / ANSI T1.401 limits), each with white noise 15 dB below the tone pair.
OPERATE = {
    "40 ms at -10 dBm0": {"duration_ms": 40},
    "weakest level -25 dBm0": {"level_dbm0": -25.0},
    "loudest level 0 dBm0": {"level_dbm0": 0.0},
    "frequency +1.5 %": {"frequency_error": 0.015},
    "frequency -1.5 %": {"frequency_error": -0.015},
    "forward twist 4 dB": {"twist_db": 4.0},
    "reverse twist 8 dB": {"twist_db": -8.0},
}


@pytest.mark.parametrize("case", OPERATE)
def test_operates_on_all_16_digits_at_q24_limits_with_noise(case: str) -> None:
    params: dict[str, float] = {"duration_ms": 60.0, "level_dbm0": -10.0} | OPERATE[case]
    level = params["level_dbm0"]
    duration = params.pop("duration_ms")
    for i, digit in enumerate(DIGITS):
        tone = dtmf_tone(digit, duration, **params)
        assert detect(framed(tone, snr_db=15, level=level, seed=i)) == [digit], (case, digit)


def test_operates_with_noise_12_db_below_the_tones() -> None:
    for i, digit in enumerate(DIGITS):
        tone = dtmf_tone(digit, 50, level_dbm0=-20)
        assert detect(framed(tone, snr_db=12, level=-20, seed=100 + i)) == [digit]


REJECT = {
    "too short 20 ms": {"duration_ms": 20.0},
    "too short 23 ms": {"duration_ms": 23.0},
    "off frequency +3.5 %": {"frequency_error": 0.035},
    "off frequency -3.5 %": {"frequency_error": -0.035},
    "off frequency +6 %": {"frequency_error": 0.06},
    "forward twist 8 dB": {"twist_db": 8.0},
    "reverse twist 12 dB": {"twist_db": -12.0},
    "too weak -40 dBm0": {"level_dbm0": -40.0},
}


@pytest.mark.parametrize("case", REJECT)
def test_rejects_q24_non_operate_cases(case: str) -> None:
    params: dict[str, float] = {"duration_ms": 60.0} | REJECT[case]
    duration = params.pop("duration_ms")
    for digit in DIGITS:
        assert detect(framed(dtmf_tone(digit, duration, **params))) == [], (case, digit)


def test_a_40_ms_pause_separates_two_equal_digits() -> None:
    tone = dtmf_tone("5", 50)
    assert detect(framed(tone, np.zeros(320, np.int16), tone)) == ["5", "5"]


def test_a_10_ms_drop_out_does_not_split_a_digit() -> None:
    tone = dtmf_tone("9", 60)
    assert detect(framed(tone, np.zeros(80, np.int16), tone)) == ["9"]


def test_reported_duration_is_close_to_the_tone() -> None:
    detector = InbandDtmfDetector()
    digits = detector.feed(framed(dtmf_tone("1", 100))) + detector.flush()
    assert len(digits) == 1
    assert 85 <= digits[0].duration_ms <= 115


def test_no_digit_in_six_minutes_of_zh_and_en_speech() -> None:
    samples = load_8k_mono(SPEECH)
    assert len(samples) >= 300 * 8000
    detector = InbandDtmfDetector()
    found = []
    for start in range(0, len(samples), 160):
        found += detector.feed(samples[start : start + 160])
    assert found + detector.flush() == []


def test_many_streams_fed_together_find_what_each_finds_alone() -> None:
    """The media tick classifies every listening call's windows at once (issue 14): the same
    digits, durations and timing as one detector per stream, whatever the chunk sizes."""
    signals = [framed(dtmf_tone(d, 60), np.zeros(400, np.int16), dtmf_tone(d, 45)) for d in "05#"]
    signals.append(framed(np.zeros(800, np.int16), snr_db=0.0))  # noise only
    signals.append(framed(dtmf_tone("7", 50)))  # its own settings: classified in its own group
    settings = [None, None, None, None, DetectorSettings(min_hits=3)]
    alone = []
    for signal, setting in zip(signals, settings, strict=True):
        detector = InbandDtmfDetector(setting)
        found = []
        for start in range(0, len(signal), 160):
            found += detector.feed(signal[start : start + 160])
        alone.append(found + detector.flush())
    together: list[list[object]] = [[] for _ in signals]
    detectors = [InbandDtmfDetector(s) for s in settings]
    chunk = [160, 80, 160, 240, 320]
    longest = max(len(s) for s in signals)
    for at in range(0, longest, 80):
        feeds, who = [], []
        for i, signal in enumerate(signals):
            if at % chunk[i] == 0 and at < len(signal):
                feeds.append((detectors[i], signal[at : at + chunk[i]]))
                who.append(i)
        for i, digits in zip(who, feed_all(feeds), strict=True):
            together[i] += digits
    for i, detector in enumerate(detectors):
        together[i] += detector.flush()
    assert together == alone
    assert [[d.digit for d in found] for found in alone] == [
        ["0", "0"],
        ["5", "5"],
        ["#", "#"],
        [],
        ["7"],
    ]
