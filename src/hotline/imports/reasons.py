"""Why a row was refused, in zh-CN and en. Each `Problem.code` has a message in both languages;
`%(name)s` placeholders are filled from the problem's params. A test checks every code the
cleaners and targets raise is here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["REASONS", "reason"]

# code: (en, zh-CN)
REASONS: dict[str, tuple[str, str]] = {
    "value.required": ("a value is required", "必填，不能为空"),
    "text.too_long": (
        "longer than %(max)s characters",
        "超过 %(max)s 个字符",
    ),
    "phone.invalid": ("not a valid phone number", "不是有效的电话号码"),
    "phone.no_area_code": (
        "a landline needs its area code (e.g. 010-6552 9904)",
        "固定电话缺少区号（例如 010-6552 9904）",
    ),
    "phone.shortened": (
        "Excel's scientific notation cut digits off this number; format the column as text "
        "and enter it again",
        "号码被 Excel 科学计数法截断，丢失了位数；请将该列设为文本格式后重新填写",
    ),
    "email.invalid": ("not a valid email address", "不是有效的电子邮箱地址"),
    "date.invalid": (
        "not a date we can read (write 2024-03-05 or 2024年3月5日)",
        "无法识别的日期（请写作 2024-03-05 或 2024年3月5日）",
    ),
    "date.impossible": ("no such date or time", "日期或时间不存在"),
    "integer.invalid": ("not a whole number", "不是整数"),
    "number.invalid": ("not a number", "不是数字"),
    "number.range": (
        "must be between %(min)s and %(max)s",
        "须在 %(min)s 到 %(max)s 之间",
    ),
    "choice.unknown": ("not one of: %(choices)s", "不在可选值中：%(choices)s"),
    "boolean.invalid": ("not yes or no", "不是“是”或“否”"),
    "customer.no_identity": (
        "a customer needs a phone number or an email address",
        "客户至少需要一个电话号码或电子邮箱",
    ),
    "duplicate.ambiguous": (
        "matches %(count)s existing records; merge them first",
        "与 %(count)s 条已有记录重复，请先合并这些记录",
    ),
}


def reason(
    code: str,
    params: Mapping[str, Any],
    language: str,
    extra: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """The message for `code` in `language` (zh… or en); `extra`: a target's own reasons."""
    en, zh = (extra or {}).get(code) or REASONS.get(code, (code, code))
    text = zh if language.lower().startswith("zh") else en
    try:
        return text % dict(params) if params else text
    except (KeyError, ValueError, TypeError):
        return text
