"""A center's day that holds the events a test writes a minute before it looks.

Tests that seed events at `time.time()` and read today's figures (the wallboard, the reports
screen) would find them in yesterday when run in the minutes after the center's midnight. They
set the center in a zone where it is daytime now."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.tables import tenants

# Between them these zones hold every hour of the world's day in their 06:00-18:00.
ZONES = ("Asia/Shanghai", "Europe/London", "America/New_York")


def daytime_zone(now: float) -> str:
    """A zone where `now` is at least six hours from midnight."""
    for name in ZONES:
        if 6 <= datetime.fromtimestamp(now, ZoneInfo(name)).hour < 18:
            return name
    raise AssertionError("no zone in daytime")  # the three zones cover the day


async def center_in_daytime(conn: AsyncConnection, tenant_id: str, now: float) -> str:
    """Set the center's time zone to one where `now` is daytime; returns it."""
    zone = daytime_zone(now)
    await conn.execute(tenants.update().where(tenants.c.id == tenant_id).values(timezone=zone))
    return zone
