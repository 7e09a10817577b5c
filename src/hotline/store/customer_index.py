"""`IndexedCustomerDirectory`: the call path's `CustomerDirectory`, answered from memory.

Every customer's phone keys and VIP level are read once at start (`load_all`) into a
`PhoneIndex` and kept current by customer events (`refresh`). A caller who is nobody's
customer costs no database read. A customer's details (name, tags, custom fields: what the
flow's `customer.*` and the screen pop show) are read by primary key and kept in a small cache;
the caller waits for them at most `details_wait_s` (200 ms). Past that the answer carries the
customer id and VIP level from memory — priority is never lost — and the details arrive later
(`details_late` counts how often).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.crm.phone_index import PhoneIndex, PhoneOwner
from hotline.crm.phones import phone_key
from hotline.ids import CustomerId
from hotline.interactions.ports import CustomerRecord
from hotline.store.tables import customer_phones, customers, tenants

__all__ = ["IndexedCustomerDirectory"]

log = logging.getLogger(__name__)

_BATCH = 20_000


@lru_cache(maxsize=65_536)
def _key(number: str, region: str) -> str:
    return phone_key(number, region)


def _record(row: Row[Any]) -> CustomerRecord:
    values = row._mapping
    fields: dict[str, str | int | float | bool | None] = {
        k: v
        for k, v in dict(values["custom"] or {}).items()
        if isinstance(v, str | int | float | bool)
    }
    fields["tags"] = ",".join(values["tags"] or [])
    return CustomerRecord(
        customer_id=CustomerId(str(values["id"])),
        name=values["name"],
        vip_level=int(values["vip_level"]),
        fields=fields,
    )


class IndexedCustomerDirectory:
    def __init__(
        self, engine: AsyncEngine, *, details_wait_s: float = 0.2, cache_size: int = 10_000
    ) -> None:
        self._engine = engine
        self.details_wait_s = details_wait_s
        self.cache_size = cache_size
        self.index = PhoneIndex()
        self._regions: dict[str, str] = {}
        self._details: OrderedDict[tuple[str, str], CustomerRecord] = OrderedDict()
        self._fetching: dict[tuple[str, str], asyncio.Task[CustomerRecord | None]] = {}
        self.details_late = 0
        self.details_failed = 0

    # --- keeping it current ---------------------------------------------------------------

    async def load_all(self) -> int:
        """Every tenant's customers' numbers (at start; again after a bulk change)."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(tenants.c.id, tenants.c.region))).all()
            self._regions = {str(r.id): str(r.region or "CN") for r in rows}
            fresh = PhoneIndex()
            q = (
                select(
                    customer_phones.c.tenant_id,
                    customer_phones.c.customer_id,
                    customer_phones.c.e164,
                    customers.c.vip_level,
                    customers.c.created_at,
                )
                .join(customers, customers.c.id == customer_phones.c.customer_id)
                .order_by(customer_phones.c.tenant_id, customer_phones.c.customer_id)
            )
            result = await conn.stream(q)
            current: tuple[str, str] | None = None
            owner: PhoneOwner | None = None
            keys: list[str] = []
            async for partition in result.partitions(_BATCH):
                for row in partition:
                    who = (str(row.tenant_id), str(row.customer_id))
                    if who != current:
                        if current is not None and owner is not None:
                            fresh.replace(current[0], owner, keys)
                        current, keys = who, []
                        owner = PhoneOwner(who[1], int(row.vip_level), float(row.created_at))
                    keys.append(str(row.e164))
            if current is not None and owner is not None:
                fresh.replace(current[0], owner, keys)
        self.index = fresh
        self._details.clear()
        return len(fresh)

    async def load_regions(self) -> None:
        """Each tenant's region (how its callers' numbers are read): at start, on tenant events."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(tenants.c.id, tenants.c.region))).all()
        self._regions = {str(r.id): str(r.region or "CN") for r in rows}

    def tenants(self) -> list[str]:
        """The tenants whose callers are indexed (every tenant, as of the last region read)."""
        return list(self._regions)

    async def refresh(self, tenant_id: str, customer_id: str) -> None:
        """One customer created, changed, merged away or deleted: its entry as stored now."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(customers.c.vip_level, customers.c.created_at).where(
                        customers.c.tenant_id == tenant_id, customers.c.id == customer_id
                    )
                )
            ).first()
            keys = (
                await conn.scalars(
                    select(customer_phones.c.e164).where(
                        customer_phones.c.tenant_id == tenant_id,
                        customer_phones.c.customer_id == customer_id,
                    )
                )
            ).all()
        self._details.pop((tenant_id, customer_id), None)
        if row is None:
            self.index.remove(tenant_id, customer_id)
            return
        owner = PhoneOwner(customer_id, int(row.vip_level), float(row.created_at))
        self.index.replace(tenant_id, owner, [str(k) for k in keys])

    # --- CustomerDirectory ----------------------------------------------------------------

    async def find_by_number(self, tenant_id: str, number: str) -> CustomerRecord | None:
        key = _key(number, self._regions.get(tenant_id, "CN"))
        owner = self.index.find(tenant_id, key) if key else None
        if owner is None:
            return None
        which = (tenant_id, owner.customer_id)
        cached = self._details.get(which)
        if cached is not None:
            self._details.move_to_end(which)
            return cached
        task = self._fetching.get(which)
        if task is None:
            task = asyncio.create_task(self._fetch(which), name="customer-details")
            self._fetching[which] = task
        try:
            found = await asyncio.wait_for(asyncio.shield(task), self.details_wait_s)
        except TimeoutError:
            self.details_late += 1
            log.info(
                "details of customer %s later than %.0f ms", which[1], 1000 * self.details_wait_s
            )
            return CustomerRecord(CustomerId(owner.customer_id), vip_level=owner.vip_level)
        except Exception:
            self.details_failed += 1
            log.exception("details of customer %s could not be read", which[1])
            return CustomerRecord(CustomerId(owner.customer_id), vip_level=owner.vip_level)
        if found is None:  # deleted since the index saw it: its event follows
            return None
        return found

    async def _fetch(self, which: tuple[str, str]) -> CustomerRecord | None:
        try:
            q = select(customers).where(
                customers.c.tenant_id == which[0], customers.c.id == which[1]
            )
            async with self._engine.connect() as conn:
                row = (await conn.execute(q)).first()
            if row is None:
                return None
            record = _record(row)
            self._details[which] = record
            while len(self._details) > self.cache_size:
                self._details.popitem(last=False)
            return record
        finally:
            self._fetching.pop(which, None)

    def stats(self) -> dict[str, float]:
        return {
            "customers_indexed": float(len(self.index)),
            "customer_details_late": float(self.details_late),
            "customer_details_failed": float(self.details_failed),
        }
