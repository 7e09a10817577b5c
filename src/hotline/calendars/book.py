"""`CalendarBook`: every tenant's business-hours calendars, compiled by the one engine and kept
in step with the admin's changes — the `CalendarSource` the flows' hours nodes ask.

It loads each tenant's calendars (with their linked holiday calendars) at start and again when
a `config.changed` event names a calendar or a holiday calendar. Compilation goes through
`hotline.hours.calendar_from_record`, which shares one object per distinct calendar, so a
queue whose calendar is "工作时间" and a flow whose hours node names "工作时间" ask the very
same `BusinessCalendar`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.bus import EventBus
from hotline.hours import BusinessCalendar, InvalidHours, calendar_from_record
from hotline.store.auth_repo import SqlTenants
from hotline.store.repos import SqlRepos

__all__ = ["CALENDAR_ENTITIES", "CalendarBook", "load_calendars"]

log = logging.getLogger(__name__)

CALENDAR_ENTITIES = frozenset({"calendar", "holiday_calendar"})


async def load_calendars(conn: AsyncConnection, tenant_id: str) -> dict[str, BusinessCalendar]:
    """A tenant's calendars by name (and by id), compiled; a broken one is left out (logged)."""
    repos = SqlRepos(conn)
    holiday_rows, _ = await repos.table("holiday_calendars").list(tenant_id, limit=100_000)
    sets: dict[str, Any] = {str(r["id"]): list(r["entries"]) for r in holiday_rows}
    rows, _ = await repos.table("calendars").list(tenant_id, limit=100_000)
    out: dict[str, BusinessCalendar] = {}
    for row in rows:
        try:
            compiled = calendar_from_record(row, sets)
        except InvalidHours as error:
            log.warning("calendar %s of tenant %s: %s", row["name"], tenant_id, error)
            continue
        out[str(row["name"])] = compiled
        out[str(row["id"])] = compiled
    return out


class CalendarBook:
    def __init__(self, engine: AsyncEngine, bus: EventBus | None) -> None:
        self.engine = engine
        self.bus = bus
        self._tenants: dict[str, dict[str, BusinessCalendar]] = {}
        self._task: asyncio.Task[None] | None = None

    def calendar(self, tenant_id: str, name: str) -> BusinessCalendar | None:
        """The tenant's calendar of that name (or id); None if there is none."""
        return self._tenants.get(tenant_id, {}).get(name)

    def names(self, tenant_id: str) -> list[str]:
        """The tenant's calendar names (ids are in the book too, for queues)."""
        return sorted(n for n, c in self._tenants.get(tenant_id, {}).items() if c.name == n)

    async def reload(self, tenant_id: str) -> None:
        async with self.engine.connect() as conn:
            self._tenants[tenant_id] = await load_calendars(conn, tenant_id)

    async def load_all(self) -> None:
        async with self.engine.connect() as conn:
            tenants = [str(t["id"]) for t in await SqlTenants(conn).all()]
            for tenant_id in tenants:
                self._tenants[tenant_id] = await load_calendars(conn, tenant_id)

    async def start(self) -> None:
        await self.load_all()
        if self.bus is not None:
            self._task = asyncio.create_task(self._follow(self.bus), name="calendar-book")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self, bus: EventBus) -> None:
        sub = bus.subscribe(types={"config.changed"}, cluster=True)
        async for record in sub:
            if record.payload.get("entity") not in CALENDAR_ENTITIES:
                continue
            try:
                await self.reload(record.tenant_id)
            except Exception:
                log.exception("reloading the calendars of tenant %s failed", record.tenant_id)
