"""The center's calendars: business hours with linked holiday calendars (节假日日历), kept
compiled for flows and queues (`CalendarBook`), and holiday imports from iCalendar files and
the shipped Chinese public-holiday data (docs/hours.md)."""

from __future__ import annotations

from hotline.calendars.book import CALENDAR_ENTITIES, CalendarBook, load_calendars

__all__ = ["CALENDAR_ENTITIES", "CalendarBook", "load_calendars"]
