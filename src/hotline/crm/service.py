"""Customers (minimal for now): profile, phones, emails, VIP level, tags, custom fields; lookup
by phone in E.164 or local form, as the screen pop and the IVR's VIP check need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.auth.model import Principal
from hotline.clock import Clock
from hotline.crm.events import CustomerChanged
from hotline.crm.fields import check_custom
from hotline.crm.phones import phone_key
from hotline.directory.errors import EntityNotFound
from hotline.directory.ports import Repos
from hotline.directory.schemas import CustomerIn
from hotline.errors import InvalidInput
from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.imports.customers import CustomFieldDef
from hotline.imports.phones import PhoneProblem, normalize_phone
from hotline.imports.reasons import reason

__all__ = ["CustomerService"]


class CustomerService:
    def __init__(
        self,
        repos: Repos,
        *,
        tenant_id: str,
        clock: Clock,
        emit: Callable[[DomainEvent], None],
        region: str = "CN",
        actor: Principal | None = None,
        area_code: str | None = None,
        time_zone: str = "Asia/Shanghai",
    ) -> None:
        self.repos = repos
        self.tenant_id = tenant_id
        self.clock = clock
        self.emit = emit
        self.region = region
        self.actor = actor
        self.area_code = area_code
        self.time_zone = time_zone
        self.language = actor.language if actor else "zh-CN"

    async def _views(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [r["id"] for r in rows]
        phones = await self.repos.links.customer_phones(ids)
        emails = await self.repos.links.customer_emails(ids)
        return [
            {
                **r,
                "phones": [p["raw"] for p in phones[r["id"]]],
                "phone_keys": [p["e164"] for p in phones[r["id"]]],
                "emails": [e["email"] for e in emails[r["id"]]],
            }
            for r in rows
        ]

    async def get(self, customer_id: str) -> dict[str, Any]:
        row = await self.repos.table("customers").get(self.tenant_id, customer_id)
        if row is None:
            raise EntityNotFound(f"no customer {customer_id!r}", details={"id": customer_id})
        return (await self._views([row]))[0]

    async def search(
        self, *, search: str | None, vip_only: bool, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        ids: list[str] | None = None
        if search:
            key = phone_key(search, self.region)
            by_phone = await self.repos.links.customers_by_phone(self.tenant_id, key) if key else []
            by_email = await self.repos.links.customers_by_email(self.tenant_id, search.lower())
            if by_phone or by_email:
                ids = by_phone + by_email
        table = self.repos.table("customers")
        rows, total = await table.list(
            self.tenant_id,
            search=None if ids else search,
            search_fields=("name", "notes"),
            order_by="name",
            limit=100_000 if vip_only else limit,
            offset=0 if vip_only else offset,
            ids=ids,
        )
        if vip_only:
            rows = [r for r in rows if r["vip_level"] > 0]
            total = len(rows)
            rows = rows[offset : offset + limit]
        return await self._views(rows), total

    def _key(self, raw: str) -> str:
        """The lookup key: E.164 (a local landline in the center's area), else bare digits."""
        try:
            return normalize_phone(raw, self.region, self.area_code).e164
        except PhoneProblem:
            return phone_key(raw, self.region)

    async def lookup_by_phone(self, raw: str) -> list[dict[str, Any]]:
        key = self._key(raw)
        if not key:
            raise InvalidInput("phone: not a phone number", details={"field": "phone"})
        ids = await self.repos.links.customers_by_phone(self.tenant_id, key)
        if not ids:
            return []
        rows, _ = await self.repos.table("customers").list(self.tenant_id, ids=ids, limit=len(ids))
        return await self._views(rows)

    async def _write_identities(self, customer_id: str, data: CustomerIn) -> None:
        phones: dict[str, dict[str, Any]] = {}
        for index, raw in enumerate(data.phones):
            try:
                clean = normalize_phone(raw, self.region, self.area_code)
            except PhoneProblem as problem:
                raise InvalidInput(
                    f"phones[{index}]: {raw}: {reason(problem.code, {}, self.language)}",
                    code=f"customer.{problem.code}",
                    # No `language`: the page names the field as its form does (ADR 0125).
                    details={"field": f"phones[{index}]", "value": raw, "reason": problem.code},
                ) from None
            # Stored: the lookup key (E.164) and the number with its extension, if any.
            phones.setdefault(
                clean.key, {"tenant_id": self.tenant_id, "e164": clean.e164, "raw": clean.key}
            )
        await self.repos.links.replace(
            "customer_phones", "customer_id", customer_id, list(phones.values())
        )
        emails = [{"tenant_id": self.tenant_id, "email": e} for e in dict.fromkeys(data.emails)]
        await self.repos.links.replace("customer_emails", "customer_id", customer_id, emails)

    def _event(self, customer_id: str, action: str) -> None:
        self.emit(
            CustomerChanged(
                tenant_id=self.tenant_id,
                at=self.clock.now(),
                customer_id=customer_id,
                action=action,
                agent_id=self.actor.agent_id if self.actor else None,
            )
        )

    async def _checked(self, data: CustomerIn) -> dict[str, Any]:
        """The row's values, custom fields checked against their definitions."""
        values = data.model_dump(mode="json", exclude={"phones", "emails"})
        rows, _ = await self.repos.table("custom_fields").list(
            self.tenant_id, filters={"entity": "customer"}, limit=1000
        )
        definitions = [
            CustomFieldDef(r["key"], r["label_zh"], r["label_en"], r["type"],
                           tuple(r["choices"] or ()), bool(r["required"]))
            for r in rows
        ]  # fmt: skip
        values["custom"] = check_custom(
            definitions, data.custom, region=self.region, time_zone=self.time_zone,
            language=self.language,
        )  # fmt: skip
        organization = data.organization_id
        if organization and not await self.repos.table("organizations").get(
            self.tenant_id, organization
        ):
            raise InvalidInput(
                "No such organization.", code="customer.organization.unknown",
                details={"field": "organization_id"},
            )  # fmt: skip
        return values

    async def create(self, data: CustomerIn) -> dict[str, Any]:
        now = self.clock.now()
        values = await self._checked(data)
        row = {"id": new_id(now), "tenant_id": self.tenant_id, **values}
        await self.repos.table("customers").insert({**row, "created_at": now, "updated_at": now})
        await self._write_identities(row["id"], data)
        self._event(row["id"], "create")
        return await self.get(row["id"])

    async def update(self, customer_id: str, data: CustomerIn) -> dict[str, Any]:
        await self.get(customer_id)
        values = await self._checked(data)
        await self.repos.table("customers").update(
            self.tenant_id, customer_id, {**values, "updated_at": self.clock.now()}
        )
        await self._write_identities(customer_id, data)
        self._event(customer_id, "update")
        return await self.get(customer_id)

    async def delete(self, customer_id: str) -> None:
        await self.get(customer_id)
        await self.repos.table("customers").delete(self.tenant_id, customer_id)
        self._event(customer_id, "delete")
