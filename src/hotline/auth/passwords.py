"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hotline.auth.errors import WeakPassword

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "check_strength",
    "configure_hashing",
    "hash_password",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()
# A fixed hash to verify against when the user does not exist, so a login for an unknown user
# costs the same time as one with a wrong password (no user enumeration by timing).
_DUMMY = _hasher.hash("hotline-dummy-password")


def configure_hashing(*, time_cost: int, memory_kib: int) -> None:
    """Change the cost of new hashes (existing hashes keep verifying with their own cost).
    Production keeps argon2-cffi's defaults; the test suite makes hashing cheap."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
    _DUMMY = _hasher.hash("hotline-dummy-password")


def check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters",
            details={"field": "password"},
        )


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
