"""Dates and times as they appear in Chinese and international spreadsheets.

Accepted: date cells (openpyxl gives `datetime`), Excel serial day numbers (`45357`, also as
text), ISO 8601 (`2024-03-05`, `2024-03-05T14:30:00+08:00`), `2024/3/5`, `2024.3.5`,
`20240305`, `2024年3月5日` (also `二〇二四年三月五日`), each with an optional time
(`14:30`, `14:30:05`, `14时30分`, `下午2点30分`). Year-last forms (`03/05/2024`) are refused:
month-first and day-first cannot be told apart.
"""

from __future__ import annotations

import datetime as dt
import re

from hotline.imports.text import fold

__all__ = ["DateProblem", "parse_date", "parse_datetime"]

# Excel's day 0 is 1899-12-30 (it counts 1900-02-29, which never existed; serials after
# 60 line up with this epoch, and no customer was born in January 1900).
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 1, 2_958_465  # 1900-01-01 … 9999-12-31


class DateProblem(ValueError):
    """`code`: date.invalid (not a date we read) or date.impossible (2023-02-30)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGITS["零"] = "0"
_CN_DIGITS["○"] = "0"


def _chinese_number(text: str) -> str:
    """二〇二四 → 2024 (digit by digit); 十二 → 12, 二十五 → 25, 三十一 → 31."""
    if "十" not in text:
        return "".join(_CN_DIGITS.get(c, c) for c in text)
    tens, _, ones = text.partition("十")
    value = (int(_CN_DIGITS[tens]) if tens else 1) * 10 + (int(_CN_DIGITS[ones]) if ones else 0)
    return str(value)


_CN_NUMERAL = re.compile(r"[〇○零一二三四五六七八九十]+")
_DATE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*(?:日|号)?"
    r"|^(?P<y8>\d{4})(?P<m8>\d{2})(?P<d8>\d{2})(?=$|[\sT])"
)
_TIME = re.compile(
    r"^(?:T|\s)*(?P<half>上午|下午|晚上|中午|凌晨|早上)?\s*(?P<h>\d{1,2})\s*(?:[:：]|时|点)\s*"
    r"(?:(?P<mi>\d{1,2})\s*(?:分)?)?\s*(?:(?:[:：])?(?P<s>\d{1,2}(?:\.\d+)?)\s*(?:秒)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_SERIAL_TEXT = re.compile(r"^\d{1,7}(?:\.\d+)?$")


def _serial(value: float) -> dt.datetime:
    if not _SERIAL_MIN <= value <= _SERIAL_MAX:
        raise DateProblem("date.invalid")
    return _EXCEL_EPOCH + dt.timedelta(days=value)


def _from_text(text: str) -> tuple[dt.date, dt.time | None]:
    text = fold(text)
    text = _CN_NUMERAL.sub(lambda m: _chinese_number(m.group(0)), text)
    match = _DATE.match(text)
    if match is None:
        if _SERIAL_TEXT.match(text) and len(text.split(".")[0]) == 5:
            serial = _serial(float(text))
            return serial.date(), serial.time() if serial.time() != dt.time() else None
        raise DateProblem("date.invalid")
    y = match.group("y") or match.group("y8")
    m = match.group("m") or match.group("m8")
    d = match.group("d") or match.group("d8")
    try:
        day = dt.date(int(y), int(m), int(d))
    except ValueError:
        raise DateProblem("date.impossible") from None
    rest = text[match.end() :].strip()
    if not rest:
        return day, None
    time_match = _TIME.match(rest)
    if time_match is None:
        raise DateProblem("date.invalid")
    hour = int(time_match.group("h"))
    if time_match.group("half") in {"下午", "晚上"} and hour < 12:
        hour += 12
    minute = int(time_match.group("mi") or 0)
    second = float(time_match.group("s") or 0)
    try:
        moment = dt.time(hour, minute, int(second))
    except ValueError:
        raise DateProblem("date.impossible") from None
    tz = time_match.group("tz")
    if tz:
        zone = dt.UTC if tz == "Z" else _offset(tz)
        moment = moment.replace(tzinfo=zone)
    return day, moment


def _offset(text: str) -> dt.tzinfo:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _split(value: object) -> tuple[dt.date, dt.time | None]:
    if isinstance(value, bool):
        raise DateProblem("date.invalid")
    if isinstance(value, dt.datetime):
        return value.date(), value.timetz() if value.time() != dt.time() else None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, int | float):
        moment = _serial(float(value))
        return moment.date(), moment.time() if moment.time() != dt.time() else None
    return _from_text(str(value))


def parse_date(value: object) -> str:
    """The date as ISO text, `2024-03-05`; a time of day, if given, is dropped."""
    day, _ = _split(value)
    return day.isoformat()


def parse_datetime(value: object, zone: dt.tzinfo) -> str:
    """A moment as ISO 8601 with its offset; times without one are in `zone` (the tenant's)."""
    day, moment = _split(value)
    moment = moment or dt.time()
    combined = dt.datetime.combine(day, moment.replace(tzinfo=None))
    combined = combined.replace(tzinfo=moment.tzinfo or zone)
    return combined.isoformat()
