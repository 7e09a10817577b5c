"""Recording storage that seals what it writes (`recording.encrypt = true`): the same keys and
layout as `FileRecordingStorage`, files sealed with their tenant's current key. Reading opens
sealed and plain files alike, so turning encryption on needs no migration of older recordings.
ADR 0114."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from hotline.media.storage import FileRecordingStorage, RecordingStorage
from hotline.vault.errors import KeyMissing
from hotline.vault.keyring import Keyring
from hotline.vault.sealed import MAGIC, SealedReader, SealedWriter, is_sealed

__all__ = ["SealedRecordingStorage", "open_plain", "plain_size", "recording_storage"]


def _tenant(key: str) -> str:
    return key.split("/", 1)[0]


class SealedRecordingStorage:
    def __init__(self, inner: FileRecordingStorage, keyring: Keyring) -> None:
        self.inner = inner
        self.keyring = keyring

    @property
    def root(self) -> Path:
        return self.inner.root

    def path(self, key: str) -> Path:
        return self.inner.path(key)

    def create(self, key: str) -> tuple[str, BinaryIO]:
        used, raw = self.inner.create(key)
        kid, secret = self.keyring.current(_tenant(used))
        return used, cast(BinaryIO, SealedWriter(raw, key=secret, key_id=kid))

    def open_read(self, key: str) -> BinaryIO:
        return open_plain(self.inner.open_read(key), self.keyring, _tenant(key))

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def recordings(self, tenant_id: str) -> Iterator[tuple[str, float]]:
        return self.inner.recordings(tenant_id)

    def tenants(self) -> list[str]:
        return self.inner.tenants()


def open_plain(raw: BinaryIO, keyring: Keyring | None, tenant: str) -> BinaryIO:
    """The plaintext of a stored recording, sealed or not."""
    head = raw.read(len(MAGIC))
    raw.seek(0)
    if not is_sealed(head):
        return raw
    if keyring is None:
        raw.close()
        raise KeyMissing("this recording is sealed and no keyring is configured")
    return cast(BinaryIO, SealedReader(raw, lambda kid: keyring.get(tenant, kid)))


def plain_size(file: BinaryIO) -> int:
    """Bytes of plaintext `file` holds (what a download sends)."""
    if isinstance(file, SealedReader):
        return file.size
    here = file.tell()
    size = file.seek(0, 2)
    file.seek(here)
    return size


def recording_storage(directory: Path, *, encrypt: bool, key_dir: Path) -> RecordingStorage:
    """The storage `Settings.recording` asks for: sealed with per-tenant keys, or plain files
    (which still read sealed files when a keyring exists, e.g. after encryption was turned off)."""
    inner = FileRecordingStorage(directory)
    keyring = Keyring(key_dir)
    if encrypt:
        return SealedRecordingStorage(inner, keyring)
    return _ReadsSealed(inner, keyring)


class _ReadsSealed(FileRecordingStorage):
    """Plain files for new recordings; sealed ones from before still open."""

    def __init__(self, inner: FileRecordingStorage, keyring: Keyring) -> None:
        super().__init__(inner.root)
        self.keyring = keyring

    def open_read(self, key: str) -> BinaryIO:
        return open_plain(super().open_read(key), self.keyring, _tenant(key))
