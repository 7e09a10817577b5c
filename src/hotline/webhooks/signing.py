"""Webhook signatures: `X-Hotline-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
with `X-Hotline-Timestamp: <unix seconds>`. The timestamp inside the signed text lets a
receiver refuse replays older than its tolerance (5 minutes by default)."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "sign", "verify"]

SIGNATURE_HEADER = "X-Hotline-Signature"
TIMESTAMP_HEADER = "X-Hotline-Timestamp"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secret: str, signature: str, timestamp: str, body: bytes, *, now: float,
    tolerance_s: float = 300.0,
) -> bool:  # fmt: skip
    """What a receiver checks: a fresh timestamp and a matching signature."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature)
