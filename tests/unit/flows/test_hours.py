"""Business-hours calendars and local time in the tenant's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from hotline.flows.hours import Calendar, HoursStatus, hours_status, local_time_variables

SHANGHAI = ZoneInfo("Asia/Shanghai")

CALENDAR = Calendar.model_validate(
    {
        "weekly": {
            "mon": ["09:00-12:00", "13:00-18:00"],
            "tue": ["09:00-18:00"],
            "sat": ["09:00-12:00"],
            "sun": ["20:00-24:00"],
        },
        "holidays": ["2026-10-01..2026-10-07", "2027-01-01"],
        "special": {"2026-10-03": ["10:00-16:00"]},
    }
)


def at(text: str, tz: ZoneInfo = SHANGHAI) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=tz).timestamp()


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-11-23 08:59", HoursStatus.CLOSED),  # Monday before opening
        ("2026-11-23 09:00", HoursStatus.OPEN),
        ("2026-11-23 12:30", HoursStatus.CLOSED),  # lunch break
        ("2026-11-23 17:59", HoursStatus.OPEN),
        ("2026-11-23 18:00", HoursStatus.CLOSED),  # ranges end exclusive
        ("2026-11-25 10:00", HoursStatus.CLOSED),  # Wednesday is not in `weekly`
        ("2026-11-29 23:59", HoursStatus.OPEN),  # Sunday until 24:00
        ("2026-10-02 10:00", HoursStatus.HOLIDAY),  # inside the range
        ("2027-01-01 10:00", HoursStatus.HOLIDAY),
        ("2026-10-03 11:00", HoursStatus.OPEN),  # 调休: special beats the holiday
        ("2026-10-03 17:00", HoursStatus.CLOSED),
    ],
)
def test_hours_status(local: str, expected: HoursStatus) -> None:
    assert hours_status(CALENDAR, at(local), "Asia/Shanghai") is expected


def test_time_zone_of_calendar_wins_over_the_flow_default() -> None:
    # 09:30 in Shanghai is 01:30 UTC: open by the Shanghai calendar, closed by a UTC one.
    now = at("2026-11-24 09:30")
    assert hours_status(CALENDAR, now, "Asia/Shanghai") is HoursStatus.OPEN
    utc = CALENDAR.model_copy(update={"timezone": "UTC"})
    assert hours_status(utc, now, "Asia/Shanghai") is HoursStatus.CLOSED


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        ({"mon": ["18:00-09:00"]}, "ends before it starts"),
        ({"mon": ["9-18"]}, "not a time range"),
        ({"mon": ["24:00-24:00"]}, "hours go from 00:00 to 24:00"),
        ({"monday": ["09:00-18:00"]}, "Input should be"),
    ],
)
def test_bad_ranges_are_refused(weekly: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Calendar.model_validate({"weekly": weekly})


def test_bad_holidays_and_zones_are_refused() -> None:
    with pytest.raises(ValidationError, match="not a date"):
        Calendar.model_validate({"holidays": ["soon"]})
    with pytest.raises(ValidationError, match="range ends before"):
        Calendar.model_validate({"holidays": ["2026-10-07..2026-10-01"]})
    with pytest.raises(ValidationError, match="unknown time zone"):
        Calendar.model_validate({"timezone": "Mars/Olympus"})


def test_local_time_variables() -> None:
    found = local_time_variables(at("2026-11-23 14:05"), "Asia/Shanghai")
    assert found == {
        "now.year": 2026,
        "now.month": 11,
        "now.day": 23,
        "now.hour": 14,
        "now.minute": 5,
        "now.weekday": 1,
        "now.date": "2026-11-23",
        "now.time": "14:05",
    }
