"""The business-hours engine against hand-computed values (Asia/Shanghai with a lunch break
and the 2026 holidays, New York and Berlin across DST changes)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.hours import (
    BusinessCalendar,
    HoursStatus,
    InvalidHours,
    calendar_from_record,
    shared,
)

H = 3600
WORKDAY = [["09:00", "12:00"], ["13:00", "18:00"]]  # 8 h with a lunch break
WEEK = {"mon-fri": WORKDAY, "sat": [["09:00", "12:00"]]}

# From the State Council's notice of 2025-11-04 (国办发明电〔2025〕…): 清明 4/4–4/6, 国庆
# 10/1–10/7 with 9/20 (Sun) and 10/10 (Sat) worked; 劳动节 5/1–5/5 with 5/9 (Sat) worked.
CN_2026 = [
    {"date": "2026-04-04..2026-04-06", "name": "清明节"},
    {"date": "2026-05-01..2026-05-05", "name": "劳动节"},
    {"date": "2026-05-09", "kind": "workday", "name": "劳动节 调休上班"},
    {"date": "2026-09-20", "kind": "workday", "name": "国庆节 调休上班"},
    {"date": "2026-10-01..2026-10-07", "name": "国庆节"},
    {"date": "2026-10-10", "kind": "workday", "name": "国庆节 调休上班"},
]


def calendar(
    zone: str,
    *,
    holidays: list[dict[str, object]] | None = None,
    sets: list[dict[str, object]] | None = None,
    weekly: dict[str, object] | None = None,
) -> BusinessCalendar:
    return calendar_from_record(
        {
            "name": zone,
            "timezone": zone,
            "weekly": weekly if weekly is not None else WEEK,
            "holidays": holidays or [],
            "holiday_calendar_ids": ["cn"] if sets is not None else [],
            "makeup_day": "mon",
        },
        {"cn": sets or []},
    )


SH = calendar("Asia/Shanghai", sets=CN_2026)
SH_PLAIN = calendar("Asia/Shanghai")
NY_HOLIDAY = calendar("America/New_York", holidays=[{"date": "2026-03-09", "name": "closed"}])
NY = calendar("America/New_York")
ALWAYS_NY = calendar("America/New_York", weekly={"mon-sun": [["00:00", "24:00"]]})
NIGHT_NY = calendar("America/New_York", weekly={"mon-sun": [["00:00", "03:00"]]})
BERLIN = calendar("Europe/Berlin", holidays=[{"date": "2026-10-26", "name": "Feiertag"}])


def at(zone: str, text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp()


# (case, calendar, from, to, business seconds) — computed by hand, range by range.
CASES = [
    # Friday 17:30 → Tuesday 10:00 (the shape) ----------------------------------
    ("sh: no holiday", SH_PLAIN, "2026-03-13 17:30", "2026-03-17 10:00", 1800 + 3 * H + 8 * H + H),
    ("sh: 清明 Sat–Mon closed", SH, "2026-04-03 17:30", "2026-04-07 10:00", 1800 + H),
    (
        "sh: 调休 Sat 10/10 worked 8 h",
        SH,
        "2026-10-09 17:30",
        "2026-10-13 10:00",
        1800 + 8 * H + 8 * H + H,
    ),
    ("sh: 劳动节 Fri–Tue, back Wed", SH, "2026-04-30 17:30", "2026-05-06 10:00", 1800 + H),
    (
        "sh: 调休 Sun 9/20 worked",
        SH,
        "2026-09-18 17:30",
        "2026-09-22 10:00",
        1800 + 3 * H + 8 * H + 8 * H + H,
    ),
    ("sh: golden week", SH, "2026-09-30 17:30", "2026-10-08 10:00", 1800 + H),
    (
        "ny: DST Sunday, Monday holiday",
        NY_HOLIDAY,
        "2026-03-06 17:30",
        "2026-03-10 10:00",
        1800 + 3 * H + H,
    ),
    (
        "ny: DST Sunday, no holiday",
        NY,
        "2026-03-06 17:30",
        "2026-03-10 10:00",
        1800 + 3 * H + 8 * H + H,
    ),
    ("ny: fall back Sunday", NY, "2026-10-30 17:30", "2026-11-03 10:00", 1800 + 3 * H + 8 * H + H),
    (
        "berlin: fall back, Monday holiday",
        BERLIN,
        "2026-10-23 17:30",
        "2026-10-27 10:00",
        1800 + 3 * H + H,
    ),
    # lunch break -------------------------------------------------------------------------
    ("sh: across lunch", SH, "2026-03-16 11:00", "2026-03-16 14:00", 2 * H),
    ("sh: inside lunch", SH, "2026-03-16 12:10", "2026-03-16 12:50", 0),
    ("sh: lunch to close", SH, "2026-03-16 12:30", "2026-03-16 20:00", 5 * H),
    ("sh: whole workday", SH, "2026-03-16 00:00", "2026-03-17 00:00", 8 * H),
    ("sh: Saturday morning only", SH, "2026-03-14 08:00", "2026-03-14 18:00", 3 * H),
    ("sh: a week", SH_PLAIN, "2026-03-16 00:00", "2026-03-23 00:00", 5 * 8 * H + 3 * H),
    ("sh: holiday day itself", SH, "2026-10-01 00:00", "2026-10-02 00:00", 0),
    # DST length of days -----------------------------------------------------------------
    (
        "ny 24x7: spring-forward day is 23 h",
        ALWAYS_NY,
        "2026-03-08 00:00",
        "2026-03-09 00:00",
        23 * H,
    ),
    ("ny 24x7: fall-back day is 25 h", ALWAYS_NY, "2026-11-01 00:00", "2026-11-02 00:00", 25 * H),
    (
        "ny 24x7: Fri 17:30 → Tue 10:00 over DST",
        ALWAYS_NY,
        "2026-03-06 17:30",
        "2026-03-10 10:00",
        (6.5 + 24 + 23 + 24 + 10) * H,
    ),
    ("ny 00–03: skipped hour never open", NIGHT_NY, "2026-03-08 00:00", "2026-03-08 12:00", 2 * H),
    (
        "ny 00–03: repeated hour counted twice",
        NIGHT_NY,
        "2026-11-01 00:00",
        "2026-11-01 12:00",
        4 * H,
    ),
    # edges --------------------------------------------------------------------------------
    ("reversed range is zero", SH, "2026-03-17 10:00", "2026-03-13 17:30", 0),
    ("empty range is zero", SH, "2026-03-16 10:00", "2026-03-16 10:00", 0),
]


@pytest.mark.parametrize(
    ("case", "cal", "start", "end", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_business_seconds_match_hand_computed_values(
    case: str, cal: BusinessCalendar, start: str, end: str, expected: float
) -> None:
    assert cal.business_seconds(at(cal.timezone, start), at(cal.timezone, end)) == expected


def test_there_are_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("2026-03-16 08:59", HoursStatus.CLOSED),
        ("2026-03-16 09:00", HoursStatus.OPEN),
        ("2026-03-16 11:59", HoursStatus.OPEN),
        ("2026-03-16 12:00", HoursStatus.CLOSED),  # lunch
        ("2026-03-16 13:00", HoursStatus.OPEN),
        ("2026-03-15 10:00", HoursStatus.CLOSED),  # Sunday
        ("2026-10-01 10:00", HoursStatus.HOLIDAY),
        ("2026-10-10 10:00", HoursStatus.OPEN),  # 调休 Saturday, Monday's hours
        ("2026-10-10 15:00", HoursStatus.OPEN),  # … the afternoon too (a plain Sat is shut)
        ("2026-10-17 15:00", HoursStatus.CLOSED),
        ("2026-09-20 10:00", HoursStatus.OPEN),  # 调休 Sunday
    ],
)
def test_status(text: str, status: HoursStatus) -> None:
    assert SH.status(at("Asia/Shanghai", text)) is status


def test_next_open_and_close_around_lunch_and_holidays() -> None:
    z = "Asia/Shanghai"
    assert SH.next_open(at(z, "2026-03-16 12:30")) == at(z, "2026-03-16 13:00")
    assert SH.next_open(at(z, "2026-03-16 10:00")) == at(z, "2026-03-16 10:00")
    assert SH.next_close(at(z, "2026-03-16 10:00")) == at(z, "2026-03-16 12:00")
    assert SH.next_close(at(z, "2026-03-16 12:30")) == at(z, "2026-03-16 12:30")
    assert SH.next_open(at(z, "2026-09-30 18:00")) == at(z, "2026-10-08 09:00")
    assert SH.next_open(at(z, "2026-10-09 18:00")) == at(z, "2026-10-10 09:00")
    assert SH.next_change(at(z, "2026-03-16 10:00")) == at(z, "2026-03-16 12:00")
    assert SH.next_change(at(z, "2026-03-16 12:00")) == at(z, "2026-03-16 13:00")


def test_always_open_never_closes_and_touching_days_join() -> None:
    t = at("America/New_York", "2026-03-07 23:00")
    assert ALWAYS_NY.next_close(t) is None
    assert ALWAYS_NY.next_change(t) is None
    assert list(ALWAYS_NY.open_intervals(t, t + 4 * H)) == [(t, t + 4 * H)]


def test_add_business_seconds_is_the_sla_deadline() -> None:
    z = "Asia/Shanghai"
    # 4 business hours from Friday 2026-10-09 16:00: 2 h Friday, 2 h on the 调休 Saturday.
    assert SH.add_business_seconds(at(z, "2026-10-09 16:00"), 4 * H) == at(z, "2026-10-10 11:00")
    # 1 h from Wednesday 17:30 before golden week: 30 min, then 30 min on Oct 8.
    assert SH.add_business_seconds(at(z, "2026-09-30 17:30"), H) == at(z, "2026-10-08 09:30")


def test_equal_calendars_are_one_shared_object() -> None:
    again = calendar("Asia/Shanghai", sets=CN_2026)
    assert again == SH
    assert again is SH
    assert shared(again) is SH


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"timezone": "Mars/Base", "weekly": {}}, "timezone"),
        ({"timezone": "UTC", "weekly": {"mon": ["18:00-09:00"]}}, "weekly.mon.0"),
        ({"timezone": "UTC", "weekly": {"mon": ["9am-5pm"]}}, "weekly.mon.0"),
        ({"timezone": "UTC", "weekly": {"someday": ["09:00-17:00"]}}, "weekly.someday"),
        (
            {"timezone": "UTC", "weekly": {}, "holidays": [{"date": "2026-13-01"}]},
            "holidays.0.date",
        ),
        (
            {"timezone": "UTC", "weekly": {}, "holidays": [{"date": "2026-10-01", "kind": "x"}]},
            "holidays.0.kind",
        ),
        ({"timezone": "UTC", "weekly": {}, "makeup_day": "funday"}, "makeup_day"),
    ],
)
def test_bad_calendars_name_the_field(record: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidHours) as error:
        calendar_from_record(record)
    assert error.value.details["field"] == field
