"""Bencode, as rtpengine's ng control protocol speaks it (BEP 3, "bencoding").

Strings are bytes on the wire; `encode` also takes `str` (UTF-8). rtpengine writes its
replies' dictionary keys in the order it built them, not sorted as BEP 3 asks, so `decode`
accepts any key order (the strict decoders on PyPI reject its replies, ADR 0226); `encode`
sorts keys as the spec says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hotline.errors import InvalidInput

__all__ = ["Bencodable", "BencodeError", "Decoded", "decode", "encode"]

Bencodable = (
    int | bytes | str | Sequence["Bencodable"] | Mapping[str, "Bencodable"]
    | Mapping[bytes, "Bencodable"]
)  # fmt: skip
Decoded = int | bytes | list["Decoded"] | dict[bytes, "Decoded"]

_MAX_DEPTH = 64  # a reply nests a few levels; a deeper one is not rtpengine's


class BencodeError(InvalidInput):
    """Bytes that are not one bencoded value, or a value bencoding cannot carry."""

    code = "media.rtpengine.bencode"


def encode(value: Bencodable) -> bytes:
    out: list[bytes] = []
    _encode(value, out, 0)
    return b"".join(out)


def _encode(value: Bencodable, out: list[bytes], depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise BencodeError("value nests too deeply to bencode")
    if isinstance(value, bool):
        raise BencodeError("bencoding has no booleans: send an int or a flag string")
    if isinstance(value, int):
        out.append(b"i%de" % value)
    elif isinstance(value, str):
        _encode(value.encode("utf-8"), out, depth)
    elif isinstance(value, bytes | bytearray):
        out.append(b"%d:" % len(value))
        out.append(bytes(value))
    elif isinstance(value, Mapping):
        items = sorted(
            (key.encode("utf-8") if isinstance(key, str) else bytes(key), item)
            for key, item in value.items()
        )
        if len({key for key, _ in items}) != len(items):
            raise BencodeError("a dictionary has the same key as str and as bytes")
        out.append(b"d")
        for key, item in items:
            _encode(key, out, depth + 1)
            _encode(item, out, depth + 1)
        out.append(b"e")
    elif isinstance(value, Sequence):
        out.append(b"l")
        for item in value:
            _encode(item, out, depth + 1)
        out.append(b"e")
    else:
        raise BencodeError(f"cannot bencode a {type(value).__name__}")


def decode(data: bytes) -> Decoded:
    """The one value `data` holds; `BencodeError` when it holds less, more or no value."""
    value, end = _decode(memoryview(data), 0, 0)
    if end != len(data):
        raise BencodeError(f"{len(data) - end} bytes after the bencoded value")
    return value


def _decode(data: memoryview, pos: int, depth: int) -> tuple[Decoded, int]:
    if depth > _MAX_DEPTH:
        raise BencodeError("bencoded value nests too deeply")
    if pos >= len(data):
        raise BencodeError("bencoded value ends early")
    lead = data[pos]
    if lead == ord("i"):
        end = _find(data, b"e", pos + 1)
        return _integer(bytes(data[pos + 1 : end])), end + 1
    if lead == ord("l"):
        items: list[Decoded] = []
        pos += 1
        while _peek(data, pos) != ord("e"):
            item, pos = _decode(data, pos, depth + 1)
            items.append(item)
        return items, pos + 1
    if lead == ord("d"):
        mapping: dict[bytes, Decoded] = {}
        pos += 1
        while _peek(data, pos) != ord("e"):
            key, pos = _decode(data, pos, depth + 1)
            if not isinstance(key, bytes):
                raise BencodeError("a bencoded dictionary key is not a string")
            if key in mapping:
                raise BencodeError(f"bencoded dictionary repeats the key {key!r}")
            mapping[key], pos = _decode(data, pos, depth + 1)
        return mapping, pos + 1
    if ord("0") <= lead <= ord("9"):
        colon = _find(data, b":", pos)
        length = _integer(bytes(data[pos:colon]))
        if length < 0:
            raise BencodeError("negative bencoded string length")
        start, end = colon + 1, colon + 1 + length
        if end > len(data):
            raise BencodeError("bencoded string runs past the end")
        return bytes(data[start:end]), end
    raise BencodeError(f"unexpected byte {bytes([lead])!r} at {pos}")


def _peek(data: memoryview, pos: int) -> int:
    if pos >= len(data):
        raise BencodeError("bencoded list or dictionary is not closed")
    return data[pos]


def _find(data: memoryview, mark: bytes, pos: int) -> int:
    found = bytes(data[pos:]).find(mark)
    if found < 0:
        raise BencodeError(f"bencoded value has no closing {mark!r}")
    return pos + found


def _integer(digits: bytes) -> int:
    # BEP 3: no leading zeros, no "-0"; rtpengine writes plain decimals.
    if not digits or (digits != b"0" and digits.lstrip(b"-").startswith(b"0")):
        raise BencodeError(f"invalid bencoded integer {digits!r}")
    if digits == b"-0" or not digits.lstrip(b"-").isdigit() or digits.count(b"-") > 1:
        raise BencodeError(f"invalid bencoded integer {digits!r}")
    return int(digits)
