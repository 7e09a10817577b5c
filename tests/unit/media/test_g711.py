from __future__ import annotations

import warnings

import numpy as np
import pytest

from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec


def _audioop():  # type: ignore[no-untyped-def]
    # audioop is deprecated on 3.11 (and gone in 3.13); it is only the reference here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop

    return audioop


ALL = np.arange(-32768, 32768, dtype=np.int16)


def test_ulaw_matches_the_reference_for_every_16_bit_sample() -> None:
    ref = _audioop()
    assert g711.ulaw_encode(ALL) == ref.lin2ulaw(ALL.tobytes(), 2)
    codes = bytes(range(256))
    assert g711.ulaw_decode(codes).tobytes() == ref.ulaw2lin(codes, 2)


def test_alaw_matches_the_reference_for_every_16_bit_sample() -> None:
    ref = _audioop()
    assert g711.alaw_encode(ALL) == ref.lin2alaw(ALL.tobytes(), 2)
    codes = bytes(range(256))
    assert g711.alaw_decode(codes).tobytes() == ref.alaw2lin(codes, 2)


@pytest.mark.parametrize(
    ("codec", "code", "linear"),
    [
        (Codec.PCMU, 0xFF, 0),
        (Codec.PCMU, 0x80, 32124),
        (Codec.PCMU, 0x00, -32124),
        (Codec.PCMA, 0xD5, 8),
        (Codec.PCMA, 0x55, -8),
        (Codec.PCMA, 0xAA, 32256),
    ],
)
def test_known_code_points(codec: Codec, code: int, linear: int) -> None:
    assert int(g711.decode(codec, bytes((code,)))[0]) == linear


@pytest.mark.parametrize("codec", list(Codec))
def test_decode_then_encode_is_identity_on_codes(codec: Codec) -> None:
    codes = bytes(range(256))
    again = g711.encode(codec, g711.decode(codec, codes))
    # Both zero codes of µ-law (0x7F, 0xFF) decode to 0 and encode back to 0xFF.
    differing = [c for c, d in zip(codes, again, strict=True) if c != d]
    assert differing == ([0x7F] if codec is Codec.PCMU else [])


def test_silence_and_payload_types() -> None:
    assert g711.encode(Codec.PCMU, np.zeros(3, np.int16)) == b"\xff\xff\xff"
    assert g711.encode(Codec.PCMA, np.zeros(3, np.int16)) == b"\xd5\xd5\xd5"
    assert (Codec.PCMU.payload_type, Codec.PCMA.payload_type) == (0, 8)


def test_transcode_table_equals_decode_then_encode() -> None:
    codes = bytes(range(256))
    table = g711.transcode_table(Codec.PCMU, Codec.PCMA)
    assert codes.translate(table) == g711.encode(Codec.PCMA, g711.decode(Codec.PCMU, codes))
