"""Dates in the Chinese and ISO forms and Excel serials; cleaning per field type."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.imports.cleaning import Cleaner, CleanProblem, split_many
from hotline.imports.dates import DateProblem, parse_date, parse_datetime
from hotline.imports.model import Choice, FieldSpec, FieldType
from hotline.imports.text import cell_text, fold, normalize_header


@pytest.mark.parametrize(
    "cell",
    [
        "2024-03-05",
        "2024/3/5",
        "2024.3.5",
        "20240305",
        "2024年3月5日",
        "2024年03月05号",
        "二〇二四年三月五日",
        "２０２４－０３－０５",
        "2024-03-05T14:30:00+08:00",
        "2024/3/5 14:30",
        "2024年3月5日 下午2点30分",
        45356,
        45356.0,
        "45356",
        dt.datetime(2024, 3, 5, 9, 0),
        dt.date(2024, 3, 5),
    ],
)
def test_dates_read_as_one_day(cell: object) -> None:
    assert parse_date(cell) == "2024-03-05"


def test_chinese_numerals_with_tens() -> None:
    assert parse_date("二〇二四年十二月三十一日") == "2024-12-31"
    assert parse_date("二〇二四年十月十日") == "2024-10-10"


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("2023-02-30", "date.impossible"),
        ("2024-13-01", "date.impossible"),
        ("2024-03-05 25:00", "date.impossible"),
        ("03/05/2024", "date.invalid"),
        ("三月五日", "date.invalid"),
        ("1990/13", "date.invalid"),
        ("soon", "date.invalid"),
        (0, "date.invalid"),
        (True, "date.invalid"),
    ],
)
def test_bad_dates_say_why(cell: object, code: str) -> None:
    with pytest.raises(DateProblem) as problem:
        parse_date(cell)
    assert problem.value.code == code


def test_moments_take_the_tenant_zone_unless_they_carry_one() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    assert parse_datetime("2024-03-05 14:30", zone) == "2024-03-05T14:30:00+08:00"
    assert parse_datetime("2024-03-05T06:30:00Z", zone) == "2024-03-05T06:30:00+00:00"
    assert parse_datetime(45356.75, zone) == "2024-03-05T18:00:00+08:00"


def test_width_folding_keeps_chinese_text() -> None:
    assert fold("\ufeff　ＡＢＣ１２３＠ｅｘ．ｃｎ\u200b ") == "ABC123@ex.cn"
    assert fold("王芳（北京）") == "王芳(北京)"
    assert cell_text(13800138000.0) == "13800138000"
    assert cell_text(1.5) == "1.5"
    assert normalize_header("\ufeff* 客户名称（必填）") == "客户名称"
    assert normalize_header("E-mail Address") == "emailaddress"


VIP = FieldSpec("vip", FieldType.INTEGER, "VIP等级", "VIP", minimum=0, maximum=9)
GENDER = FieldSpec(
    "g",
    FieldType.CHOICE,
    "性别",
    "Gender",
    choices=(Choice("男", ("male", "m")), Choice("女", ("female", "f"))),
)
PHONES = FieldSpec("phones", FieldType.PHONE, "电话", "Phones", many=True)
EMAILS = FieldSpec("emails", FieldType.EMAIL, "邮箱", "Emails", many=True)
TAGS = FieldSpec("tags", FieldType.TAGS, "标签", "Tags", many=True, max_length=8)


def test_cleaning_by_type() -> None:
    c = Cleaner()
    assert c.clean(VIP, "３") == 3
    assert c.clean(VIP, 3.0) == 3
    assert c.clean(VIP, " ") is None
    assert c.clean(GENDER, "Ｍａｌｅ") == "男"
    assert c.clean(GENDER, " F ") == "女"
    assert c.clean(PHONES, "13800138000；+86 139 1000 2002、13800138000") == [
        "+8613800138000",
        "+8613910002002",
    ]
    assert c.clean(EMAILS, "WANG@Example.COM, ｌｉ＠ｅｘ．ｃｎ") == ["wang@example.com", "li@ex.cn"]
    assert c.clean(TAGS, "VIP，老客户 | VIP") == ["VIP", "老客户"]
    boolean = FieldSpec("b", FieldType.BOOLEAN, "是否", "Yes")
    assert c.clean(boolean, "是") is True
    assert c.clean(boolean, "No") is False
    amount = FieldSpec("a", FieldType.DECIMAL, "金额", "Amount")
    assert c.clean(amount, "1,234.50") == 1234.5


@pytest.mark.parametrize(
    ("spec", "cell", "code", "params"),
    [
        (VIP, "12", "number.range", {"min": "0", "max": "9"}),
        (VIP, "3.5", "integer.invalid", {}),
        (VIP, "高", "number.invalid", {}),
        (GENDER, "未知", "choice.unknown", {"choices": "男、女"}),
        (PHONES, "13800138000, 123", "phone.invalid", {}),
        (EMAILS, "wang@", "email.invalid", {}),
        (TAGS, "a-very-long-tag", "text.too_long", {"max": 8}),
    ],
)
def test_cleaning_problems(
    spec: FieldSpec, cell: object, code: str, params: dict[str, object]
) -> None:
    with pytest.raises(CleanProblem) as problem:
        Cleaner().clean(spec, cell)
    assert problem.value.code == code
    assert problem.value.params == params


def test_split_many() -> None:
    assert split_many("a; b ;;c") == ["a", "b", "c"]
    assert split_many(13800138000) == [13800138000]
