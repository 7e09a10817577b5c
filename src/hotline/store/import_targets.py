"""Imports on SQL storage: the customer target on today's CRM tables, the tenant's phone
region and zone, and the runner built from them (wired by `hotline.app`). Other packages
register their targets on `Services.import_targets` the same way (`register_customers`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.clock import Clock
from hotline.dialer.lists import CallListTarget
from hotline.imports.customers import CustomersTarget
from hotline.imports.files import ImportFiles
from hotline.imports.ports import UnitOfWorkFactory
from hotline.imports.runner import ImportRunner, TenantInfo
from hotline.imports.service import Actor, ImportService
from hotline.imports.target import Target, TargetContext, TargetRegistry
from hotline.store.auth_repo import SqlTenants
from hotline.store.customer_records import SqlCustomerRecords
from hotline.store.dialer_repo import SqlCallListRecords
from hotline.store.imports_repo import SqlImports

__all__ = [
    "build_import_runner",
    "call_lists_target",
    "customers_target",
    "import_service",
    "register_call_lists",
    "register_customers",
    "tenant_info",
]


async def customers_target(context: TargetContext) -> Target:
    conn: AsyncConnection = context.connection
    records = SqlCustomerRecords(
        conn, tenant_id=context.tenant_id, region=context.region, now=context.now
    )
    return CustomersTarget(records, await records.custom_fields())


def register_customers(registry: TargetRegistry) -> None:
    registry.register("customers", "客户", "Customers", customers_target)


async def call_lists_target(context: TargetContext) -> Target:
    """The dialer's call lists; their custom fields are the tenant's customer fields."""
    conn: AsyncConnection = context.connection
    customers = SqlCustomerRecords(
        conn, tenant_id=context.tenant_id, region=context.region, now=context.now
    )
    records = SqlCallListRecords(conn, tenant_id=context.tenant_id, now=context.now)
    return CallListTarget(records, await customers.custom_fields())


def register_call_lists(registry: TargetRegistry) -> None:
    registry.register("call_lists", "外呼名单", "Call lists", call_lists_target)


async def tenant_info(conn: Any, tenant_id: str) -> TenantInfo:
    tenant = await SqlTenants(conn).get(tenant_id)
    if tenant is None:
        return TenantInfo("CN", "Asia/Shanghai")
    return TenantInfo(str(tenant["region"]), str(tenant["timezone"]))


def build_import_runner(
    *,
    directory: Path,
    max_upload_bytes: int,
    batch_size: int,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> ImportRunner:
    registry = TargetRegistry()
    register_customers(registry)
    register_call_lists(registry)
    return ImportRunner(
        uow=uow,
        repo=SqlImports,
        registry=registry,
        files=ImportFiles(directory, max_bytes=max_upload_bytes),
        clock=clock,
        tenant_info=tenant_info,
        batch_size=batch_size,
    )


def import_service(
    conn: AsyncConnection, *, tenant_id: str, runner: ImportRunner, clock: Clock, actor: Actor
) -> ImportService:
    """The import service of one unit of work's connection."""

    async def build(name: str) -> Target:
        info = await tenant_info(conn, tenant_id)
        context = TargetContext(
            tenant_id=tenant_id,
            region=info.region,
            time_zone=info.time_zone,
            now=clock.now(),
            actor=actor.username,
            connection=conn,
        )
        return await runner.registry.build(name, context)

    return ImportService(
        SqlImports(conn),
        tenant_id=tenant_id,
        registry=runner.registry,
        build_target=build,
        files=runner.files,
        clock=clock,
        actor=actor,
    )
