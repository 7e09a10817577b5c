"""Per-tenant keys (AES-256) for recordings and secrets at rest, one small file per tenant in a
directory only the server's user can read (0700; files 0600). The newest key seals new
recordings and secrets; older keys stay to open older ones. A key's id is a fingerprint (the
first 16 hex digits of its SHA-256), never the key. Deleting a tenant's key file makes its
sealed recordings and secrets unreadable for good.

Thread-safe: the media engine creates recordings on the event loop while playback reads them
in executor threads. A tenant's first key is made once across processes (the media engine and
the API may both need it first)."""

from __future__ import annotations

import base64
import hashlib
import hmac
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

    def _write(self, tenant: str, keys: list[tuple[str, bytes]], *, first: bool = False) -> bool:
        """Write the tenant's key file. `first`: only if it has none yet, also when another
        process (the media engine, the API) makes its first key at the same moment — False
        when that one won (its key is then the tenant's)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        path = self._path(tenant)
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        body = {"tenant": tenant, "keys": [{"key": base64.b64encode(k).decode()} for _, k in keys]}
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(body, indent=1))
            out.flush()
            os.fsync(out.fileno())
        if not first:
            temporary.replace(path)
            return True
        try:
            os.link(temporary, path)  # fails if the file exists: never replace someone's key
        except FileExistsError:
            return False
        finally:
            temporary.unlink()
        return True

    def current(self, tenant: str) -> tuple[str, bytes]:
        """The key new recordings and secrets of `tenant` are sealed with (made on first
        use, once across processes)."""
        with self._lock:
            keys = self._load(tenant)
            if not keys:
                key = os.urandom(32)
                if self._write(tenant, [(key_id(key), key)], first=True):
                    keys.append((key_id(key), key))
                else:
                    del self._keys[tenant]
                    keys = self._load(tenant)
            return keys[-1]

    def derive(self, tenant: str, purpose: str) -> bytes:
        """A 32-byte secret of `tenant` for `purpose` (a signature the server checks itself,
        such as a chat visitor's token) that outlives restarts and key rotations: derived from
        the tenant's oldest key, which a rotation keeps."""
        self.current(tenant)  # made on first use
        with self._lock:
            oldest = self._load(tenant)[0][1]
        return hmac.new(oldest, purpose.encode(), hashlib.sha256).digest()

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
