"""Calling windows in the callee's time zone, on the one business-hours engine.

The zone comes from the record's own `time_zone` when set, else from the number
(`phonenumbers`' geographic zones); a number whose country spans several zones (a US
toll-free number, a mobile without area) is only dialed when the window is open in every one
of them. Holidays are the campaign's hours calendar's dated rules, applied in each zone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import timezone as number_zones

from hotline.dialer.errors import DialerError
from hotline.dialer.model import CallRecord
from hotline.hours import BusinessCalendar, DayRule, InvalidHours, check_zone, shared, weekly_spans

__all__ = ["CallingWindow", "zones_of"]

_UNKNOWN = "Etc/Unknown"


@lru_cache(maxsize=4096)
def _zones_of_number(phone: str) -> tuple[str, ...]:
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return ()
    return tuple(z for z in number_zones.time_zones_for_number(number) if z != _UNKNOWN)


def zones_of(record: CallRecord, default_zone: str) -> tuple[str, ...]:
    """The zones a record's window is checked in (its override, the number's, else the
    tenant's)."""
    if record.time_zone:
        return (record.time_zone,)
    return _zones_of_number(record.phone) or (default_zone,)


class CallingWindow:
    """`weekly`: `{"mon-fri": ["09:00-20:00"], "sat": ["10:00-16:00"]}` (days absent are
    closed); `days`: dated rules (holidays, make-up days) from the campaign's hours calendar."""

    def __init__(
        self,
        weekly: Mapping[str, Any],
        *,
        default_zone: str,
        days: Mapping[date, DayRule] | None = None,
    ) -> None:
        try:
            self._weekly = weekly_spans(weekly or {"mon-sun": ["00:00-24:00"]})
        except InvalidHours as error:
            raise DialerError(
                error.message, field=f"window.{error.details.get('field', '')}"
            ) from None
        check_zone(default_zone)
        self._days = tuple(sorted((days or {}).items()))
        self.default_zone = default_zone

    def calendar(self, zone: str) -> BusinessCalendar:
        return shared(BusinessCalendar(zone, self._weekly, self._days))

    def _calendars(self, record: CallRecord) -> Sequence[BusinessCalendar]:
        calendars = []
        for zone in zones_of(record, self.default_zone):
            try:
                calendars.append(self.calendar(zone))
            except InvalidHours:
                raise DialerError(
                    f"{zone!r} is not a time zone", field="time_zone", value=zone
                ) from None
        return calendars

    def is_open(self, record: CallRecord, now: float) -> bool:
        return all(c.is_open(now) for c in self._calendars(record))

    def next_open(self, record: CallRecord, now: float) -> float | None:
        """The first time at or after `now` when the window is open in all the record's zones
        (None: never within the engine's horizon)."""
        calendars = self._calendars(record)
        t = now
        for _ in range(64):
            later = t
            for calendar in calendars:
                if not calendar.is_open(later):
                    opens = calendar.next_open(later)
                    if opens is None:
                        return None
                    later = opens
            if later == t:
                return t
            t = later
        return None
