"""Survey link tokens (ADR 0213): `<link id>.<expiry>.<mac>`, base64url, signed with the center's
survey key (HMAC-SHA256). The signature refuses forged and altered tokens without a database
read; single use is the link row's `answered_at`, checked and set in one transaction."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from hotline.quality.errors import SurveyLinkRefused

__all__ = ["LinkToken", "read_token", "sign_token"]

_MAC_BYTES = 16


@dataclass(frozen=True, slots=True)
class LinkToken:
    link_id: str
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, link_id: str, expires_at: int) -> bytes:
    message = f"{link_id}.{expires_at}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:_MAC_BYTES]


def sign_token(key: bytes, link_id: str, expires_at: float) -> str:
    expiry = int(expires_at)
    return f"{link_id}.{expiry}.{_b64(_mac(key, link_id, expiry))}"


def read_token(key: bytes, token: str, now: float) -> LinkToken:
    """The token's link, or `SurveyLinkRefused`: forged (bad form or signature), expired."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isalnum() or not parts[1].isdigit():
        raise SurveyLinkRefused("quality.link.forged")
    link_id, expiry = parts[0], int(parts[1])
    try:
        given = _unb64(parts[2])
    except (ValueError, TypeError):
        raise SurveyLinkRefused("quality.link.forged") from None
    if not hmac.compare_digest(given, _mac(key, link_id, expiry)):
        raise SurveyLinkRefused("quality.link.forged")
    if now >= expiry:
        raise SurveyLinkRefused("quality.link.expired")
    return LinkToken(link_id, expiry)
