"""Secrets for sessions, CSRF and API tokens. Only SHA-256 digests of them are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["API_TOKEN_PREFIX", "digest", "new_api_token", "new_secret", "same"]

API_TOKEN_PREFIX = "htl_"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
