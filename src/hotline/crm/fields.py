"""A customer's own fields, checked against the center's definitions (`custom_fields`) by the
import pipeline's cleaner — one rule for a typed form and a spreadsheet row: text, number,
date, choice, multi-choice (a list of choices), yes/no, phone, e-mail; required fields
present; unknown keys refused. Problems name the field (`custom.<key>`) in the user's
language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from hotline.errors import InvalidInput
from hotline.imports.cleaning import Cleaner, CleanProblem, is_blank
from hotline.imports.customers import CustomFieldDef, custom_field_spec
from hotline.imports.reasons import reason

__all__ = ["check_custom"]

_UNKNOWN = ("no such custom field", "没有这个自定义字段")


def check_custom(
    definitions: Sequence[CustomFieldDef],
    values: Mapping[str, Any],
    *,
    region: str,
    time_zone: str,
    language: str,
) -> dict[str, Any]:
    """The clean values by key (dates as ISO text), or `InvalidInput` naming the field."""
    known = {d.key: d for d in definitions}
    for key in values:
        if key not in known:
            text = _UNKNOWN[1] if language.startswith("zh") else _UNKNOWN[0]
            raise InvalidInput(
                f"custom.{key}: {text}", code="customer.custom.unknown",
                details={"field": f"custom.{key}", "language": language},
            )  # fmt: skip
    cleaner = Cleaner(region=region, time_zone=time_zone)
    out: dict[str, Any] = {}
    for key, definition in known.items():
        spec = custom_field_spec(definition)
        raw = values.get(key)
        label = spec.label(language)
        try:
            if isinstance(raw, list):
                if not spec.many:
                    raise CleanProblem("value.many")
                one = replace(spec, many=False)  # each element of a multi-choice list
                parts = [cleaner.clean(one, v) for v in raw if not is_blank(v)]
                value: Any = list(dict.fromkeys(p for p in parts if p is not None)) or None
            else:
                value = cleaner.clean(spec, raw)
            if value is None and definition.required:
                raise CleanProblem("value.required")
        except CleanProblem as problem:
            text = reason(problem.code, problem.params, language, _EXTRA)
            raise InvalidInput(
                f"{label}: {text}", code=f"customer.{problem.code}",
                details={"field": f"custom.{key}", "reason": problem.code, "language": language},
            ) from None  # fmt: skip
        if value is not None:
            out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


_EXTRA = {"value.many": ("takes one value, not a list", "只能填一个值，不能是列表")}
