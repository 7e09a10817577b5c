"""SMS text encoding and concatenation (3GPP TS 23.038 §6.2.1 GSM-7, §5 UCS-2; TS 23.040
§9.2.3.24.1 concatenated short messages): which alphabet a text needs, how many parts it
takes, the parts' bytes with their user data header, and the parts joined back into text.

GSM-7 is carried unpacked, one septet per octet, as SMPP's default alphabet (data_coding 0)
does; UCS-2 is UTF-16BE (data_coding 8), and a surrogate pair is never cut between parts.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from hotline.channels.sms.errors import SmsEncodingError

__all__ = [
    "DATA_CODING_GSM7",
    "DATA_CODING_UCS2",
    "ESM_UDHI",
    "Encoding",
    "Part",
    "Split",
    "choose_encoding",
    "decode",
    "join_parts",
    "parse_udh",
    "split",
]

DATA_CODING_GSM7 = 0x00  # SMSC default alphabet
DATA_CODING_UCS2 = 0x08
ESM_UDHI = 0x40  # esm_class bit: short_message starts with a user data header

# TS 23.038 §6.2.1: the default alphabet, position = septet value.
_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_ESCAPE = 0x1B
# §6.2.1.1: the extension table, reached by the escape septet.
_EXTENSION = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D,
              "]": 0x3E, "|": 0x40, "€": 0x65}  # fmt: skip
_TO_SEPTET = {ch: i for i, ch in enumerate(_BASIC) if i != _ESCAPE}
_FROM_SEPTET = dict(enumerate(_BASIC))
_FROM_EXTENSION = {v: k for k, v in _EXTENSION.items()}

# Octets of user data in one short message, and what a concatenation header leaves.
_GSM7_SINGLE, _GSM7_PART = 160, 153
_UCS2_SINGLE, _UCS2_PART = 140, 134
_IEI_CONCAT_8 = 0x00
_IEI_CONCAT_16 = 0x08
MAX_PARTS = 255


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"

    @property
    def data_coding(self) -> int:
        return DATA_CODING_GSM7 if self is Encoding.GSM7 else DATA_CODING_UCS2


@dataclass(frozen=True, slots=True)
class Part:
    """One short message: `udh` is empty for a single-part text."""

    udh: bytes
    payload: bytes

    @property
    def short_message(self) -> bytes:
        return self.udh + self.payload

    @property
    def esm_class(self) -> int:
        return ESM_UDHI if self.udh else 0


@dataclass(frozen=True, slots=True)
class Split:
    encoding: Encoding
    parts: tuple[Part, ...]

    @property
    def data_coding(self) -> int:
        return self.encoding.data_coding


def choose_encoding(text: str) -> Encoding:
    """GSM-7 when every character is in the default alphabet or its extension, else UCS-2."""
    for ch in text:
        if ch not in _TO_SEPTET and ch not in _EXTENSION:
            return Encoding.UCS2
    return Encoding.GSM7


def _gsm7_units(text: str) -> list[bytes]:
    """Each character's septets (two for the extension table), kept together."""
    return [
        bytes((_ESCAPE, _EXTENSION[ch])) if ch in _EXTENSION else bytes((_TO_SEPTET[ch],))
        for ch in text
    ]


def _ucs2_units(text: str) -> list[bytes]:
    """Each character's UTF-16BE code units (a surrogate pair stays one unit)."""
    return [ch.encode("utf-16-be") for ch in text]


def split(text: str, *, reference: int) -> Split:
    """The parts of `text`; `reference` (0–255) ties the parts of one message together."""
    if not text:
        raise SmsEncodingError("sms.text.empty", "the text is empty")
    if not 0 <= reference <= 255:
        raise SmsEncodingError("sms.reference.range", "the reference must be 0–255")
    encoding = choose_encoding(text)
    if encoding is Encoding.GSM7:
        units, single, per_part = _gsm7_units(text), _GSM7_SINGLE, _GSM7_PART
    else:
        units, single, per_part = _ucs2_units(text), _UCS2_SINGLE, _UCS2_PART
    if sum(len(u) for u in units) <= single:
        return Split(encoding, (Part(b"", b"".join(units)),))
    chunks: list[bytes] = []
    current = bytearray()
    for unit in units:
        if len(current) + len(unit) > per_part:
            chunks.append(bytes(current))
            current = bytearray()
        current += unit
    chunks.append(bytes(current))
    if len(chunks) > MAX_PARTS:
        raise SmsEncodingError("sms.text.too_long", f"the text needs more than {MAX_PARTS} parts")
    total = len(chunks)
    parts = tuple(
        Part(bytes((5, _IEI_CONCAT_8, 3, reference, total, i + 1)), chunk)
        for i, chunk in enumerate(chunks)
    )
    return Split(encoding, parts)


@dataclass(frozen=True, slots=True)
class Concat:
    """A part's place in a concatenated message, from its user data header."""

    reference: int
    total: int
    number: int


def parse_udh(short_message: bytes) -> tuple[Concat | None, bytes]:
    """The concatenation element of the header (if any) and the payload after the header."""
    if not short_message:
        raise SmsEncodingError("sms.udh.empty", "the message has no user data header")
    length = short_message[0]
    if length + 1 > len(short_message):
        raise SmsEncodingError("sms.udh.length", "the user data header is longer than the message")
    header, payload = short_message[1 : length + 1], short_message[length + 1 :]
    concat: Concat | None = None
    i = 0
    while i + 2 <= len(header):
        iei, size = header[i], header[i + 1]
        value = header[i + 2 : i + 2 + size]
        if len(value) != size:
            raise SmsEncodingError("sms.udh.element", "a header element is cut short")
        if iei == _IEI_CONCAT_8 and size == 3:
            concat = Concat(value[0], value[1], value[2])
        elif iei == _IEI_CONCAT_16 and size == 4:
            concat = Concat((value[0] << 8) | value[1], value[2], value[3])
        i += 2 + size
    if concat is not None and not (1 <= concat.number <= concat.total):
        raise SmsEncodingError("sms.udh.number", "a part number is outside its message")
    return concat, payload


def decode(payload: bytes, data_coding: int) -> str:
    """Text of a payload: GSM-7 unpacked (0 or 1), Latin-1 (3), UCS-2 (8)."""
    coding = data_coding & 0x0F if data_coding & 0xF0 == 0xF0 else data_coding
    if coding == DATA_CODING_UCS2:
        if len(payload) % 2:
            raise SmsEncodingError("sms.ucs2.odd", "a UCS-2 text has an odd number of octets")
        return payload.decode("utf-16-be", errors="replace")
    if coding == 0x03:
        return payload.decode("latin-1")
    if coding in (0x00, 0x01, 0x04):
        out: list[str] = []
        escaped = False
        for septet in payload:
            if escaped:
                out.append(_FROM_EXTENSION.get(septet, " "))
                escaped = False
            elif septet == _ESCAPE:
                escaped = True
            else:
                out.append(_FROM_SEPTET.get(septet & 0x7F, "?"))
        return "".join(out)
    raise SmsEncodingError("sms.data_coding.unknown", f"data coding {data_coding} is not text")


def join_parts(payloads: Sequence[bytes], data_coding: int) -> str:
    """The text of a concatenated message from its parts' payloads in order. The bytes are
    joined before decoding, so a character whose units were cut between parts survives."""
    return decode(b"".join(payloads), data_coding)
