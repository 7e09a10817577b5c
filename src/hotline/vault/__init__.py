"""Secrets at rest: per-tenant keys and sealed (encrypted) recording files. ADR 0114."""

from hotline.vault.errors import KeyMissing, SealedFileDamaged, VaultError
from hotline.vault.keyring import Keyring
from hotline.vault.sealed import SealedReader, SealedWriter, is_sealed
from hotline.vault.storage import (
    SealedRecordingStorage,
    open_plain,
    plain_size,
    recording_storage,
)

__all__ = [
    "KeyMissing",
    "Keyring",
    "SealedFileDamaged",
    "SealedReader",
    "SealedRecordingStorage",
    "SealedWriter",
    "VaultError",
    "is_sealed",
    "open_plain",
    "plain_size",
    "recording_storage",
]
