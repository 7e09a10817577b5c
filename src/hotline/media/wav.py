"""WAV (RIFF/WAVE) files: read any PCM, float, µ-law or A-law WAV and convert it to the
engine's 8 kHz mono int16; write WAV headers (used by the recorder, which rewrites its header
every second so that a killed process leaves a playable file).

Formats follow the RIFF WAVE spec (Microsoft, 1991) with WAVE_FORMAT_EXTENSIBLE (0xFFFE).
"""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hotline.media.codecs.g711 import ALAW_DECODE, ULAW_DECODE
from hotline.media.errors import PromptError
from hotline.media.resample import resample

__all__ = [
    "FORMAT_ALAW",
    "FORMAT_PCM",
    "FORMAT_ULAW",
    "WavAudio",
    "load_8k_mono",
    "parse_wav",
    "read_wav",
    "to_8k_mono",
    "wav_header",
    "write_wav",
]

Pcm = npt.NDArray[np.int16]
FORMAT_PCM, FORMAT_FLOAT, FORMAT_ALAW, FORMAT_ULAW, FORMAT_EXTENSIBLE = 1, 3, 6, 7, 0xFFFE
ENGINE_RATE = 8000


@dataclasses.dataclass(frozen=True, slots=True)
class WavAudio:
    """Decoded audio as floats in int16 scale, shape (frames, channels)."""

    rate: int
    samples: npt.NDArray[np.float64]

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate


def wav_header(*, channels: int, rate: int, bits: int, data_bytes: int, fmt: int = 1) -> bytes:
    """A canonical 44-byte header (46 with the cbSize word that non-PCM formats carry)."""
    block = channels * bits // 8
    fmt_body = struct.pack("<HHIIHH", fmt, channels, rate, rate * block, block, bits)
    if fmt != FORMAT_PCM:
        fmt_body += b"\0\0"
    riff_size = 4 + (8 + len(fmt_body)) + (8 + data_bytes)
    return (
        b"RIFF" + struct.pack("<I", riff_size) + b"WAVE"
        + b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body
        + b"data" + struct.pack("<I", data_bytes)
    )  # fmt: skip


def parse_wav(data: bytes, *, name: str = "WAV") -> WavAudio:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise PromptError(f"{name} is not a RIFF/WAVE file", details={"file": name})
    fmt: tuple[int, int, int, int] | None = None
    payload: bytes | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8 : pos + 8 + size]
        if chunk_id == b"fmt ":
            if len(body) < 16:
                raise PromptError(f"{name}: fmt chunk too short", details={"file": name})
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
            if tag == FORMAT_EXTENSIBLE and len(body) >= 26:
                tag = struct.unpack_from("<H", body, 24)[0]  # first two bytes of the GUID
            fmt = (tag, channels, rate, bits)
        elif chunk_id == b"data":
            payload = body  # a truncated data chunk (killed writer) still plays up to its end
        pos += 8 + size + (size & 1)
    if fmt is None or payload is None:
        raise PromptError(f"{name} has no fmt or data chunk", details={"file": name})
    tag, channels, rate, bits = fmt
    if channels < 1 or rate < 1:
        raise PromptError(f"{name}: {channels} channels at {rate} Hz", details={"file": name})
    samples = _decode(tag, bits, payload, name)
    frames = len(samples) // channels
    return WavAudio(rate, samples[: frames * channels].reshape(frames, channels))


def _decode(tag: int, bits: int, payload: bytes, name: str) -> npt.NDArray[np.float64]:
    if tag == FORMAT_PCM and bits == 8:
        return (np.frombuffer(payload, np.uint8).astype(np.float64) - 128) * 256
    if tag == FORMAT_PCM and bits == 16:
        return np.frombuffer(payload[: len(payload) // 2 * 2], "<i2").astype(np.float64)
    if tag == FORMAT_PCM and bits == 24:
        raw = np.frombuffer(payload[: len(payload) // 3 * 3], np.uint8).reshape(-1, 3)
        raw = raw.astype(np.int32)
        value = raw[:, 0] | raw[:, 1] << 8 | raw[:, 2] << 16
        value = np.where(value & 0x800000, value - (1 << 24), value)
        return value.astype(np.float64) / 256
    if tag == FORMAT_PCM and bits == 32:
        return np.frombuffer(payload[: len(payload) // 4 * 4], "<i4").astype(np.float64) / 65536
    if tag == FORMAT_FLOAT and bits in (32, 64):
        dtype = "<f4" if bits == 32 else "<f8"
        size = bits // 8
        return (
            np.frombuffer(payload[: len(payload) // size * size], dtype).astype(np.float64) * 32767
        )
    if tag == FORMAT_ULAW and bits == 8:
        return ULAW_DECODE[np.frombuffer(payload, np.uint8)].astype(np.float64)
    if tag == FORMAT_ALAW and bits == 8:
        return ALAW_DECODE[np.frombuffer(payload, np.uint8)].astype(np.float64)
    raise PromptError(
        f"{name}: unsupported WAV encoding (format {tag}, {bits} bits)",
        details={"file": name, "format": tag, "bits": bits},
    )


def read_wav(path: Path) -> WavAudio:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PromptError(
            f"cannot read {path}: {exc.strerror}", details={"file": str(path)}
        ) from exc
    return parse_wav(data, name=str(path))


def to_8k_mono(audio: WavAudio) -> Pcm:
    """Mix down to mono (mean of the channels) and resample to 8 kHz int16."""
    mono = audio.samples.mean(axis=1)
    converted = resample(mono, audio.rate, ENGINE_RATE)
    pcm: Pcm = np.clip(np.rint(converted), -32768, 32767).astype(np.int16)
    return pcm


def load_8k_mono(path: Path) -> Pcm:
    """A WAV file of any rate and channel count as 8 kHz mono int16 (blocking: use an executor)."""
    return to_8k_mono(read_wav(path))


def write_wav(path: Path, samples: Pcm, *, rate: int = ENGINE_RATE) -> None:
    """Write int16 samples, shape (frames,) or (frames, channels), as a PCM WAV."""
    frames = samples if samples.ndim == 2 else samples[:, None]
    data = np.ascontiguousarray(frames, dtype="<i2").tobytes()
    header = wav_header(channels=frames.shape[1], rate=rate, bits=16, data_bytes=len(data))
    path.write_bytes(header + data)
