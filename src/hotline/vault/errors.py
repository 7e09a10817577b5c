"""Errors of keys and sealed files."""

from __future__ import annotations

from hotline.errors import HotlineError, NotFound

__all__ = ["KeyMissing", "SealedFileDamaged", "VaultError"]


class VaultError(HotlineError):
    code = "vault.error"


class SealedFileDamaged(VaultError):
    """A sealed recording's record does not verify, or the file is not a sealed file."""

    code = "vault.sealed.damaged"


class KeyMissing(VaultError, NotFound):
    """The key a sealed recording names is not in the tenant's keyring (restored without its
    keys, or the keyring was deleted on purpose)."""

    code = "vault.key.missing"
