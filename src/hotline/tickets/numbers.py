"""Ticket numbers a person can say on the phone: digits only, never a leading zero, grouped
for reading, and read digit by digit in Chinese (GLOSSARY: "工单号 2 0 3 1 5") and in English.

Two styles per tenant: `sequence` (10001, 10002 …) and `daily` (yymmdd + the day's count,
2612060001): the date helps a caller who remembers roughly when they called."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["NUMBER_STYLES", "counter_name", "daily_number", "digits_for_speech", "grouped"]

NUMBER_STYLES = ("sequence", "daily")
_ZH = "零一二三四五六七八九"
_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def counter_name(style: str, now: float, zone: str) -> tuple[str, int]:
    """The per-tenant counter a new number comes from, and where that counter starts."""
    if style == "daily":
        day = dt.datetime.fromtimestamp(now, ZoneInfo(zone))
        return f"ticket:{day:%y%m%d}", 0
    return "ticket", 10000


def daily_number(counter: str, value: int) -> int:
    return int(counter.removeprefix("ticket:") + f"{value:04d}")


def grouped(number: int) -> str:
    """`20315` → `20 315`; `2612060001` → `261206 0001`: groups of three from the right, or
    date and count for a daily number."""
    text = str(number)
    if len(text) >= 10:
        return f"{text[:6]} {text[6:]}"
    parts: list[str] = []
    while text:
        parts.insert(0, text[-3:])
        text = text[:-3]
    return " ".join(parts)


def digits_for_speech(number: int | str, language: str) -> str:
    """The number as a prompt reads it: one digit at a time (zh: 一 rather than 幺)."""
    digits = [int(c) for c in str(number) if c.isdigit()]
    if language.startswith("zh"):
        return " ".join(_ZH[d] for d in digits)
    return " ".join(_EN[d] for d in digits)
