"""G.711 (ITU-T G.711) µ-law and A-law, vectorised with numpy lookup tables.

Encoding indexes a 65,536-entry table with the int16 samples viewed as uint16; decoding indexes
a 256-entry table with the code bytes. Tables are built once at import from the standard's
segment rules (ADR 0021 measures this against `audioop`). One sample is one byte on the wire, so
RTP payload length equals the number of samples.
"""

from __future__ import annotations

import enum

import numpy as np
import numpy.typing as npt

__all__ = [
    "ALAW_SILENCE",
    "ULAW_SILENCE",
    "Codec",
    "alaw_decode",
    "alaw_encode",
    "decode",
    "encode",
    "ulaw_decode",
    "ulaw_encode",
]

Pcm = npt.NDArray[np.int16]

ULAW_SILENCE = 0xFF  # µ-law code of linear 0
ALAW_SILENCE = 0xD5  # A-law code of linear 0 (even bits inverted)


class Codec(enum.StrEnum):
    """The codecs the engine speaks, named as in SDP rtpmap (RFC 3551 §6)."""

    PCMU = "PCMU"
    PCMA = "PCMA"

    @property
    def payload_type(self) -> int:
        """The static payload type (RFC 3551 table 4)."""
        return 0 if self is Codec.PCMU else 8

    @property
    def silence(self) -> int:
        return ULAW_SILENCE if self is Codec.PCMU else ALAW_SILENCE


def _ulaw_encode_table() -> npt.NDArray[np.uint8]:
    # G.711 µ-law on the 14-bit magnitude: bias 33 (0x84 at 16-bit scale), 8 segments.
    linear = np.arange(65536, dtype=np.uint16).view(np.int16).astype(np.int32) >> 2
    sign = np.where(linear < 0, 0x80, 0x00)
    # 8158 + 33 = 8191 is the top of segment 7; larger magnitudes saturate to code 0x7F.
    magnitude = np.minimum(np.abs(linear), 8158) + 33
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 5
    mantissa = (magnitude >> (exponent + 1)) & 0x0F
    code = sign | (exponent << 4) | mantissa
    table: npt.NDArray[np.uint8] = (~code & 0xFF).astype(np.uint8)
    return table


def _ulaw_decode_table() -> npt.NDArray[np.int16]:
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(code & 0x80, -magnitude, magnitude).astype(np.int16)


def _alaw_encode_table() -> npt.NDArray[np.uint8]:
    # G.711 A-law on the 13-bit magnitude: segment 0 is linear, 1..7 logarithmic.
    linear = np.arange(65536, dtype=np.uint16).view(np.int16).astype(np.int32) >> 3
    sign = np.where(linear >= 0, 0x80, 0x00)
    magnitude = np.where(linear >= 0, linear, -linear - 1)
    magnitude = np.minimum(magnitude, 0xFFF)
    segment = np.where(magnitude < 32, 0, np.floor(np.log2(np.maximum(magnitude, 1))) - 4)
    segment = segment.astype(np.int32)
    mantissa = np.where(segment == 0, magnitude >> 1, magnitude >> segment) & 0x0F
    code = sign | (segment << 4) | mantissa
    table: npt.NDArray[np.uint8] = ((code ^ 0x55) & 0xFF).astype(np.uint8)
    return table


def _alaw_decode_table() -> npt.NDArray[np.int16]:
    code = np.arange(256, dtype=np.int32) ^ 0x55
    segment = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = np.where(
        segment == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(segment - 1, 0)
    )
    return np.where(code & 0x80, magnitude, -magnitude).astype(np.int16)


ULAW_ENCODE = _ulaw_encode_table()
ULAW_DECODE = _ulaw_decode_table()
ALAW_ENCODE = _alaw_encode_table()
ALAW_DECODE = _alaw_decode_table()


# `table.take(codes)` is about twice as fast as `table[codes]` (bench/media_g711.py).
def ulaw_encode(samples: Pcm) -> bytes:
    return ULAW_ENCODE.take(samples.view(np.uint16)).tobytes()


def ulaw_decode(payload: bytes) -> Pcm:
    return ULAW_DECODE.take(np.frombuffer(payload, dtype=np.uint8))


def alaw_encode(samples: Pcm) -> bytes:
    return ALAW_ENCODE.take(samples.view(np.uint16)).tobytes()


def alaw_decode(payload: bytes) -> Pcm:
    return ALAW_DECODE.take(np.frombuffer(payload, dtype=np.uint8))


def encode(codec: Codec, samples: Pcm) -> bytes:
    table = ULAW_ENCODE if codec is Codec.PCMU else ALAW_ENCODE
    return table.take(np.ascontiguousarray(samples, dtype=np.int16).view(np.uint16)).tobytes()


def decode(codec: Codec, payload: bytes) -> Pcm:
    table = ULAW_DECODE if codec is Codec.PCMU else ALAW_DECODE
    return table.take(np.frombuffer(payload, dtype=np.uint8))


def transcode_table(source: Codec, target: Codec) -> bytes:
    """A 256-byte table mapping codes of `source` to codes of `target` (for bytes.translate)."""
    table = ULAW_ENCODE if target is Codec.PCMU else ALAW_ENCODE
    decoded = ULAW_DECODE if source is Codec.PCMU else ALAW_DECODE
    return table[decoded.view(np.uint16)].tobytes()
