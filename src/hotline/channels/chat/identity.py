"""Visitor identity from the host site (ADR 0235, docs/chat-widget.md): the host's server signs
a JSON Web Token (HS256) with the centre's identity secret, the widget passes it in `hello`,
and the chat opens for that person — their phone number links the customer record. A token
that is forged, expired, or lives longer than a day is refused with a code naming which.

    claims: sub (the host's own user id, required), exp (Unix seconds, required),
            name, phone, email (optional), iat (optional)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from hotline.errors import InvalidInput

__all__ = ["MAX_LIFETIME_S", "IdentityRefused", "VisitorIdentity", "sign", "verify"]

MAX_LIFETIME_S = 24 * 3600
LEEWAY_S = 30  # clocks of the host and of the centre differ a little


class IdentityRefused(InvalidInput):
    """`chat.identity.invalid` (forged, malformed, no secret) or `chat.identity.expired`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code, details={"field": "identity"})


@dataclass(frozen=True, slots=True)
class VisitorIdentity:
    subject: str
    expires_at: float
    name: str | None = None
    phone: str | None = None
    email: str | None = None


def _claim(claims: dict[str, Any], key: str, limit: int) -> str | None:
    value = claims.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise IdentityRefused("chat.identity.invalid", f"the token's {key} is not valid")
    return value.strip() or None


def verify(token: str, secret: str, *, now: float) -> VisitorIdentity:
    """The visitor the token names, if the centre's secret signed it and it has not expired."""
    if not secret:
        raise IdentityRefused("chat.identity.invalid", "this centre takes no identity tokens")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            # expiry is checked below against the injected clock, not the machine's
            options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise IdentityRefused("chat.identity.invalid", "the identity token is not valid") from None
    expires = claims["exp"]
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        raise IdentityRefused("chat.identity.invalid", "the token's exp is not a time")
    if expires + LEEWAY_S < now:
        raise IdentityRefused("chat.identity.expired", "the identity token has expired")
    if expires > now + MAX_LIFETIME_S + LEEWAY_S:
        raise IdentityRefused("chat.identity.invalid", "the identity token lives too long")
    subject = _claim(claims, "sub", 128)
    if subject is None:
        raise IdentityRefused("chat.identity.invalid", "the token names no visitor")
    return VisitorIdentity(
        subject,
        float(expires),
        _claim(claims, "name", 100),
        _claim(claims, "phone", 32),
        _claim(claims, "email", 254),
    )


def sign(claims: dict[str, Any], secret: str) -> str:
    """What the host's server does (any JWT library will): for tests and the integrator doc."""
    return jwt.encode(claims, secret, algorithm="HS256")
