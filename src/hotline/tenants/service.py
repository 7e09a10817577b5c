"""The platform operator's actions on tenants; every one is audited in the platform's log.

    service = TenantService(store, users, audit, clock=clock, emit=uow.emit, actor=operator)
    tenant, password = await service.create(TenantIn(name="华东", slug="east", ...))
    await service.suspend("east"); await service.resume("east")
    await service.delete("east")     # DELETING now; the job host purges after the grace period

Running servers pick the change up without a restart (`hotline.server.tenant_watch`).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from hotline.auth.model import Principal
from hotline.auth.passwords import hash_password
from hotline.auth.roles import Role
from hotline.clock import Clock
from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.tenants.errors import NumberTaken, TenantExists, TenantNotFound
from hotline.tenants.events import TenantChanged, TenantCreated
from hotline.tenants.model import (
    MB,
    LimitsIn,
    TenantAction,
    TenantIn,
    TenantKind,
    TenantStatus,
    next_status,
)
from hotline.tenants.ports import Audit, Row, TenantStore, UserStore

__all__ = ["TenantService", "one_time_password", "view"]

PurgeScheduler = Callable[[str, float], Awaitable[None]]
PurgeCanceller = Callable[[str], Awaitable[None]]

_LIMITS = ("max_agents", "max_concurrent_calls", "max_recording_mb")


def one_time_password() -> str:
    """Four groups of four (easy to read out on the phone), ~80 bits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def view(row: Row) -> dict[str, Any]:
    """A tenant as the operator sees it."""
    return {
        "id": row["id"],
        "slug": row["slug"],
        "name": row["name"],
        "timezone": row["timezone"],
        "language": row["language"],
        "region": row["region"],
        "sip_domain": row["sip_domain"],
        "status": row.get("status") or TenantStatus.ACTIVE.value,
        "limits": {key.removeprefix("max_"): row.get(key) for key in _LIMITS},
        "purge_at": row.get("delete_after"),  # when a deleted center goes
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


class TenantService:
    def __init__(
        self,
        store: TenantStore,
        users: UserStore,
        audit: Audit,
        *,
        clock: Clock,
        emit: Callable[[DomainEvent], None],
        actor: Principal,
        grace_s: float = 30 * 86400.0,
        schedule_purge: PurgeScheduler | None = None,
        cancel_purge: PurgeCanceller | None = None,
        ip: str | None = None,
        recordings_kept_s: float = 365 * 86400.0,
    ) -> None:
        self.store = store
        self.users = users
        self.audit = audit
        self.clock = clock
        self.emit = emit
        self.actor = actor
        self.grace_s = grace_s
        self.schedule_purge = schedule_purge
        self.cancel_purge = cancel_purge
        self.ip = ip
        self.recordings_kept_s = recordings_kept_s  # the recordings' retention

    async def _audited(
        self, action: str, tenant_id: str, before: Row | None, after: Row | None
    ) -> None:
        await self.audit.add(
            {
                "tenant_id": self.actor.tenant_id,
                "at": self.clock.now(),
                "actor_id": self.actor.user_id,
                "actor_name": self.actor.username,
                "action": action,
                "entity": "tenant",
                "entity_id": tenant_id,
                "before": before,
                "after": after,
                "ip": self.ip,
            }
        )

    # -- reading ---------------------------------------------------------------------------

    async def centers(self) -> list[Row]:
        return await self.store.centers()

    async def find(self, key: str) -> Row:
        """A center by id or slug."""
        row = await self.store.get(key) or await self.store.by_slug(key)
        if row is None or row.get("kind", TenantKind.CENTER) != TenantKind.CENTER:
            raise TenantNotFound(key)
        return row

    async def usage(self, row: Row) -> dict[str, float]:
        """What the center (`find`'s row) uses of its limits: agents, and the MB its kept
        recordings take."""
        kept_since = self.clock.now() - self.recordings_kept_s
        stored = await self.store.recording_bytes(row["id"], kept_since)
        return {
            "agents": await self.store.agent_count(row["id"]),
            "recording_mb": round(stored / MB, 1),
        }

    # -- creating --------------------------------------------------------------------------

    async def create(self, data: TenantIn) -> tuple[Row, str]:
        """The center and its first admin, whose one-time password is returned (shown once;
        it must be changed at the first login)."""
        if await self.store.by_slug(data.slug) is not None:
            raise TenantExists("slug", data.slug)
        if await self.store.by_domain(data.sip_domain) is not None:
            raise TenantExists("sip_domain", data.sip_domain)
        now = self.clock.now()
        tenant_id = new_id(now)
        row: Row = {
            "id": tenant_id,
            "slug": data.slug,
            "name": data.name,
            "language": data.language,
            "timezone": data.timezone,
            "region": data.region,
            "sip_domain": data.sip_domain,
            "kind": TenantKind.CENTER.value,
            "status": TenantStatus.ACTIVE.value,
            "status_changed_at": now,
            "max_agents": data.max_agents,
            "max_concurrent_calls": data.max_concurrent_calls,
            "max_recording_mb": data.max_recording_mb,
            "created_at": now,
            "updated_at": now,
        }
        await self.store.add(row)
        password = one_time_password()
        await self.users.add(
            {
                "id": new_id(now),
                "tenant_id": tenant_id,
                "username": data.admin_username,
                "display_name": data.admin_display_name or data.admin_username,
                "password_hash": hash_password(password),
                "roles": [Role.ADMIN.value],
                "language": data.language,
                "active": True,
                "must_change_password": True,
                "created_at": now,
                "updated_at": now,
            }
        )
        self.emit(
            TenantCreated(
                tenant_id=tenant_id,
                at=now,
                slug=data.slug,
                sip_domain=data.sip_domain,
                by=self.actor.username,
            )
        )
        created = view(row)
        await self._audited("create", tenant_id, None, {**created, "admin": data.admin_username})
        return row, password

    # -- lifecycle -------------------------------------------------------------------------

    async def _transition(self, key: str, action: TenantAction) -> Row:
        row = await self.find(key)
        status = next_status(TenantStatus(row.get("status") or "active"), action)
        now = self.clock.now()
        changes: Row = {"status": status.value, "status_changed_at": now, "updated_at": now}
        if status is TenantStatus.DELETING:
            changes["delete_after"] = now + self.grace_s
        elif row.get("delete_after") is not None:
            changes["delete_after"] = None  # a resume within the grace period keeps the data
        await self.store.update(row["id"], changes)
        after = {**row, **changes}
        self.emit(
            TenantChanged(
                tenant_id=row["id"],
                at=now,
                slug=row["slug"],
                action=action.value,
                status=status.value,
                by=self.actor.username,
            )
        )
        await self._audited(action.value, row["id"], view(row), view(after))
        return after

    async def suspend(self, key: str) -> Row:
        """New calls and logins are refused; live calls go on; the data stays."""
        return await self._transition(key, TenantAction.SUSPEND)

    async def resume(self, key: str) -> Row:
        """Back to work; within a deletion's grace period this cancels the deletion (and its
        purge job)."""
        before = await self.find(key)
        row = await self._transition(key, TenantAction.RESUME)
        if before.get("status") == TenantStatus.DELETING.value and self.cancel_purge is not None:
            await self.cancel_purge(str(row["id"]))
        return row

    async def delete(self, key: str) -> Row:
        """Refused like a suspended center now; exported and removed after the grace period."""
        row = await self._transition(key, TenantAction.DELETE)
        if self.schedule_purge is not None:
            await self.schedule_purge(str(row["id"]), float(row["delete_after"]))
        return row

    async def set_limits(self, key: str, data: LimitsIn) -> Row:
        row = await self.find(key)
        changes: Row = {k: getattr(data, k) for k in _LIMITS}
        changes["updated_at"] = self.clock.now()
        await self.store.update(row["id"], changes)
        after = {**row, **changes}
        self.emit(
            TenantChanged(
                tenant_id=row["id"],
                at=changes["updated_at"],
                slug=row["slug"],
                action="limits",
                status=str(row.get("status") or "active"),
                by=self.actor.username,
            )
        )
        await self._audited("limits", row["id"], view(row), view(after))
        return after

    # -- numbers ---------------------------------------------------------------------------

    async def numbers(self, key: str) -> list[Row]:
        row = await self.find(key)
        return await self.store.numbers(str(row["id"]))

    async def assign_number(
        self, key: str, number: str, *, flow: str | None = "main", description: str = ""
    ) -> Row:
        """Give a number (DID) to a center; its admin then routes it to a flow."""
        row = await self.find(key)
        owner = await self.store.number_owner(number)
        if owner is not None:
            raise NumberTaken(number)
        # A number never points at a missing flow (ADR 0200): until the center publishes `flow`,
        # the number is not routed and its admin routes it on the numbers page.
        routed = flow if flow and await self.store.flow_published(row["id"], flow) else None
        now = self.clock.now()
        values: Row = {
            "id": new_id(now),
            "tenant_id": row["id"],
            "number": number,
            "flow": routed,
            "description": description,
            "created_at": now,
            "updated_at": now,
        }
        await self.store.add_number(values)
        await self._audited("assign_number", row["id"], None, {"number": number, "flow": routed})
        return values

    async def release_number(self, key: str, number: str) -> None:
        row = await self.find(key)
        if not await self.store.remove_number(str(row["id"]), number):
            raise TenantNotFound(f"{row['slug']}/{number}")
        await self._audited("release_number", row["id"], {"number": number}, None)
