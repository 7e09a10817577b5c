"""Errors of identity and access."""

from __future__ import annotations

from hotline.errors import Conflict, InvalidInput, PermissionDenied, Throttled, Unauthenticated

__all__ = [
    "BadCredentials",
    "BadTotpCode",
    "Forbidden",
    "LoginThrottled",
    "PasswordChangeRequired",
    "SessionExpired",
    "TotpNotAllowed",
    "TotpRequired",
    "TotpState",
    "WeakPassword",
]


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


class TotpRequired(Unauthenticated):
    """The password was right; this account also needs its authenticator code."""

    code = "auth.totp_required"


class BadTotpCode(Unauthenticated):
    code = "auth.totp_invalid"


class TotpNotAllowed(PermissionDenied):
    """Only the roles in `auth.totp_roles` (admins and supervisors) enrol an authenticator."""

    code = "auth.totp_not_allowed"


class TotpState(Conflict):
    """Enrolling twice, confirming nothing, turning off what is not on."""

    code = "auth.totp_state"


PASSWORD_CHANGE_MESSAGE = "Please change your one-time password before you go on."


class PasswordChangeRequired(PermissionDenied):
    """Logged in with a one-time password: only changing it (and reading who I am) works."""

    code = "auth.password_change_required"

    def __init__(self) -> None:
        super().__init__(PASSWORD_CHANGE_MESSAGE)
