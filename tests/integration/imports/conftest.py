"""Imports over a migrated database (SQLite and PostgreSQL): services with the runner, a
tenant with the custom fields the test files use, and helpers to upload and run."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.app import Services, build_services
from hotline.config import DatabaseSettings, ImportSettings, Settings
from hotline.crm.service import CustomerService
from hotline.demo import create_tenant
from hotline.directory.schemas import CustomerIn
from hotline.ids import new_id
from hotline.imports.model import Counts
from hotline.imports.schemas import ImportOptionsIn
from hotline.imports.service import Actor, ImportService
from hotline.store.customer_records import SqlCustomerRecords
from hotline.store.import_targets import import_service
from hotline.store.tables import custom_fields
from hotline.store.uow import UnitOfWork
from tests.imports_data import CUSTOM_FIELDS, Customer


@dataclass
class Env:
    services: Services
    tenant_id: str

    def service(self, uow: UnitOfWork) -> ImportService:
        return import_service(
            uow.conn,
            tenant_id=self.tenant_id,
            runner=self.services.imports,
            clock=self.services.clock,
            actor=Actor(None, "tester"),
        )

    async def upload(self, path: Path, **options: Any) -> dict[str, Any]:
        async with self.services.uow() as uow:
            with path.open("rb") as f:
                row = await self.service(uow).create("customers", path.name, f)
            if options:
                row = await self.service(uow).configure(row["id"], ImportOptionsIn(**options))
            await uow.commit()
        return row

    async def configure(self, import_id: str, **options: Any) -> dict[str, Any]:
        async with self.services.uow() as uow:
            row = await self.service(uow).configure(import_id, ImportOptionsIn(**options))
            await uow.commit()
        return row

    async def run(self, import_id: str, kind: str) -> Counts:
        runner = self.services.imports
        await runner.begin(self.tenant_id, import_id, kind, background=False)
        return await runner.run(self.tenant_id, import_id, kind, "tester")

    async def get(self, import_id: str) -> dict[str, Any]:
        async with self.services.uow(write=False) as uow:
            return await self.service(uow).view(import_id)

    async def problems(self, import_id: str) -> list[dict[str, Any]]:
        async with self.services.uow(write=False) as uow:
            items, _ = await self.service(uow).problems(
                import_id, language="zh-CN", limit=1_000_000, offset=0
            )
        return items

    async def customers(self) -> dict[str, dict[str, Any]]:
        """Every stored customer as the import's records, by its first identity."""
        out: dict[str, dict[str, Any]] = {}
        async with self.services.uow(write=False) as uow:
            records = SqlCustomerRecords(uow.conn, tenant_id=self.tenant_id, region="CN", now=0)
            async for batch in records.scan(2000):
                for record in batch:
                    key = (record["phones"] or record["emails"])[0]
                    out[key] = record
        return out

    async def store_customers(self, customers: list[Customer]) -> None:
        """Customers created the way agents do (the CRM service, phones as typed)."""
        async with self.services.uow() as uow:
            from hotline.store.repos import SqlRepos

            service = CustomerService(
                SqlRepos(uow.conn),
                tenant_id=self.tenant_id,
                clock=self.services.clock,
                emit=uow.emit,
            )
            for c in customers:
                digits = c.phones[0].removeprefix("+86")
                await service.create(
                    CustomerIn(
                        name=c.name,
                        phones=[f"{digits[:3]} {digits[3:7]} {digits[7:]}"],
                        emails=c.emails,
                        vip_level=c.vip or 0,
                        tags=c.tags,
                        notes=c.notes or "",
                    )
                )
            await uow.commit()


def as_customer(record: dict[str, Any]) -> tuple[Any, ...]:
    return (
        record["name"],
        sorted(record["phones"]),
        sorted(record["emails"]),
        record["vip_level"] or 0,
        sorted(record["tags"]),
        record.get("custom.birthday"),
        record.get("custom.gender"),
        record.get("notes"),
    )


@contextlib.asynccontextmanager
async def open_env(
    database_url: str, directory: Path, *, batch_size: int = 200
) -> AsyncIterator[Env]:
    """Started services on a migrated, empty database, and tenant `demo` with the custom
    fields of the test files."""
    settings = Settings.load(
        database=DatabaseSettings(url=database_url),
        imports=ImportSettings(directory=directory, batch_size=batch_size),
    )
    services = build_services(settings)
    await services.start(run_migrations=False)
    try:
        tenant_id = await create_tenant(
            services.uow, services.clock, slug="demo", name="演示", sip_domain="demo.test"
        )
        now = services.clock.now()
        async with services.uow() as uow:
            for position, field in enumerate(CUSTOM_FIELDS):
                await uow.conn.execute(
                    insert(custom_fields).values(
                        id=new_id(now),
                        tenant_id=tenant_id,
                        entity="customer",
                        key=field["key"],
                        label_zh=field["label_zh"],
                        label_en=field["label_en"],
                        type=field["type"],
                        choices=field.get("choices", []),
                        required=False,
                        position=position,
                        created_at=now,
                        updated_at=now,
                    )
                )
            await uow.commit()
        yield Env(services, tenant_id)
    finally:
        await services.stop()


@pytest.fixture
async def env(engine: AsyncEngine, database_url: str, tmp_path: Path) -> AsyncIterator[Env]:
    async with open_env(database_url, tmp_path / "imports") as opened:
        yield opened
