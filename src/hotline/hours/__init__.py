"""Business hours: one engine for flows, queues, ticket SLAs and dialer windows (docs/hours.md).

A pure core (standard library and `zoneinfo` only): `BusinessCalendar` answers `status(t)` /
`is_open(t)`, `next_open(t)`, `next_close(t)`, `next_change(t)`, `business_seconds(t1, t2)`
and `add_business_seconds(t, s)` for epoch times in the calendar's zone. Build calendars with
`calendar_from_record` (stored calendars with linked holiday calendars) or `build_calendar`.
"""

from __future__ import annotations

from hotline.hours.build import (
    ALWAYS,
    calendar_from_record,
    entry_rules,
    parse_date,
    parse_date_range,
    shared,
    weekly_spans,
)
from hotline.hours.calendar import BusinessCalendar, DayKind, DayRule, HoursStatus
from hotline.hours.errors import InvalidHours
from hotline.hours.spans import (
    WEEKDAYS,
    Span,
    check_zone,
    format_span,
    merge_spans,
    parse_span,
    parse_spans,
)

__all__ = [
    "ALWAYS",
    "WEEKDAYS",
    "BusinessCalendar",
    "DayKind",
    "DayRule",
    "HoursStatus",
    "InvalidHours",
    "Span",
    "calendar_from_record",
    "check_zone",
    "entry_rules",
    "format_span",
    "merge_spans",
    "parse_date",
    "parse_date_range",
    "parse_span",
    "parse_spans",
    "shared",
    "weekly_spans",
]
