"""Per-tenant recording keys (AES-256), one small file per tenant in a directory only the
server's user can read (0700; files 0600). The newest key seals new recordings; older keys stay
to open older ones. A key's id is a fingerprint (the first 16 hex digits of its SHA-256), never
the key. Deleting a tenant's key file makes its sealed recordings unreadable for good.

Thread-safe: the media engine creates recordings on the event loop while playback reads them
in executor threads."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from pathlib import Path

from hotline.vault.errors import KeyMissing

__all__ = ["Keyring", "key_id"]


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


class Keyring:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._keys: dict[str, list[tuple[str, bytes]]] = {}

    def _path(self, tenant: str) -> Path:
        safe = "".join(ch for ch in tenant if ch.isalnum() or ch in "-_") or "default"
        return self.directory / f"{safe}.json"

    def _load(self, tenant: str) -> list[tuple[str, bytes]]:
        if tenant not in self._keys:
            path = self._path(tenant)
            keys: list[tuple[str, bytes]] = []
            if path.is_file():
                for entry in json.loads(path.read_text())["keys"]:
                    key = base64.b64decode(entry["key"])
                    keys.append((key_id(key), key))
            self._keys[tenant] = keys
        return self._keys[tenant]

    def _write(self, tenant: str, keys: list[tuple[str, bytes]]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        path = self._path(tenant)
        temporary = path.with_suffix(".tmp")
        body = {"tenant": tenant, "keys": [{"key": base64.b64encode(k).decode()} for _, k in keys]}
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(body, indent=1))
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)

    def current(self, tenant: str) -> tuple[str, bytes]:
        """The key new recordings of `tenant` are sealed with (made on first use)."""
        with self._lock:
            keys = self._load(tenant)
            if not keys:
                key = os.urandom(32)
                keys.append((key_id(key), key))
                self._write(tenant, keys)
            return keys[-1]

    def get(self, tenant: str, wanted: str) -> bytes:
        with self._lock:
            for kid, key in self._load(tenant):
                if kid == wanted:
                    return key
        raise KeyMissing(
            f"tenant {tenant}'s keyring has no key {wanted}: restore its key file",
            details={"tenant": tenant, "key_id": wanted},
        )

    def rotate(self, tenant: str) -> str:
        """A new current key for `tenant` (older recordings keep opening with the old ones)."""
        with self._lock:
            keys = self._load(tenant)
            key = os.urandom(32)
            keys.append((key_id(key), key))
            self._write(tenant, keys)
            return key_id(key)

    def forget(self) -> None:
        """Drop what is cached (after a restore wrote new key files)."""
        with self._lock:
            self._keys.clear()
