"""`SqlRepos`: the repositories of one unit of work, as the domain services' ports expect."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store import crm_tables, ops_tables, tables
from hotline.store.auth_repo import SqlAudit
from hotline.store.crud import SqlCrud, SqlLinks

__all__ = ["SqlRepos"]

_TABLES = {
    t.name: t
    for t in (
        tables.users,
        tables.skills,
        tables.teams,
        tables.agents,
        tables.queues,
        tables.calendars,
        tables.holiday_calendars,
        tables.dids,
        tables.disposition_codes,
        tables.not_ready_reasons,
        tables.customers,
        tables.quick_replies,
        tables.tickets,
        ops_tables.custom_fields,
        crm_tables.organizations,
        crm_tables.hint_rules,
    )
}


class SqlRepos:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.links = SqlLinks(conn)
        self.audit = SqlAudit(conn)

    def table(self, name: str) -> SqlCrud:
        return SqlCrud(self.conn, _TABLES[name])

    async def flow_names(self, tenant_id: str) -> set[str]:
        q = select(tables.flow_active.c.name).where(tables.flow_active.c.tenant_id == tenant_id)
        return {str(name) for name in (await self.conn.execute(q)).scalars()}
