#!/usr/bin/env python3
"""Write src/hotline/calendars/data/cn-<year>.ics from the State Council's holiday notices.

Each year below is transcribed by hand from 国务院办公厅关于<year>年部分节假日安排的通知 (dates
of rest, and the weekend days worked instead — 调休上班). Run after adding a year:

    .venv/bin/python scripts/cn-holidays.py
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hotline.calendars.ics import write_ics

OUT = Path(__file__).resolve().parents[1] / "src" / "hotline" / "calendars" / "data"

# year → (description, [(first, last, name)], [(workday, name)])
YEARS: dict[int, tuple[str, list[tuple[str, str, str]], list[tuple[str, str]]]] = {
    2026: (
        "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
        [
            ("2026-01-01", "2026-01-03", "元旦"),
            ("2026-02-15", "2026-02-23", "春节"),
            ("2026-04-04", "2026-04-06", "清明节"),
            ("2026-05-01", "2026-05-05", "劳动节"),
            ("2026-06-19", "2026-06-21", "端午节"),
            ("2026-09-25", "2026-09-27", "中秋节"),
            ("2026-10-01", "2026-10-07", "国庆节"),
        ],
        [
            ("2026-01-04", "元旦 调休上班"),
            ("2026-02-14", "春节 调休上班"),
            ("2026-02-28", "春节 调休上班"),
            ("2026-05-09", "劳动节 调休上班"),
            ("2026-09-20", "国庆节 调休上班"),
            ("2026-10-10", "国庆节 调休上班"),
        ],
    ),
    # The 2027 notice was not available offline when this file was made: these are the
    # statutory days of 全国年节及纪念日放假办法 (2024 revision) on 2027's lunar dates, without
    # the make-up workdays the notice will add. Replace them when the notice is published.
    2027: (
        "2027年法定节假日（全国年节及纪念日放假办法，2024年修订）；调休安排以国务院办公厅通知为准，"
        "发布后请导入官方安排 / statutory days only; import the State Council's arrangement",
        [
            ("2027-01-01", "2027-01-01", "元旦"),
            ("2027-02-05", "2027-02-08", "春节"),
            ("2027-04-05", "2027-04-05", "清明节"),
            ("2027-05-01", "2027-05-02", "劳动节"),
            ("2027-06-09", "2027-06-09", "端午节"),
            ("2027-09-15", "2027-09-15", "中秋节"),
            ("2027-10-01", "2027-10-03", "国庆节"),
        ],
        [],
    ),
}


def entries(year: int) -> list[dict[str, str]]:
    _, rests, workdays = YEARS[year]
    out: list[dict[str, str]] = []
    for first, last, name in rests:
        day = date.fromisoformat(first)
        while day <= date.fromisoformat(last):
            out.append({"date": day.isoformat(), "kind": "holiday", "name": name})
            day += timedelta(days=1)
    out.extend({"date": d, "kind": "workday", "name": n} for d, n in workdays)
    return sorted(out, key=lambda e: e["date"])


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for year, (description, _, _) in YEARS.items():
        data = write_ics(entries(year), name=f"中国法定节假日 {year}", description=description)
        (OUT / f"cn-{year}.ics").write_bytes(data)
        print(f"wrote cn-{year}.ics ({len(entries(year))} days)")


if __name__ == "__main__":
    main()
