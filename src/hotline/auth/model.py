"""Identity values: users and the authenticated principal of a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hotline.auth.roles import Permission, allowed

__all__ = ["Principal", "User"]


@dataclass(frozen=True, slots=True)
class User:
    id: str
    tenant_id: str
    username: str
    display_name: str
    roles: tuple[str, ...]
    language: str | None
    active: bool
    created_at: float
    updated_at: float
    password_hash: str = field(default="", repr=False)
    must_change_password: bool = False


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: resolved once per request from a session cookie or an API token."""

    tenant_id: str
    tenant_slug: str
    user_id: str
    username: str
    display_name: str
    roles: tuple[str, ...]
    language: str
    via: Literal["session", "token"]
    csrf_token: str | None = field(default=None, repr=False)
    agent_id: str | None = None
    # Logged in with a one-time password: nothing but changing it is allowed.
    must_change_password: bool = False

    def can(self, permission: Permission) -> bool:
        return allowed(self.roles, permission)
