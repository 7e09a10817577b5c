"""What a waiting caller hears about their place in line, in zh-CN and en (GLOSSARY).

Numbers read to callers are read digit by digit in zh ("您前面还有1 2位" for 12) and as words in
en ("twelve callers"). Minutes are rounded up; under a minute is said as such; an unknown EWT
(nobody staffed) is not announced at all. The key number comes last, as prompts are written
for the ear.
"""

from __future__ import annotations

import math

__all__ = ["en_number", "position_text", "zh_digits"]

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def en_number(n: int) -> str:
    """English words for 0–999; larger numbers are read digit by digit."""
    if n < 0:
        return "minus " + en_number(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" and {en_number(rest)}" if rest else "")
    return " ".join(_ONES[int(d)] for d in str(n))


def zh_digits(n: int) -> str:
    """A number spaced out digit by digit, so Chinese TTS reads 12 as 一 二."""
    return " ".join(str(n))


def position_text(
    language: str, position: int, ewt_s: float | None, *, say_position: bool, say_ewt: bool
) -> str:
    """The announcement for a caller `position` in line (1 = next) with an estimated wait."""
    ahead = max(0, position - 1)
    minutes = None if ewt_s is None else max(0, math.ceil(ewt_s / 60))
    if language.startswith("zh"):
        parts = []
        if say_position:
            parts.append("您是下一位" if ahead == 0 else f"您前面还有{zh_digits(ahead)}位")
        if say_ewt and minutes is not None:
            parts.append(
                "预计等待不到1分钟"
                if minutes <= 1 and ewt_s is not None and ewt_s < 60
                else f"预计等待{zh_digits(minutes)}分钟"
            )
        return "，".join(parts) + ("。" if parts else "")
    sentences = []
    if say_position:
        if ahead == 0:
            sentences.append("You are next in line.")
        else:
            noun = "caller" if ahead == 1 else "callers"
            sentences.append(
                f"There {'is' if ahead == 1 else 'are'} {en_number(ahead)} {noun} ahead of you."
            )
    if say_ewt and minutes is not None:
        if ewt_s is not None and ewt_s < 60:
            sentences.append("Your expected wait is less than a minute.")
        else:
            unit = "minute" if minutes == 1 else "minutes"
            sentences.append(f"Your expected wait is about {en_number(minutes)} {unit}.")
    return " ".join(sentences)
