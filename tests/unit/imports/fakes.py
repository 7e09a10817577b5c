"""An in-memory `CustomerRecords`: the customer target's port without a database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from hotline.imports.customers import CustomFieldDef, identity_keys
from hotline.imports.model import Record


class InMemoryCustomerRecords:
    def __init__(self, custom: Sequence[CustomFieldDef] = ()) -> None:
        self.stored: dict[str, Record] = {}
        self.custom = list(custom)
        self.locks = 0
        self._next = 0

    def put(self, record: Record) -> str:
        self._next += 1
        customer_id = f"c{self._next:04d}"
        self.stored[customer_id] = {"vip_level": 0, "tags": [], **record, "id": customer_id}
        return customer_id

    async def custom_fields(self) -> list[CustomFieldDef]:
        return self.custom

    async def lock(self) -> None:
        self.locks += 1

    async def find(self, keys: Sequence[str]) -> dict[str, set[str]]:
        wanted = set(keys)
        out: dict[str, set[str]] = {}
        for customer_id, record in self.stored.items():
            for key in identity_keys(record):
                if key in wanted:
                    out.setdefault(key, set()).add(customer_id)
        return out

    async def load(self, ids: Sequence[str]) -> dict[str, Record]:
        return {i: dict(self.stored[i]) for i in ids if i in self.stored}

    async def add(self, records: Sequence[Record]) -> None:
        for record in records:
            self.put(record)

    async def replace(self, changes: Sequence[tuple[str, Record]]) -> None:
        for customer_id, record in changes:
            self.stored[customer_id] = {**record, "id": customer_id}

    async def scan(self, batch_size: int) -> AsyncIterator[list[Record]]:
        records = list(self.stored.values())
        for start in range(0, len(records), batch_size):
            yield records[start : start + batch_size]
