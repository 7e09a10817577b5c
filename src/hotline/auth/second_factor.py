"""Authenticator apps (TOTP) for the roles with `Permission.SECOND_FACTOR` (admins and
supervisors): enrol with a QR code, confirm with a first code, get recovery codes once, turn off
with a code; an admin (or `hotline user reset-2fa`) removes a lost one. ADR 0112.

The login check is `verify_code`: a fresh TOTP code, or an unused recovery code (then spent).
"""

from __future__ import annotations

from typing import Any

from hotline.auth import ports
from hotline.auth.errors import BadTotpCode, TotpNotAllowed, TotpState
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.auth.totp import (
    matching_recovery,
    matching_step,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    recovery_digest,
)
from hotline.clock import Clock

__all__ = ["TotpService", "verify_code"]


async def verify_code(store: ports.Totp, row: dict[str, Any], code: str, now: float) -> bool:
    """True when `code` is a fresh TOTP code or an unused recovery code of `row` (spent now)."""
    step = matching_step(str(row["secret"]), code, now=now, last_step=row["last_step"])
    if step is not None:
        await store.update(row["tenant_id"], row["user_id"], {"last_step": step, "updated_at": now})
        return True
    recovery = list(row["recovery"] or [])
    digest = matching_recovery(code, recovery)
    if digest is not None:
        recovery.remove(digest)
        await store.update(
            row["tenant_id"], row["user_id"], {"recovery": recovery, "updated_at": now}
        )
        return True
    return False


class TotpService:
    def __init__(self, store: ports.Totp, clock: Clock, *, issuer: str) -> None:
        self.store = store
        self.clock = clock
        self.issuer = issuer

    def may_enrol(self, principal: Principal) -> bool:
        return principal.can(Permission.SECOND_FACTOR)

    async def status(self, principal: Principal) -> dict[str, Any]:
        row = await self.store.get(principal.tenant_id, principal.user_id)
        enabled = row is not None and row["confirmed_at"] is not None
        return {
            "allowed": self.may_enrol(principal),
            "enabled": enabled,
            "pending": row is not None and not enabled,
            "recovery_codes_left": len(row["recovery"] or []) if enabled and row else 0,
        }

    async def begin(self, principal: Principal) -> dict[str, str]:
        """A new secret, kept pending until a code from it is confirmed."""
        if not self.may_enrol(principal):
            raise TotpNotAllowed("your role does not use an authenticator app")
        row = await self.store.get(principal.tenant_id, principal.user_id)
        if row is not None and row["confirmed_at"] is not None:
            raise TotpState("an authenticator is already set up; turn it off first")
        now = self.clock.now()
        secret = new_secret()
        if row is not None:
            await self.store.delete(principal.tenant_id, principal.user_id)
        await self.store.put(
            {
                "tenant_id": principal.tenant_id,
                "user_id": principal.user_id,
                "secret": secret,
                "confirmed_at": None,
                "last_step": None,
                "recovery": [],
                "created_at": now,
                "updated_at": now,
            }
        )
        return {"secret": secret, "uri": self.uri(principal, secret)}

    def uri(self, principal: Principal, secret: str) -> str:
        account = f"{principal.username}@{principal.tenant_slug}"
        return provisioning_uri(secret, account=account, issuer=self.issuer)

    async def pending_uri(self, principal: Principal) -> str:
        row = await self.store.get(principal.tenant_id, principal.user_id)
        if row is None or row["confirmed_at"] is not None:
            raise TotpState("no authenticator set-up in progress")
        return self.uri(principal, str(row["secret"]))

    async def confirm(self, principal: Principal, code: str) -> list[str]:
        """Turn the pending secret on with a first code; returns the recovery codes (once)."""
        row = await self.store.get(principal.tenant_id, principal.user_id)
        if row is None or row["confirmed_at"] is not None:
            raise TotpState("no authenticator set-up in progress")
        now = self.clock.now()
        step = matching_step(str(row["secret"]), code, now=now, last_step=None)
        if step is None:
            raise BadTotpCode("the code does not match; check the phone's time and try again")
        codes = new_recovery_codes()
        await self.store.update(
            principal.tenant_id,
            principal.user_id,
            {
                "confirmed_at": now,
                "last_step": step,
                "recovery": [recovery_digest(c) for c in codes],
                "updated_at": now,
            },
        )
        return codes

    async def _enabled(self, principal: Principal, code: str) -> dict[str, Any]:
        row = await self.store.get(principal.tenant_id, principal.user_id)
        if row is None or row["confirmed_at"] is None:
            raise TotpState("no authenticator is set up")
        if not await verify_code(self.store, row, code, self.clock.now()):
            raise BadTotpCode("the code does not match")
        return row

    async def disable(self, principal: Principal, code: str) -> None:
        await self._enabled(principal, code)
        await self.store.delete(principal.tenant_id, principal.user_id)

    async def new_recovery_codes(self, principal: Principal, code: str) -> list[str]:
        await self._enabled(principal, code)
        codes = new_recovery_codes()
        await self.store.update(
            principal.tenant_id,
            principal.user_id,
            {"recovery": [recovery_digest(c) for c in codes], "updated_at": self.clock.now()},
        )
        return codes

    async def reset(self, tenant_id: str, user_id: str) -> bool:
        """Remove a user's authenticator (lost phone); True when there was one."""
        found = await self.store.get(tenant_id, user_id) is not None
        await self.store.delete(tenant_id, user_id)
        return found
