"""Which rows of each table are a tenant's: what a tenant's export copies and its purge deletes
(docs/tenants.md). One rule for both, so an export holds exactly what the purge removes.

A table with `tenant_id` holds the tenant's rows by that column; `tenants` by its id; a link
table without one (`agent_skills`, `queue_skills` …) by its parent's tenant. Anything else
(`login_failures`, keyed by address; `cluster_nodes`, keyed by node) belongs to no tenant.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.schema import metadata
from hotline.store.tables import recordings  # (importing `tables` registers every table)

__all__ = ["delete_tenant_rows", "of_tenant", "recording_paths", "tenant_tables"]


def of_tenant(table: Table, tenant_id: str) -> ColumnElement[bool] | None:
    """The condition selecting `tenant_id`'s rows of `table`; None: the table has none."""
    if table.name == "tenants":
        return table.c.id == tenant_id
    if "tenant_id" in table.c:
        return table.c.tenant_id == tenant_id
    for column in table.c:
        for key in column.foreign_keys:
            parent = key.column.table
            if isinstance(parent, Table) and "tenant_id" in parent.c:
                return column.in_(select(key.column).where(parent.c.tenant_id == tenant_id))
    return None


def tenant_tables(tenant_id: str) -> Iterator[tuple[Table, ColumnElement[bool] | None]]:
    """Every table, parents first, with the condition of the tenant's rows."""
    for table in metadata.sorted_tables:
        yield table, of_tenant(table, tenant_id)


async def recording_paths(conn: AsyncConnection, tenant_id: str) -> list[str]:
    """The storage keys of the tenant's recordings (files under the recordings folder)."""
    rows = await conn.execute(select(recordings.c.path).where(recordings.c.tenant_id == tenant_id))
    return [str(path) for (path,) in rows]


async def delete_tenant_rows(conn: AsyncConnection, tenant_id: str) -> dict[str, int]:
    """Delete every row of the tenant, children before parents (foreign keys hold throughout);
    returns the count per table. Other tenants' rows are never touched."""
    counts: dict[str, int] = {}
    for table, condition in reversed(list(tenant_tables(tenant_id))):
        if condition is None:
            continue
        done = await conn.execute(delete(table).where(condition))
        if done.rowcount:
            counts[table.name] = int(done.rowcount)
    return counts
