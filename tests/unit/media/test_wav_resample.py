from __future__ import annotations

import contextlib
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.media.codecs import g711
from hotline.media.errors import PromptError
from hotline.media.resample import resample
from hotline.media.wav import (
    FORMAT_ULAW,
    load_8k_mono,
    parse_wav,
    read_wav,
    wav_header,
    write_wav,
)

RAMP = (np.arange(-2000, 2000, 7) * 8).astype(np.int16)


def _wav(fmt: int, bits: int, data: bytes, channels: int = 1, rate: int = 8000) -> bytes:
    return wav_header(channels=channels, rate=rate, bits=bits, data_bytes=len(data), fmt=fmt) + data


def test_pcm16_round_trip(tmp_path: Path) -> None:
    write_wav(tmp_path / "a.wav", RAMP)
    audio = read_wav(tmp_path / "a.wav")
    assert (audio.rate, audio.channels) == (8000, 1)
    assert np.array_equal(audio.samples[:, 0], RAMP)
    assert np.array_equal(load_8k_mono(tmp_path / "a.wav"), RAMP)


@pytest.mark.parametrize(
    ("fmt", "bits", "encode"),
    [
        (1, 8, lambda x: ((x.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes()),
        (1, 24, lambda x: b"".join(struct.pack("<i", int(v) << 8)[:3] for v in x)),
        (1, 32, lambda x: (x.astype("<i4") << 16).tobytes()),
        (3, 32, lambda x: (x / 32767).astype("<f4").tobytes()),
        (3, 64, lambda x: (x / 32767).astype("<f8").tobytes()),
        (7, 8, lambda x: g711.ulaw_encode(x)),
        (6, 8, lambda x: g711.alaw_encode(x)),
    ],
)
def test_every_encoding_decodes_close_to_the_source(fmt, bits, encode) -> None:  # type: ignore[no-untyped-def]
    audio = parse_wav(_wav(fmt, bits, encode(RAMP)))
    tolerance = {8: 600, 24: 1, 32: 1, 64: 1}[bits]
    assert np.abs(audio.samples[:, 0] - RAMP).max() <= tolerance


def test_extensible_stereo_44k1_is_mixed_and_resampled() -> None:
    t = np.arange(44100) / 44100
    left = (8000 * np.sin(2 * np.pi * 1000 * t)).astype("<i2")
    frames = np.stack([left, left], axis=1).tobytes()
    fmt_body = struct.pack("<HHIIHH", 0xFFFE, 2, 44100, 44100 * 4, 4, 16)
    fmt_body += struct.pack("<HHI", 22, 16, 3) + struct.pack("<H", 1) + bytes(14)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body
    body += b"LIST" + struct.pack("<I", 3) + b"abc\0"  # an odd chunk, padded
    body += b"data" + struct.pack("<I", len(frames)) + frames
    audio = parse_wav(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert (audio.rate, audio.channels) == (44100, 2)
    mono = resample(audio.samples.mean(axis=1), 44100, 8000)
    assert len(mono) == 8000
    assert np.sqrt(np.mean(mono[100:-100] ** 2)) == pytest.approx(8000 / np.sqrt(2), rel=0.01)


def test_truncated_data_chunk_plays_what_is_there() -> None:
    data = _wav(1, 16, RAMP.astype("<i2").tobytes())
    audio = parse_wav(data[:-101])  # header still claims the full length
    assert len(audio.samples) == len(RAMP) - 51


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"not a wav", "not a RIFF/WAVE"),
        (b"RIFF\x04\x00\x00\x00WAVE", "no fmt or data"),
        (_wav(2, 4, b"\x00" * 10), "unsupported WAV encoding"),
        (_wav(FORMAT_ULAW, 8, b"\x00", channels=0), "0 channels"),
    ],
)
def test_bad_files_raise_prompt_error(data: bytes, why: str) -> None:
    with pytest.raises(PromptError, match=why) as info:
        parse_wav(data)
    assert info.value.code == "media.prompt.invalid"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="cannot read"):
        read_wav(tmp_path / "none.wav")


@pytest.mark.parametrize("rate", [11025, 16000, 22050, 44100, 48000])
def test_resample_keeps_the_passband_and_removes_aliases(rate: int) -> None:
    t = np.arange(rate) / rate
    passband = resample(1000 * np.sin(2 * np.pi * 1000 * t), rate, 8000)[200:-200]
    assert np.sqrt(np.mean(passband**2)) == pytest.approx(1000 / np.sqrt(2), rel=0.01)
    spectrum = np.abs(np.fft.rfft(passband))
    assert abs(np.argmax(spectrum) * 8000 / len(passband) - 1000) < 2
    if rate > 10000:
        alias = resample(1000 * np.sin(2 * np.pi * 5000 * t), rate, 8000)[200:-200]
        assert np.sqrt(np.mean(alias**2)) < 1.0  # would fold to 3 kHz without the filter


def test_resample_upsamples_and_rejects_bad_rates() -> None:
    up = resample(np.ones(800), 8000, 16000)
    assert len(up) == 1600
    assert resample(np.ones(10), 8000, 8000).tolist() == [1.0] * 10
    with pytest.raises(ValueError, match="positive"):
        resample(np.ones(10), 0, 8000)


@given(st.binary(max_size=200))
def test_the_wav_parser_raises_only_prompt_error(data: bytes) -> None:
    with contextlib.suppress(PromptError):
        parse_wav(b"RIFF\x00\x00\x00\x00WAVE" + data)
    with contextlib.suppress(PromptError):
        parse_wav(data)
