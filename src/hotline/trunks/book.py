"""Adding and changing a center's trunks: the rules checked (`check_trunk`), the name unique
among the center's trunks and the configured ones, the change audited with before and after
(the password never in it) and announced as `config.changed` (entity `trunk`), on which the
SIP service reloads its trunks (ADR 0203)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.directory.events import ConfigChanged
from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.store.auth_repo import SqlAudit
from hotline.trunks.errors import TrunkNameTaken
from hotline.trunks.model import StoredTrunk, TrunkValues, check_trunk
from hotline.trunks.repository import SqlTrunks
from hotline.vault.secrets import SecretBox

__all__ = ["ENTITY", "Actor", "TrunkBook", "trunk_view"]

ENTITY = "trunk"

Actor = dict[str, Any]  # actor_id, actor_name, ip: who changes it, for the audit log


def trunk_view(trunk: StoredTrunk) -> dict[str, Any]:
    """A trunk as the API shows it: everything but the password (only whether one is set)."""
    values = asdict(trunk.values)
    password = values.pop("password")
    return {
        "id": trunk.id,
        **values,
        "codecs": list(trunk.values.codecs),
        "inbound_sources": list(trunk.values.inbound_sources),
        "has_password": bool(password),
        "source": "admin",
    }


def _audited(trunk: StoredTrunk) -> dict[str, Any]:
    view = trunk_view(trunk)
    view.pop("source")
    view.pop("id")
    return view


class TrunkBook:
    def __init__(
        self,
        conn: AsyncConnection,
        secrets: SecretBox,
        emit: Callable[[DomainEvent], None],
        now: float,
        configured: Collection[str] = (),
    ) -> None:
        self.repo = SqlTrunks(conn, secrets)
        self.audit = SqlAudit(conn)
        self.emit = emit
        self.now = now
        self.configured = configured  # names of the config file's trunks of this center

    async def _check_name(self, tenant_id: str, name: str, but: str | None) -> None:
        if name in self.configured or await self.repo.name_taken(tenant_id, name, but):
            raise TrunkNameTaken(name)

    async def add(self, tenant_id: str, values: TrunkValues, actor: Actor) -> StoredTrunk:
        values = check_trunk(values)
        await self._check_name(tenant_id, values.name, None)
        trunk = StoredTrunk(new_id(self.now), tenant_id, values)
        await self.repo.add(trunk, self.now)
        await self._record(trunk, None, trunk, "create", actor)
        return trunk

    async def change(
        self, tenant_id: str, trunk_id: str, values: TrunkValues, actor: Actor
    ) -> StoredTrunk:
        before = await self.repo.get(tenant_id, trunk_id)
        after = before.with_values(check_trunk(values))
        await self._check_name(tenant_id, after.values.name, trunk_id)
        await self.repo.update(after, self.now)
        await self._record(after, before, after, "update", actor)
        return after

    async def _record(
        self,
        trunk: StoredTrunk,
        before: StoredTrunk | None,
        after: StoredTrunk,
        action: str,
        actor: Actor,
    ) -> None:
        await self.audit.add(
            {
                "tenant_id": trunk.tenant_id,
                "at": self.now,
                "actor_id": actor.get("actor_id"),
                "actor_name": actor.get("actor_name"),
                "action": action,
                "entity": ENTITY,
                "entity_id": trunk.id,
                "before": _audited(before) if before is not None else None,
                "after": _audited(after),
                "ip": actor.get("ip"),
            }
        )
        self.emit(
            ConfigChanged(
                tenant_id=trunk.tenant_id, at=self.now, entity=ENTITY, entity_id=trunk.id,
                action=action,
            )
        )  # fmt: skip
