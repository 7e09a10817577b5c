"""Phone numbers as people type them into spreadsheets, normalized to E.164 with `phonenumbers`.

Handles Chinese mobiles and landlines with their area codes (`010-6552 9904`, `(0755)8888 6666`),
the international forms `+86` and `0086`, spaces, dashes, dots and parentheses, full-width
digits, extensions (`转 123`, `分机 123`, `ext. 123`, `x123`, `#123`, and a fourth group of
digits after a landline, `0571-8888 6666-8001`), and numbers that Excel stored as floats
(`13800138000.0`, `1.38001380e10`) — unless scientific notation has already cut digits off
(`1.38001E+10`), which no program can undo.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import phonenumbers

from hotline.imports.text import fold

__all__ = ["CleanPhone", "PhoneProblem", "display_phone", "normalize_phone"]


@dataclass(frozen=True, slots=True)
class CleanPhone:
    e164: str
    extension: str | None = None

    @property
    def key(self) -> str:
        """The number as stored and compared: E.164, with `;ext=` (RFC 3966) when it has one."""
        return f"{self.e164};ext={self.extension}" if self.extension else self.e164


class PhoneProblem(ValueError):
    """`code` is one of phone.invalid, phone.no_area_code, phone.shortened."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_SCIENTIFIC = re.compile(r"^\+?(\d+)(?:\.(\d+))?[eE]\+?(\d+)$")
_EXTENSION = re.compile(
    r"^(.*?\d)\s*(?:转|轉|分机|分機|ext\.?|extension|x|#)\s*[:：.]?\s*(\d{1,6})\s*$",
    re.IGNORECASE,
)
# 0571-88886666-8001: area code, subscriber number, then the extension.
_LANDLINE_EXTENSION = re.compile(r"^\(?(0\d{2,3})\)?[\s-]*(\d{3,4}[\s-]?\d{4})[\s-]+(\d{1,6})$")
_TRUNK_ZERO = re.compile(r"\(0\)")
_NOT_DIGITS = re.compile(r"[^\d+]")
_MIN_CUT = 4  # digits that scientific notation invented (trailing zeros) before we call it cut


def _from_float(value: float) -> str:
    if not value.is_integer() or value <= 0:
        raise PhoneProblem("phone.invalid")
    return str(int(value))


def _from_scientific(match: re.Match[str]) -> str:
    whole, fraction, exponent = match.group(1), match.group(2) or "", match.group(3)
    try:
        number = Decimal(f"{whole}.{fraction or '0'}e{exponent}")
    except InvalidOperation:
        raise PhoneProblem("phone.invalid") from None
    if number != number.to_integral_value():
        raise PhoneProblem("phone.invalid")
    digits = str(int(number))
    written = (whole + fraction).lstrip("0").rstrip("0")
    if len(digits) - len(written) >= _MIN_CUT:
        raise PhoneProblem("phone.shortened")
    return digits


@functools.lru_cache(maxsize=8192)
def _cn_mobile_range(prefix: str) -> bool:
    """Is this 7-digit start of a Chinese mobile number in an allocated range? The metadata's
    mobile pattern decides on at most the first five digits, so one lookup per prefix holds
    for every number that starts with it."""
    return bool(phonenumbers.is_valid_number(phonenumbers.parse(prefix + "0000", "CN")))


def _cn_mobile(digits: str, region: str) -> str | None:
    """E.164 of a Chinese mobile number without the general parser — most rows of a Chinese
    customer list, at a fraction of its cost. None: not sure, ask the parser."""
    if digits.startswith("+86"):
        national = digits[3:]
    elif region != "CN":
        return None
    elif len(digits) == 13 and digits.startswith("86"):
        national = digits[2:]
    else:
        national = digits
    mobile = len(national) == 11 and national[0] == "1" and national[1] in "3456789"
    if mobile and national.isdigit() and _cn_mobile_range(national[:7]):
        return "+86" + national
    return None


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | str | None:
    """A valid number (E.164 text from the fast path), or None."""
    digits = _NOT_DIGITS.sub("", _TRUNK_ZERO.sub("", text))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if "+" in digits[1:] or len(digits.lstrip("+")) < 3:
        return None
    fast = _cn_mobile(digits, region)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _problem(text: str, region: str) -> PhoneProblem:
    national = _NOT_DIGITS.sub("", text).lstrip("+")
    if region == "CN" and 7 <= len(national) <= 8 and national[0] not in "01":
        return PhoneProblem("phone.no_area_code")
    return PhoneProblem("phone.invalid")


def normalize_phone(value: object, region: str = "CN", area_code: str | None = None) -> CleanPhone:
    """One number in E.164 (with its extension), or `PhoneProblem` saying why not.
    `area_code` (the center's own, e.g. `755`): a Chinese landline written without one is
    taken to be local (`8888 6666` → +8675588886666); without it such a number is refused
    (`phone.no_area_code`)."""
    if isinstance(value, bool):
        raise PhoneProblem("phone.invalid")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = _from_float(value)
    else:
        text = fold(str(value))
        scientific = _SCIENTIFIC.match(text.replace(" ", ""))
        if scientific:
            text = _from_scientific(scientific)
        elif re.fullmatch(r"\d+\.0+", text):
            text = text.split(".")[0]
    extension = None
    explicit = _EXTENSION.match(text)
    if explicit:
        text, extension = explicit.group(1), explicit.group(2)
    number = _parse(text, region)
    if number is None and extension is None:
        landline = _LANDLINE_EXTENSION.match(text)
        if landline and not landline.group(1).startswith("00"):
            number = _parse(landline.group(1) + landline.group(2), region)
            extension = landline.group(3) if number is not None else None
    if number is None:
        problem = _problem(text, region)
        if problem.code != "phone.no_area_code" or not area_code:
            raise problem
        local = "0" + area_code.lstrip("0") + _NOT_DIGITS.sub("", text)
        number = _parse(local, region)
        if number is None:
            raise problem
    if isinstance(number, str):
        return CleanPhone(number, extension)
    e164 = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return CleanPhone(e164, extension or (number.extension or None))


def display_phone(key: str) -> str:
    """A stored number (`+8657188886666;ext=8001`) in international form with spaces,
    `+86 571 8888 6666 ext. 8001`: readable, and Excel keeps it as text."""
    number, _, extension = key.partition(";ext=")
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return key
    if extension:
        parsed.extension = extension
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
