"""Building calendars from their stored form (the admin's calendars and holiday calendars, a
flow file's inline calendars) — one path, so every consumer gets the same engine.

    calendar = calendar_from_record(row, holiday_sets={hc["id"]: hc["entries"] ...})

Precedence on a date: the calendar's own dated entries (a closed day, or a day with its own
hours), then the linked holiday calendars in order (holiday: closed; make-up workday: open with
the entry's hours, else the hours of the calendar's `makeup_day`), then the weekday's hours.

`shared(calendar)` returns one instance per distinct calendar, so the flow's hours node and the
queue, built from the same stored calendar, hold the very same object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from hotline.hours.calendar import BusinessCalendar, DayKind, DayRule
from hotline.hours.errors import InvalidHours
from hotline.hours.spans import WEEKDAYS, Span, check_zone, parse_spans, weekday_index

__all__ = [
    "ALWAYS",
    "calendar_from_record",
    "entry_rules",
    "parse_date",
    "parse_date_range",
    "shared",
    "weekly_spans",
]

MAX_RANGE_DAYS = 366


def parse_date(value: object, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidHours(
            f"{value!r} is not a date like 2026-10-01", field=field, value=value
        ) from None


def parse_date_range(value: object, field: str) -> list[date]:
    """`2026-10-01` or `2026-10-01..2026-10-07` → the dates."""
    if isinstance(value, date):
        return [value]
    first, _, last = str(value).partition("..")
    start = parse_date(first, field)
    end = parse_date(last, field) if last else start
    if end < start:
        raise InvalidHours(f"{value!r}: the range ends before it starts", field=field, value=value)
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidHours(f"{value!r}: a range is at most a year", field=field, value=value)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def weekly_spans(
    weekly: Mapping[str, Iterable[str | Sequence[str]]],
) -> tuple[tuple[Span, ...], ...]:
    """`{"mon": ["09:00-12:00", ["13:30", "18:00"]], "sat": []}` → seven days of ranges.
    A key may be a day range (`mon-fri`) or a list (`sat,sun`); absent days are closed."""
    days: list[list[Span]] = [[] for _ in WEEKDAYS]
    for key, spans in weekly.items():
        field = f"weekly.{key}"
        ranges = parse_spans(list(spans) if not isinstance(spans, str) else [spans], field)
        for index in _day_keys(key, field):
            days[index].extend(ranges)
    return tuple(tuple(sorted(d)) for d in days)


def _day_keys(key: str, field: str) -> list[int]:
    out: list[int] = []
    for part in key.replace(" ", "").split(","):
        first, _, last = part.partition("-")
        a, b = weekday_index(first, field), weekday_index(last or first, field)
        out.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return out


def entry_rules(
    entries: Iterable[Mapping[str, Any]], *, field: str, makeup: tuple[Span, ...]
) -> dict[date, DayRule]:
    """Dated entries `{"date", "kind"?, "name"?, "hours"?}` → rules. `kind` "workday" is a
    make-up workday (its hours, else `makeup`); "holiday" (the default) is closed unless it
    has hours, which makes it a special day with those hours; "closed" shuts the day without
    calling it a holiday."""
    rules: dict[date, DayRule] = {}
    for index, entry in enumerate(entries):
        where = f"{field}.{index}"
        if not isinstance(entry, Mapping) or "date" not in entry:
            raise InvalidHours("an entry needs a date", field=where, value=entry)
        kind = str(entry.get("kind") or "holiday")
        name = str(entry.get("name") or "")[:100]
        hours = entry.get("hours") or []
        spans = parse_spans(hours, f"{where}.hours")
        if kind == "workday":
            rule = DayRule(DayKind.WORKDAY, spans or makeup, name)
        elif kind == "closed":
            rule = DayRule(DayKind.SPECIAL, (), name)
        elif kind == "holiday":
            rule = (
                DayRule(DayKind.SPECIAL, spans, name)
                if spans
                else DayRule(DayKind.HOLIDAY, (), name)
            )
        else:
            raise InvalidHours(
                f"{kind!r} is not 'holiday' or 'workday'", field=f"{where}.kind", value=kind
            )
        for day in parse_date_range(entry["date"], f"{where}.date"):
            rules[day] = rule
    return rules


@lru_cache(maxsize=1024)
def shared(calendar: BusinessCalendar) -> BusinessCalendar:
    """One instance per distinct calendar (a pure memo: equal in, the first such object out)."""
    return calendar


def calendar_from_record(
    record: Mapping[str, Any],
    holiday_sets: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> BusinessCalendar:
    """A stored business-hours calendar: `timezone`, `weekly`, `holidays` (its own dated
    entries), `holiday_calendar_ids` (linked holiday calendars, looked up in `holiday_sets`)
    and `makeup_day` (the weekday whose hours a make-up workday keeps)."""
    timezone = str(record.get("timezone") or "")
    check_zone(timezone)
    weekly = weekly_spans(_weekly_texts(record.get("weekly") or {}))
    makeup = weekly[weekday_index(str(record.get("makeup_day") or "mon"), "makeup_day")]
    rules: dict[date, DayRule] = {}
    for ref in record.get("holiday_calendar_ids") or []:
        entries = (holiday_sets or {}).get(str(ref))
        if entries is None:
            continue  # deleted meanwhile: the link no longer counts
        rules.update(entry_rules(entries, field=f"holiday_calendars.{ref}", makeup=makeup))
    rules.update(entry_rules(record.get("holidays") or [], field="holidays", makeup=makeup))
    return shared(
        BusinessCalendar(
            timezone, weekly, tuple(sorted(rules.items())), str(record.get("name") or "")
        )
    )


def _weekly_texts(weekly: Mapping[str, Any]) -> dict[str, list[Any]]:
    if not isinstance(weekly, Mapping):
        raise InvalidHours("weekly hours are a mapping of weekday → ranges", field="weekly")
    return {str(k): list(v) if not isinstance(v, str) else [v] for k, v in weekly.items()}


ALWAYS = BusinessCalendar("UTC", tuple(((0, 24 * 60),) for _ in WEEKDAYS), (), "24×7")
