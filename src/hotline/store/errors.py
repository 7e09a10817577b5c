"""Errors of storage set-up that reach the operator (a database URL Hotline cannot use)."""

from __future__ import annotations

from hotline.errors import InvalidInput

__all__ = ["DatabaseUrlInvalid"]


class DatabaseUrlInvalid(InvalidInput):
    """`HOTLINE_DATABASE_URL` names a database or driver Hotline does not speak."""

    code = "database.url.invalid"
