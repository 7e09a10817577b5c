"""Short secrets at rest (a webhook's signing secret, a trunk's or a mailbox's password, an SMS
provider's API key), sealed with the tenant's current key (AES-256-GCM) before they reach the
database, and opened only where they are used. ADR 0114's keyring holds the keys.

A sealed value is text, so it fits the column the plain value used:
`sealed:v1:<key id>:<base64 of nonce (12) + ciphertext + tag>`. Its associated data binds it to
the tenant and to what it is (`purpose`), so a value copied to another row or center does not
open. A value without the prefix is a plain one written before sealing: it opens as itself,
and is sealed the next time it is written.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hotline.vault.errors import VaultError
from hotline.vault.keyring import Keyring

__all__ = ["PREFIX", "SecretBox", "SecretDamaged", "is_sealed_text"]

PREFIX = "sealed:v1:"


class SecretDamaged(VaultError):
    """A sealed value that does not open: changed, copied from elsewhere, or cut short."""

    code = "vault.secret.damaged"


def is_sealed_text(value: str) -> bool:
    return value.startswith(PREFIX)


class SecretBox:
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    @staticmethod
    def _context(tenant: str, purpose: str) -> bytes:
        return f"{tenant}\x00{purpose}".encode()

    def seal(self, tenant: str, purpose: str, plain: str) -> str:
        kid, key = self.keyring.current(tenant)
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, plain.encode(), self._context(tenant, purpose))
        return f"{PREFIX}{kid}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, tenant: str, purpose: str, value: str) -> str:
        if not is_sealed_text(value):
            return value  # written before sealing
        kid, _, body = value.removeprefix(PREFIX).partition(":")
        key = self.keyring.get(tenant, kid)
        try:
            raw = base64.b64decode(body, validate=True)
            plain = AESGCM(key).decrypt(raw[:12], raw[12:], self._context(tenant, purpose))
        except (binascii.Error, InvalidTag, ValueError) as problem:
            raise SecretDamaged(
                f"a sealed {purpose} of tenant {tenant} does not open",
                details={"tenant": tenant, "purpose": purpose},
            ) from problem
        return plain.decode()
