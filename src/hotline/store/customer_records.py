"""Customers in the import's record shape (`hotline.imports.customers.CustomerRecords`), on
today's customers, customer_phones and customer_emails tables. The customer import depends on
CRM storage only through this adapter; a rebuilt CRM replaces it.

Phones: `e164` keeps the lookup key the screen pop uses (the number without extension) and
`raw` the number as stored — what an agent typed, or the import's `+86…;ext=123`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import JSON, Table, bindparam, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.ids import new_id
from hotline.imports.customers import CustomFieldDef
from hotline.imports.model import Record
from hotline.imports.phones import PhoneProblem, normalize_phone
from hotline.store.ops_tables import custom_fields
from hotline.store.tables import customer_emails, customer_phones, customers

__all__ = ["SqlCustomerRecords", "stored_phone_key"]

_CHUNK = 500
_BUILTIN = ("name", "vip_level", "tags", "notes")


def stored_phone_key(e164: str, raw: str, region: str) -> str:
    """A stored phone's identity key, as the import's cleaner writes it."""
    if raw == e164 or ";ext=" in raw:
        return raw
    try:
        return normalize_phone(raw, region).key
    except PhoneProblem:
        return e164


class SqlCustomerRecords:
    def __init__(self, conn: AsyncConnection, *, tenant_id: str, region: str, now: float) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.region = region
        self.now = now
        self._planned = False
        self._added = 0  # customers this transaction added
        self._analyzed_at = 10_000

    async def custom_fields(self) -> list[CustomFieldDef]:
        q = (
            select(custom_fields)
            .where(
                custom_fields.c.tenant_id == self.tenant_id, custom_fields.c.entity == "customer"
            )
            .order_by(custom_fields.c.position, custom_fields.c.key)
        )
        return [
            CustomFieldDef(
                key=r.key,
                label_zh=r.label_zh,
                label_en=r.label_en,
                type=r.type,
                choices=tuple(r.choices or ()),
                required=bool(r.required),
            )
            for r in await self.conn.execute(q)
        ]

    async def lock(self) -> None:
        # SQLite's writer already holds the database (BEGIN IMMEDIATE); PostgreSQL needs a
        # lock of its own, released when the transaction ends.
        if self.conn.dialect.name == "postgresql":
            await self.conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"hotline.import:{self.tenant_id}:customers"},
            )

    async def _custom_plans(self) -> None:
        # The lookups must stay narrow index scans while the import's own transaction grows
        # the tables. asyncpg prepares each lookup, and after a few runs PostgreSQL may switch
        # to a generic plan that cannot see the keys; and the statistics describe the tables
        # as they were before the import (a handful of rows a tenant), so the planner walks
        # the tenant's whole part of the index per batch — quadratic over a big file. ANALYZE
        # inside the transaction counts its own new rows; it runs each time they double.
        if self.conn.dialect.name != "postgresql":
            return
        if not self._planned:
            await self.conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            self._planned = True
        if self._added >= self._analyzed_at:
            await self.conn.execute(text("ANALYZE customers, customer_phones, customer_emails"))
            self._analyzed_at = 2 * self._added

    async def find(self, keys: Sequence[str]) -> dict[str, set[str]]:
        await self._custom_plans()
        phones = [k.removeprefix("tel:") for k in keys if k.startswith("tel:")]
        emails = [k.removeprefix("mailto:") for k in keys if k.startswith("mailto:")]
        wanted = set(keys)
        out: dict[str, set[str]] = defaultdict(set)
        bases = list(dict.fromkeys(p.split(";ext=")[0] for p in phones))
        t = customer_phones
        for start in range(0, len(bases), _CHUNK):
            q = select(t.c.customer_id, t.c.e164, t.c.raw).where(
                t.c.tenant_id == self.tenant_id, t.c.e164.in_(bases[start : start + _CHUNK])
            )
            for row in await self.conn.execute(q):
                key = "tel:" + stored_phone_key(row.e164, row.raw, self.region)
                if key in wanted:
                    out[key].add(row.customer_id)
        e = customer_emails
        for start in range(0, len(emails), _CHUNK):
            q = select(e.c.customer_id, e.c.email).where(
                e.c.tenant_id == self.tenant_id, e.c.email.in_(emails[start : start + _CHUNK])
            )
            for found in await self.conn.execute(q):
                out["mailto:" + found.email].add(found.customer_id)
        return dict(out)

    async def _identities(
        self, ids: Sequence[str]
    ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        phones: dict[str, list[str]] = defaultdict(list)
        emails: dict[str, list[str]] = defaultdict(list)
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            t = customer_phones
            q = select(t.c.customer_id, t.c.e164, t.c.raw).where(t.c.customer_id.in_(chunk))
            for row in await self.conn.execute(q.order_by(t.c.id)):
                phones[row.customer_id].append(stored_phone_key(row.e164, row.raw, self.region))
            e = customer_emails
            q = select(e.c.customer_id, e.c.email).where(e.c.customer_id.in_(chunk))
            for found in await self.conn.execute(q.order_by(e.c.id)):
                emails[found.customer_id].append(found.email)
        return phones, emails

    @staticmethod
    def _record(row: Any, phones: list[str], emails: list[str]) -> Record:
        record: Record = {
            "id": row.id,
            "name": row.name,
            "phones": list(dict.fromkeys(phones)),
            "emails": list(dict.fromkeys(emails)),
            "vip_level": row.vip_level,
            "tags": list(row.tags or []),
            "notes": row.notes or None,
        }
        for key, value in (row.custom or {}).items():
            record[f"custom.{key}"] = value
        return record

    async def load(self, ids: Sequence[str]) -> dict[str, Record]:
        if not ids:
            return {}
        phones, emails = await self._identities(ids)
        out: dict[str, Record] = {}
        for start in range(0, len(ids), _CHUNK):
            q = select(customers).where(
                customers.c.tenant_id == self.tenant_id,
                customers.c.id.in_(list(ids[start : start + _CHUNK])),
            )
            for row in await self.conn.execute(q):
                out[row.id] = self._record(row, phones[row.id], emails[row.id])
        return out

    def _values(self, record: Record) -> dict[str, Any]:
        return {
            "name": record["name"],
            "vip_level": int(record.get("vip_level") or 0),
            "tags": list(record.get("tags") or []),
            "notes": record.get("notes") or "",
            "custom": {
                k.removeprefix("custom."): v for k, v in record.items() if k.startswith("custom.")
            },
        }

    def _phone_rows(self, customer_id: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        return [
            {
                "tenant_id": self.tenant_id,
                "customer_id": customer_id,
                "e164": key.split(";ext=")[0],
                "raw": key,
            }
            for key in keys
        ]

    def _email_rows(self, customer_id: str, emails: Sequence[str]) -> list[dict[str, Any]]:
        return [
            {"tenant_id": self.tenant_id, "customer_id": customer_id, "email": e} for e in emails
        ]

    async def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.conn.dialect.name != "postgresql":
            await self.conn.execute(insert(table), rows)  # sqlite3's executemany
            return
        # PostgreSQL: COPY on the run's own connection and transaction — several times the
        # rate of an executemany of INSERTs (bench/import.py).
        columns = list(rows[0])
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        records = [
            tuple(
                json.dumps(r[c], ensure_ascii=False) if c in json_columns else r[c] for c in columns
            )
            for r in rows
        ]
        raw = await self.conn.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(table.name, records=records, columns=columns)

    async def add(self, records: Sequence[Record]) -> None:
        rows, phones, emails = [], [], []
        for record in records:
            customer_id = new_id(self.now)
            rows.append(
                {
                    "id": customer_id,
                    "tenant_id": self.tenant_id,
                    **self._values(record),
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
            phones += self._phone_rows(customer_id, record.get("phones") or [])
            emails += self._email_rows(customer_id, record.get("emails") or [])
        await self._insert(customers, rows)
        await self._insert(customer_phones, phones)
        await self._insert(customer_emails, emails)
        self._added += len(rows)

    async def replace(self, changes: Sequence[tuple[str, Record]]) -> None:
        """New values of stored customers. Identities are only added: the stored ones stay
        as they were typed."""
        stmt = (
            update(customers)
            .where(customers.c.tenant_id == self.tenant_id, customers.c.id == bindparam("_id"))
            .values(
                name=bindparam("name"),
                vip_level=bindparam("vip_level"),
                tags=bindparam("tags"),
                notes=bindparam("notes"),
                custom=bindparam("custom"),
                updated_at=bindparam("_now"),
            )
        )
        await self.conn.execute(
            stmt, [{"_id": i, "_now": self.now, **self._values(r)} for i, r in changes]
        )
        phones, emails = await self._identities([i for i, _ in changes])
        new_phones, new_emails = [], []
        for customer_id, record in changes:
            have = set(phones[customer_id])
            new_phones += self._phone_rows(
                customer_id, [k for k in record.get("phones") or [] if k not in have]
            )
            have = set(emails[customer_id])
            new_emails += self._email_rows(
                customer_id, [e for e in record.get("emails") or [] if e not in have]
            )
        await self._insert(customer_phones, new_phones)
        await self._insert(customer_emails, new_emails)

    async def scan(self, batch_size: int) -> AsyncIterator[list[Record]]:
        last = ""
        while True:
            q = (
                select(customers)
                .where(customers.c.tenant_id == self.tenant_id, customers.c.id > last)
                .order_by(customers.c.id)
                .limit(batch_size)
            )
            rows = list(await self.conn.execute(q))
            if not rows:
                return
            last = rows[-1].id
            phones, emails = await self._identities([r.id for r in rows])
            yield [self._record(r, phones[r.id], emails[r.id]) for r in rows]
