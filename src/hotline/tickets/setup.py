"""The ticket system's configuration, checked: departments (members, lead, manager, how
tickets are assigned), the category tree (no cycles), SLA policies (conditions, targets,
calendar, escalation levels) and the center's ticket settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from hotline.clock import Clock
from hotline.ids import new_id
from hotline.tickets.errors import TicketConflict, TicketInvalid, TicketNotFound
from hotline.tickets.numbers import NUMBER_STYLES
from hotline.tickets.schemas import CategoryIn, DepartmentIn, SlaPolicyIn

__all__ = ["TicketConfigRepository", "TicketSetup"]


class TicketConfigRepository(Protocol):
    async def rows(self, kind: str, tenant_id: str) -> list[dict[str, Any]]: ...
    async def row(self, kind: str, tenant_id: str, row_id: str) -> dict[str, Any] | None: ...
    async def find(self, kind: str, tenant_id: str, column: str, value: str) -> str | None: ...
    async def insert(self, kind: str, values: Mapping[str, Any]) -> None: ...
    async def update(
        self, kind: str, tenant_id: str, row_id: str, values: Mapping[str, Any]
    ) -> None: ...
    async def delete(self, kind: str, tenant_id: str, row_id: str) -> None: ...
    async def set_members(
        self, tenant_id: str, department_id: str, members: Sequence[str]
    ) -> None: ...
    async def known_users(self, tenant_id: str, user_ids: Sequence[str]) -> set[str]: ...
    async def calendar_names(self, tenant_id: str) -> set[str]: ...
    async def save_settings(
        self, tenant_id: str, *, number_style: str, reopen_days: int, now: float
    ) -> None: ...


class TicketSetup:
    def __init__(self, repo: TicketConfigRepository, *, tenant_id: str, clock: Clock) -> None:
        self.repo = repo
        self.tenant = tenant_id
        self.clock = clock

    async def list(self, kind: str) -> list[dict[str, Any]]:
        return await self.repo.rows(kind, self.tenant)

    async def get(self, kind: str, row_id: str) -> dict[str, Any]:
        row = await self.repo.row(kind, self.tenant, row_id)
        if row is None:
            raise TicketNotFound(kind, row_id)
        return row

    async def delete(self, kind: str, row_id: str) -> None:
        await self.get(kind, row_id)
        await self.repo.delete(kind, self.tenant, row_id)

    async def _unique(self, kind: str, column: str, value: str, row_id: str | None) -> None:
        found = await self.repo.find(kind, self.tenant, column, value)
        if found is not None and found != row_id:
            raise TicketConflict(
                f"{kind}.duplicate",
                "This name or code is already in use.",
                field=column,
                value=value,
            )

    async def _save(
        self, kind: str, row_id: str | None, values: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        now = self.clock.now()
        if row_id is None:
            row_id = new_id(now)
            await self.repo.insert(
                kind,
                {
                    "id": row_id,
                    "tenant_id": self.tenant,
                    **values,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        else:
            await self.get(kind, row_id)
            await self.repo.update(kind, self.tenant, row_id, {**values, "updated_at": now})
        return row_id, await self.get(kind, row_id)

    async def save_department(
        self, data: DepartmentIn, row_id: str | None = None
    ) -> dict[str, Any]:
        await self._unique("department", "code", data.code, row_id)
        people = {*data.members, *(u for u in (data.lead_id, data.manager_id) if u)}
        unknown = sorted(people - await self.repo.known_users(self.tenant, sorted(people)))
        if unknown:
            field = (
                "lead_id"
                if unknown[0] == data.lead_id
                else "manager_id"
                if unknown[0] == data.manager_id
                else f"members[{data.members.index(unknown[0])}]"
            )
            raise TicketInvalid("ticket.user.unknown", field, value=unknown[0])
        values = data.model_dump(mode="json", exclude={"members"})
        row_id, _ = await self._save("department", row_id, values)
        await self.repo.set_members(self.tenant, row_id, list(dict.fromkeys(data.members)))
        return await self.get("department", row_id)

    async def save_category(self, data: CategoryIn, row_id: str | None = None) -> dict[str, Any]:
        await self._unique("category", "code", data.code, row_id)
        parent_id = None
        if data.parent is not None:
            parent_id = await self.repo.find("category", self.tenant, "code", data.parent)
            if parent_id is None:
                raise TicketInvalid("ticket.category.unknown", "parent", value=data.parent)
            # The parent must not lie below this category.
            rows = {r["id"]: r for r in await self.repo.rows("category", self.tenant)}
            current: str | None = parent_id
            while current is not None:
                if current == row_id:
                    raise TicketInvalid("ticket.category.cycle", "parent", value=data.parent)
                current = rows[current]["parent_id"] if current in rows else None
        values = {
            "code": data.code,
            "name_zh": data.name_zh,
            "name_en": data.name_en,
            "parent_id": parent_id,
        }
        return (await self._save("category", row_id, values))[1]

    async def save_policy(self, data: SlaPolicyIn, row_id: str | None = None) -> dict[str, Any]:
        await self._unique("policy", "name", data.name, row_id)
        if not (data.first_response_s or data.next_response_s or data.resolution_s):
            raise TicketInvalid("sla.condition.invalid", "resolution_s")
        if data.calendar and data.calendar not in await self.repo.calendar_names(self.tenant):
            raise TicketInvalid("sla.calendar.unknown", "calendar", value=data.calendar)
        for n, code in enumerate(data.categories):
            if await self.repo.find("category", self.tenant, "code", code) is None:
                raise TicketInvalid("ticket.category.unknown", f"categories[{n}]", value=code)
        after = [e.after_s for e in data.escalation]
        if after != sorted(after):
            raise TicketInvalid("sla.escalation.invalid", "escalation")
        values = {
            "name": data.name,
            "position": data.position,
            "conditions": {
                "priorities": [p.value for p in data.priorities],
                "categories": data.categories,
                "min_vip_level": data.min_vip_level,
            },
            "first_response_s": data.first_response_s,
            "next_response_s": data.next_response_s,
            "resolution_s": data.resolution_s,
            "calendar": data.calendar,
            "remind_percent": data.remind_percent,
            "escalation": [e.model_dump() for e in data.escalation],
            "active": data.active,
        }
        return (await self._save("policy", row_id, values))[1]

    async def save_settings(self, *, number_style: str, reopen_days: int) -> None:
        if number_style not in NUMBER_STYLES:
            raise TicketInvalid("ticket.number_style.unknown", "number_style")
        await self.repo.save_settings(
            self.tenant, number_style=number_style, reopen_days=reopen_days, now=self.clock.now()
        )
