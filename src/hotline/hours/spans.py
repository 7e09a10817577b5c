"""Opening ranges as minutes of a local day: parsing `"09:00-12:00"` / `["09:00", "12:00"]`,
validation and merging. Ranges never cross midnight: a night shift is split at 24:00."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.hours.errors import InvalidHours

__all__ = [
    "MINUTES_PER_DAY",
    "WEEKDAYS",
    "Span",
    "check_zone",
    "format_span",
    "merge_spans",
    "parse_span",
    "parse_spans",
    "weekday_index",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60

Span = tuple[int, int]  # [start, end) in minutes since local midnight; end ≤ 1440

_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
_RANGE = re.compile(r"^\s*(\S+)\s*-\s*(\S+)\s*$")


def _minute(text: str, field: str, whole: object) -> int:
    m = _HHMM.match(text.strip())
    if m is None:
        raise InvalidHours(
            f"{whole!r} is not a time range like 09:00-18:00", field=field, value=whole
        )
    minute = int(m.group(1)) * 60 + int(m.group(2))
    if minute > MINUTES_PER_DAY:
        raise InvalidHours(f"{whole!r}: hours go from 00:00 to 24:00", field=field, value=whole)
    return minute


def parse_span(value: str | Sequence[str], field: str = "hours") -> Span:
    """`"09:00-18:00"` or `["09:00", "18:00"]` → `(540, 1080)`."""
    if isinstance(value, str):
        m = _RANGE.match(value)
        if m is None:
            raise InvalidHours(
                f"{value!r} is not a time range like 09:00-18:00", field=field, value=value
            )
        first, last = m.group(1), m.group(2)
    elif len(value) == 2 and all(isinstance(v, str) for v in value):
        first, last = value[0], value[1]
    else:
        raise InvalidHours(
            f"{value!r} is not a time range like 09:00-18:00", field=field, value=value
        )
    start, end = _minute(first, field, value), _minute(last, field, value)
    if start >= MINUTES_PER_DAY:
        raise InvalidHours(f"{value!r} starts at 24:00", field=field, value=value)
    if end <= start:
        raise InvalidHours(
            f"{value!r} ends before it starts; split a night shift at 24:00",
            field=field,
            value=value,
        )
    return start, end


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sorted, with overlapping or touching ranges joined."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def parse_spans(values: Iterable[str | Sequence[str]], field: str = "hours") -> tuple[Span, ...]:
    return merge_spans(parse_span(v, f"{field}.{i}") for i, v in enumerate(values))


def format_span(span: Span) -> str:
    (h1, m1), (h2, m2) = divmod(span[0], 60), divmod(span[1], 60)
    return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


def weekday_index(name: str, field: str = "weekly") -> int:
    try:
        return WEEKDAYS.index(name.strip().lower())
    except ValueError:
        raise InvalidHours(
            f"{name!r} is not a weekday (mon, tue, wed, thu, fri, sat, sun)",
            field=field,
            value=name,
        ) from None


def check_zone(name: str, field: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidHours(
            f"unknown time zone {name!r} (use an IANA name like Asia/Shanghai)",
            field=field,
            value=name,
        ) from None
