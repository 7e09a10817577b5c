"""Importing holiday calendars: from a shipped year (Chinese holidays) or any `.ics` text,
created or replaced by name through the directory (audited, announced as `config.changed`)."""

from __future__ import annotations

from typing import Any

from hotline.calendars.ics import read_ics
from hotline.calendars.shipped import shipped_holidays
from hotline.directory.schemas import HolidayCalendarIn
from hotline.directory.service import DirectoryService
from hotline.errors import InvalidInput

__all__ = ["import_ics", "import_shipped", "save_holiday_calendar"]


async def save_holiday_calendar(
    directory: DirectoryService, *, name: str, source: str, entries: list[dict[str, Any]]
) -> dict[str, Any]:
    """Create the holiday calendar `name`, or replace its entries if it exists."""
    data = HolidayCalendarIn.model_validate({"name": name, "source": source, "entries": entries})
    rows, _ = await directory.list_simple("holiday_calendar", search=None, limit=100_000, offset=0)
    existing = next((r for r in rows if r["name"] == data.name), None)
    if existing is None:
        return await directory.create_simple("holiday_calendar", data)
    return await directory.update_simple("holiday_calendar", str(existing["id"]), data)


async def import_shipped(
    directory: DirectoryService, *, year: int, region: str = "CN", name: str | None = None
) -> dict[str, Any]:
    shipped = shipped_holidays(year, region)
    return await save_holiday_calendar(
        directory, name=name or shipped.name, source=shipped.source, entries=shipped.entries
    )


async def import_ics(
    directory: DirectoryService, *, text: str, name: str, source: str = "ics"
) -> dict[str, Any]:
    if not name.strip():
        raise InvalidInput("a name is needed for the imported calendar", details={"field": "name"})
    return await save_holiday_calendar(
        directory, name=name, source=source[:200], entries=read_ics(text.encode("utf-8"))
    )
