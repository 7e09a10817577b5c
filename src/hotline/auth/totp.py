"""Time-based one-time passwords (RFC 6238 via pyotp, ADR 0112) and single-use recovery codes.

Pure apart from randomness: every check takes `now`. A code is accepted in its 30-second step
or the one before or after (clock drift), and never twice: the step it matched is remembered,
so a code seen over a shoulder cannot be replayed. Recovery codes are stored as SHA-256 digests
(each carries 50 random bits, so a slow hash adds nothing) and each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp

__all__ = [
    "PERIOD",
    "RECOVERY_CODES",
    "matching_recovery",
    "matching_step",
    "new_recovery_codes",
    "new_secret",
    "provisioning_uri",
    "recovery_digest",
]

PERIOD = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD)
    return totp.provisioning_uri(name=account, issuer_name=issuer)


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def matching_step(secret: str, code: str, *, now: float, last_step: int | None) -> int | None:
    """The time step `code` belongs to (near `now`, after `last_step`), or None."""
    code = _digits(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD)
    current = int(now // PERIOD)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * PERIOD), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Codes like `k7mq2-x9trw`: 10 characters of a 31-letter alphabet (about 50 bits)."""
    return [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(count)
    ]


def recovery_digest(code: str) -> str:
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def matching_recovery(code: str, digests: list[str]) -> str | None:
    """The stored digest `code` matches, or None."""
    wanted = recovery_digest(code)
    found = None
    for digest in digests:
        if hmac.compare_digest(digest, wanted):
            found = digest
    return found
