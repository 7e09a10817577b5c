"""Sealed files: recordings encrypted at rest with AES-256-GCM, written as they are recorded.

The recorder appends audio and rewrites the WAV header's sizes every second, so a killed
process still leaves a playable file. A sealed file keeps that property by being a log of
encrypted writes: each flush appends records `(plaintext offset, length, nonce, ciphertext+tag)`
after a header naming the key; reading replays them (a later write wins where they overlap).
A record cut short by a crash is ignored; a record whose tag does not verify is an error (the
file was changed). Every record's nonce is random (96 bits) and its associated data binds it to
the file's header and its own offset, so records cannot be moved within or between files.

Layout: MAGIC (8) | version (1) | key id length (1) | key id | file id (16)
        then records: offset (u64) | length (u32) | nonce (12) | ciphertext (length + 16)
"""

from __future__ import annotations

import bisect
import io
import os
import struct
from collections.abc import Callable
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hotline.vault.errors import SealedFileDamaged

__all__ = ["MAGIC", "SealedReader", "SealedWriter", "is_sealed"]

MAGIC = b"HLSEAL\x00\x01"
VERSION = 1
_RECORD = struct.Struct(">QI12s")
_TAG = 16
_MAX_RECORD = 1 << 20  # plaintext bytes per record; a flush larger than this is split


def is_sealed(head: bytes) -> bool:
    return head.startswith(MAGIC)


def _header(key_id: str, file_id: bytes) -> bytes:
    kid = key_id.encode()
    return MAGIC + bytes([VERSION, len(kid)]) + kid + file_id


class SealedWriter(io.RawIOBase):
    """A write-only, seekable file whose bytes reach `raw` only as sealed records (on flush)."""

    def __init__(self, raw: BinaryIO, *, key: bytes, key_id: str) -> None:
        super().__init__()
        self._raw = raw
        self._aead = AESGCM(key)
        self._header = _header(key_id, os.urandom(16))
        raw.write(self._header)
        self._pos = 0
        self._size = 0
        self._pending: list[tuple[int, bytearray]] = []

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = bytes(data)
        if not chunk:
            return 0
        start = self._pos
        # Only the newest pending write may absorb this one: replay order must stay the
        # order of writing, or an older overlapping write could win.
        at, buffer = self._pending[-1] if self._pending else (-1, bytearray())
        if at >= 0 and at <= start and start + len(chunk) <= at + len(buffer):
            buffer[start - at : start - at + len(chunk)] = chunk
        elif at >= 0 and at + len(buffer) == start and len(buffer) < _MAX_RECORD:
            buffer.extend(chunk)
        else:
            self._pending.append((start, bytearray(chunk)))
        self._pos = start + len(chunk)
        self._size = max(self._size, self._pos)
        return len(chunk)

    def flush(self) -> None:
        if self.closed or self._raw.closed:
            return
        for at, buffer in self._pending:
            for part in range(0, len(buffer), _MAX_RECORD):
                plain = bytes(buffer[part : part + _MAX_RECORD])
                self._raw.write(self._seal(at + part, plain))
        self._pending = []
        self._raw.flush()

    def _seal(self, offset: int, plain: bytes) -> bytes:
        nonce = os.urandom(12)
        head = _RECORD.pack(offset, len(plain), nonce)
        return head + self._aead.encrypt(nonce, plain, self._header + head[:12])

    def close(self) -> None:
        if self.closed:
            return
        try:
            self.flush()
        finally:
            self._raw.close()
            super().close()


class SealedReader(io.RawIOBase):
    """A read-only, seekable view of a sealed file's plaintext."""

    def __init__(self, raw: BinaryIO, key_for: Callable[[str], bytes]) -> None:
        super().__init__()
        self._raw = raw
        head = raw.read(len(MAGIC) + 2)
        if not is_sealed(head) or len(head) < len(MAGIC) + 2 or head[len(MAGIC)] != VERSION:
            raise SealedFileDamaged("not a sealed file of a known version")
        kid = raw.read(head[-1])
        file_id = raw.read(16)
        self._header = head + kid + file_id
        self.key_id = kid.decode()
        self._aead = AESGCM(key_for(self.key_id))
        # (plaintext start, end, record file position, record plaintext start), sorted, disjoint
        self._starts: list[int] = []
        self._segments: list[tuple[int, int, int, int]] = []
        self.size = 0
        self._index(len(self._header))
        self._pos = 0
        self._cache: tuple[int, bytes] | None = None

    def _index(self, position: int) -> None:
        end_of_file = self._raw.seek(0, io.SEEK_END)
        while position + _RECORD.size <= end_of_file:
            self._raw.seek(position)
            offset, length, _ = _RECORD.unpack(self._raw.read(_RECORD.size))
            if position + _RECORD.size + length + _TAG > end_of_file:
                break  # the last record was cut short (the process died mid-write)
            self._place(offset, offset + length, position, offset)
            self.size = max(self.size, offset + length)
            position += _RECORD.size + length + _TAG

    def _place(self, start: int, end: int, record: int, record_start: int) -> None:
        """Put [start, end) on top of what is there (later records win)."""
        i = bisect.bisect_left(self._starts, start)
        if i > 0 and self._segments[i - 1][1] > start:
            i -= 1
        kept: list[tuple[int, int, int, int]] = []
        j = i
        while j < len(self._segments) and self._segments[j][0] < end:
            s, e, rec, rs = self._segments[j]
            if s < start:
                kept.append((s, start, rec, rs))
            if e > end:
                kept.append((end, e, rec, rs))
            j += 1
        new = sorted([*kept, (start, end, record, record_start)])
        self._segments[i:j] = new
        self._starts[i:j] = [s for s, _, _, _ in new]

    def _record(self, position: int) -> bytes:
        if self._cache is not None and self._cache[0] == position:
            return self._cache[1]
        self._raw.seek(position)
        head = self._raw.read(_RECORD.size)
        _, length, nonce = _RECORD.unpack(head)
        sealed = self._raw.read(length + _TAG)
        try:
            plain = self._aead.decrypt(nonce, sealed, self._header + head[:12])
        except InvalidTag:
            raise SealedFileDamaged(
                f"a record at byte {position} does not verify: the file was changed"
            ) from None
        self._cache = (position, plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self.size - self._pos)
        if want <= 0:
            return 0
        out = memoryview(buffer)
        done = 0
        i = max(0, bisect.bisect_right(self._starts, self._pos) - 1)
        while done < want:
            at = self._pos + done
            if i < len(self._segments) and self._segments[i][1] <= at:
                i += 1
                continue
            if i >= len(self._segments) or self._segments[i][0] > at:
                # Never written (cannot happen with the recorder): zeros up to the next segment.
                stop = self._segments[i][0] if i < len(self._segments) else self.size
                n = min(want - done, stop - at)
                out[done : done + n] = bytes(n)
                done += n
                continue
            _, end, record, record_start = self._segments[i]
            plain = self._record(record)
            n = min(want - done, end - at)
            out[done : done + n] = plain[at - record_start : at - record_start + n]
            done += n
        self._pos += done
        return done

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()
