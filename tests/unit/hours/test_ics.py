"""Holiday calendars from iCalendar files: the shipped Chinese holidays and foreign feeds."""

from __future__ import annotations

import pytest

from hotline.calendars.ics import IcsInvalid, read_ics, write_ics
from hotline.calendars.shipped import shipped_holidays, shipped_years

FEED = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//example//holidays//ZH\r
BEGIN:VEVENT\r
UID:a\r
DTSTART;VALUE=DATE:20261001\r
DTEND;VALUE=DATE:20261008\r
SUMMARY:国庆节 休\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:b\r
DTSTART;VALUE=DATE:20261010\r
SUMMARY:国庆节 补班\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_feed_reads_as_holidays_and_make_up_workdays() -> None:
    entries = read_ics(FEED)
    assert len(entries) == 8
    assert entries[0] == {"date": "2026-10-01", "kind": "holiday", "name": "国庆节 休"}
    assert entries[-1] == {"date": "2026-10-10", "kind": "workday", "name": "国庆节 补班"}


def test_written_files_read_back() -> None:
    entries = [
        {"date": "2026-10-01", "kind": "holiday", "name": "国庆节"},
        {"date": "2026-10-10", "kind": "workday", "name": "国庆节 调休上班"},
    ]
    assert read_ics(write_ics(entries, name="x")) == entries


def test_the_shipped_2026_and_2027_calendars() -> None:
    assert {2026, 2027} <= set(shipped_years())
    cn2026 = shipped_holidays(2026)
    days = {e["date"]: e["kind"] for e in cn2026.entries}
    assert sum(k == "holiday" for k in days.values()) == 33  # 3+9+3+5+3+3+7 days of rest
    assert sorted(d for d, k in days.items() if k == "workday") == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    cn2027 = shipped_holidays(2027)
    assert "2027-02-05" in {e["date"] for e in cn2027.entries}  # 除夕 (2024 revision)
    assert "调休" in cn2027.description


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a calendar", "not an iCalendar file"),
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no all-day events"),
        (FEED.replace("DTEND;VALUE=DATE:20261008", "DTEND;VALUE=DATE:20270101"), "lasts 92 days"),
    ],
)
def test_bad_files_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(IcsInvalid) as error:
        read_ics(text)
    assert message in error.value.message
