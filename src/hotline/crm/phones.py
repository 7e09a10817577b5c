"""Phone numbers as lookup keys: E.164 when the number parses for the tenant's region
(`13800138000` and `+86 138 0013 8000` are the same customer), else its bare digits; "" when
the text holds no digits or more than a phone number can have."""

from __future__ import annotations

import re

import phonenumbers

__all__ = ["phone_key"]

_NOT_DIGITS = re.compile(r"[^0-9+]")
# E.164 numbers have at most 15 digits; with a trunk prefix or an extension, 20 is plenty.
MAX_DIGITS = 20


def phone_key(raw: str, region: str = "CN") -> str:
    text = _NOT_DIGITS.sub("", raw.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.strip("+") or len(text.strip("+")) > MAX_DIGITS:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text.lstrip("+")
    if phonenumbers.is_possible_number(number):
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return text.lstrip("+")
