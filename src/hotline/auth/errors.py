"""Errors of identity and access."""

from __future__ import annotations

from hotline.errors import InvalidInput, PermissionDenied, Throttled, Unauthenticated

__all__ = ["BadCredentials", "Forbidden", "LoginThrottled", "SessionExpired", "WeakPassword"]


class BadCredentials(Unauthenticated):
    code = "auth.bad_credentials"


class SessionExpired(Unauthenticated):
    code = "auth.session_expired"


class Forbidden(PermissionDenied):
    code = "auth.forbidden"


class LoginThrottled(Throttled):
    code = "auth.throttled"


class WeakPassword(InvalidInput):
    code = "auth.weak_password"
