"""Cleaning one cell for one field: trim, fold full-width forms, then parse by the field's type.

`Cleaner.clean(spec, value)` returns the clean value (a list for fields with `many`) or raises
`CleanProblem` with a reason code from `reasons.py`. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from hotline.imports.dates import DateProblem, parse_date, parse_datetime
from hotline.imports.model import Choice, FieldSpec, FieldType
from hotline.imports.phones import PhoneProblem, normalize_phone
from hotline.imports.text import cell_text, fold

__all__ = ["EMAIL", "CleanProblem", "Cleaner", "is_blank", "split_many"]

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
EMAIL = re.compile(rf"^[a-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@(?:{_LABEL}\.)+[a-z]{{2,}}$")
# Separators between several values in one cell: ; , 、 ， ； | / and line breaks.
_MANY = re.compile(r"[;,、，；|/\n\r]+")
_TRUE = {"1", "y", "yes", "true", "t", "是", "对", "有", "√", "✓"}
_FALSE = {"0", "n", "no", "false", "f", "否", "不", "无", "没有", "×", "✗"}
_GROUPING = re.compile(r"(?<=\d)[,，'](?=\d{3}\b)")


class CleanProblem(ValueError):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not fold(value))


def split_many(value: object) -> list[object]:
    """Several values in one cell; non-text cells are one value."""
    if not isinstance(value, str):
        return [value]
    return [part for part in (p.strip() for p in _MANY.split(value)) if fold(part)]


def _choice_key(text: str) -> str:
    return re.sub(r"\s+", "", fold(text)).casefold()


@dataclass
class Cleaner:
    """Cleans cells for the fields of one target in one tenant (its phone region and zone)."""

    region: str = "CN"
    time_zone: str = "Asia/Shanghai"
    _zone: dt.tzinfo = field(init=False)
    _choices: dict[str, dict[str, str]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._zone = ZoneInfo(self.time_zone)

    def clean(self, spec: FieldSpec, value: object) -> Any:
        """The clean value, None for a blank cell, or `CleanProblem`."""
        if is_blank(value):
            return None
        if spec.many:
            values = [self._one(spec, part) for part in split_many(value) if not is_blank(part)]
            return list(dict.fromkeys(v for v in values if v is not None)) or None
        return self._one(spec, value)

    def _one(self, spec: FieldSpec, value: object) -> Any:
        kind = spec.type
        if kind is FieldType.TEXT or kind is FieldType.TAGS:
            return self._text(spec, value)
        if kind is FieldType.PHONE:
            try:
                return normalize_phone(value, self.region).key
            except PhoneProblem as problem:
                raise CleanProblem(problem.code) from None
        if kind is FieldType.EMAIL:
            email = fold(cell_text(value)).lower().replace(" ", "")
            if not EMAIL.match(email):
                raise CleanProblem("email.invalid")
            return email
        if kind is FieldType.DATE or kind is FieldType.DATETIME:
            try:
                if kind is FieldType.DATE:
                    return parse_date(value)
                return parse_datetime(value, self._zone)
            except DateProblem as problem:
                raise CleanProblem(problem.code) from None
        if kind is FieldType.INTEGER or kind is FieldType.DECIMAL:
            return self._number(spec, value)
        if kind is FieldType.CHOICE:
            return self._choice(spec, value)
        if kind is FieldType.BOOLEAN:
            return self._boolean(value)
        raise AssertionError(f"no cleaner for {kind}")  # pragma: no cover - every type above

    def _text(self, spec: FieldSpec, value: object) -> str | None:
        text = cell_text(value)
        text = fold(text) if spec.type is FieldType.TAGS else text.strip().strip("\ufeff\u200b")
        if not text:
            return None
        if spec.max_length is not None and len(text) > spec.max_length:
            raise CleanProblem("text.too_long", max=spec.max_length)
        return text

    def _number(self, spec: FieldSpec, value: object) -> int | float:
        if isinstance(value, bool):
            raise CleanProblem("number.invalid")
        if isinstance(value, int | float):
            number = Decimal(str(value))
        else:
            text = _GROUPING.sub("", fold(str(value)).replace(" ", ""))
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise CleanProblem("number.invalid") from None
        if not number.is_finite():
            raise CleanProblem("number.invalid")
        result: int | float
        if spec.type is FieldType.INTEGER:
            if number != number.to_integral_value():
                raise CleanProblem("integer.invalid")
            result = int(number)
        else:
            result = float(number)
        low, high = spec.minimum, spec.maximum
        if (low is not None and result < low) or (high is not None and result > high):
            raise CleanProblem("number.range", min=_plain(low), max=_plain(high))
        return result

    def _choice(self, spec: FieldSpec, value: object) -> str:
        table = self._choices.get(spec.name)
        if table is None:
            table = {}
            for choice in spec.choices:
                for spelling in (choice.value, *choice.aliases):
                    table.setdefault(_choice_key(spelling), choice.value)
            self._choices[spec.name] = table
        found = table.get(_choice_key(cell_text(value)))
        if found is None:
            raise CleanProblem("choice.unknown", choices=_listing(spec.choices))
        return found

    def _boolean(self, value: object) -> bool:
        if isinstance(value, bool):
            return value
        key = _choice_key(cell_text(value))
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise CleanProblem("boolean.invalid")


def _plain(number: float | None) -> str:
    if number is None:
        return "…"
    return str(int(number)) if float(number).is_integer() else str(number)


def _listing(choices: tuple[Choice, ...]) -> str:
    shown = [c.value for c in choices[:12]]
    return "、".join(shown) + ("…" if len(choices) > 12 else "")
