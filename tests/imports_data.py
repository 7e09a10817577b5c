"""Customer spreadsheets as old systems export them, with the answer key.

`build(n)` makes `n` data rows under a title row and a two-row merged header (客户名称 |
联系方式: 手机, 座机 | 电子邮箱 | VIP等级 | 生日 | 性别 | 标签 | 备注), blank rows in the middle
and at the end, blank columns at the right, and plants:

- dirty but valid cells, each of which must import cleaned: full-width digits and letters,
  `+86` / `0086` / spaces and dashes, landlines with area code and extension (转, ext., a
  fourth group), phones stored as floats (`13900000123.0`, `1.3900000123e10`), Excel serial
  dates, Chinese dates, BOM and zero-width characters in cells, choices in other spellings;
- duplicates that differ only in notation (phone forms, e-mail case and width), later in the
  file, carrying values the merge rule must fold in;
- bad rows, one problem each, with the reason code the report must give.

The expected final customers are computed here with plain rules (first row wins, blanks
filled, lists united — the `merge` rule), independently of the code under test. Bench and
tests write the same data as XLSX (typed cells) or CSV (text, any encoding).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TITLE = "客户名单（旧系统导出）"
TOP = ["客户名称", "联系方式", None, "电子邮箱", "VIP等级", "生日", "性别", "标签", "备注"]
SUB = [None, "手机", "座机", None, None, None, None, None, None]
CUSTOM_FIELDS = [
    {"key": "birthday", "label_zh": "生日", "label_en": "Birthday", "type": "date"},
    {
        "key": "gender",
        "label_zh": "性别",
        "label_en": "Gender",
        "type": "choice",
        "choices": ["男|male|m", "女|female|f"],
    },
]
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁龙林欣悦"
_TAGS = ["老客户", "VIP", "投诉", "北京", "上海", "广州", "深圳", "会员"]
_EPOCH = dt.date(1899, 12, 30)
_FULL = {
    c: chr(ord(c) + 0xFEE0)
    for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@.-+"
}

# Bad-row classes: the code the report must give, and the column it blames.
BAD = [
    ("phone.invalid", "联系方式 / 手机"),
    ("phone.no_area_code", "联系方式 / 座机"),
    ("phone.shortened", "联系方式 / 手机"),
    ("email.invalid", "电子邮箱"),
    ("date.invalid", "生日"),
    ("date.impossible", "生日"),
    ("number.range", "VIP等级"),
    ("integer.invalid", "VIP等级"),
    ("choice.unknown", "性别"),
    ("value.required", "客户名称"),
    ("customer.no_identity", "联系方式 / 手机"),
]


def full_width(text: str) -> str:
    return "".join(_FULL.get(c, c) for c in text)


@dataclass
class Customer:
    """What one customer must look like after the import (the merge rule)."""

    name: str
    phones: list[str] = field(default_factory=list)  # E.164 keys, `;ext=` for extensions
    emails: list[str] = field(default_factory=list)
    vip: int | None = None
    tags: list[str] = field(default_factory=list)
    birthday: str | None = None
    gender: str | None = None
    notes: str | None = None

    def merged(self, later: Customer) -> Customer:
        def unite(a: list[str], b: list[str]) -> list[str]:
            return list(dict.fromkeys([*a, *b]))

        return Customer(
            name=self.name or later.name,
            phones=unite(self.phones, later.phones),
            emails=unite(self.emails, later.emails),
            vip=self.vip if self.vip else later.vip,
            tags=unite(self.tags, later.tags),
            birthday=self.birthday or later.birthday,
            gender=self.gender or later.gender,
            notes=self.notes or later.notes,
        )

    def key(self) -> str:
        return self.phones[0] if self.phones else self.emails[0]

    def comparable(self) -> tuple[Any, ...]:
        return (
            self.name,
            sorted(self.phones),
            sorted(self.emails),
            self.vip or 0,
            sorted(self.tags),
            self.birthday,
            self.gender,
            self.notes,
        )


@dataclass
class Dataset:
    rows: list[list[Any] | None]  # data rows in sheet order; None is a blank row
    first_row: int  # sheet row number of rows[0]
    bad: dict[int, tuple[str, str]]  # sheet row → (code, column)
    customers: dict[str, Customer]  # expected, by key
    existing: list[Customer]  # stored before the import (each matched by a file row)
    duplicates: int  # rows folded into an earlier row
    data_rows: int  # non-blank rows

    def expected_counts(self) -> dict[str, int]:
        """The counts of a first import with the merge rule."""
        stored = {c.key(): c for c in self.existing}
        merged = sum(
            1
            for key, before in stored.items()
            if self.customers[key].comparable() != before.comparable()
        )
        return {
            "rows": self.data_rows,
            "invalid": len(self.bad),
            "problems": len(self.bad),
            "duplicates": self.duplicates,
            "new": len(self.customers) - len(stored),
            "updated": 0,
            "merged": merged,
            "unchanged": len(stored) - merged,
            "skipped": 0,
        }


class _Maker:
    def __init__(self, seed: int, typed: bool) -> None:
        self.r = random.Random(seed)
        self.typed = typed  # XLSX: numbers and dates as typed cells

    def name(self, i: int) -> str:
        r = self.r
        return r.choice(_SURNAMES) + r.choice(_GIVEN) + (r.choice(_GIVEN) if i % 3 else "")

    def mobile(self, i: int) -> tuple[Any, str]:
        """A cell for mobile number i in some notation, and its E.164 key."""
        digits = f"139{i:08d}"
        key = f"+86{digits}"
        style = i % 10
        if style == 1:
            return full_width(digits), key
        if style == 2:
            return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}", key
        if style == 3:
            return f"0086-{digits[:3]}-{digits[3:7]}-{digits[7:]}", key
        if style == 4:
            return (float(digits) if self.typed else f"{digits}.0"), key
        if style == 5 and not self.typed:
            return f"{digits[0]}.{digits[1:]}e10", key  # every digit kept: valid
        if style == 6:
            return (int(digits) if self.typed else f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"), key
        return digits, key

    def landline(self, i: int) -> tuple[str, str]:
        number = f"5{i % 10_000_000:07d}"
        base = f"+8621{number}"
        style = i % 4
        if style == 0:
            return f"021-{number[:4]} {number[4:]}", base
        if style == 1:
            return f"021-{number} 转 {800 + i % 100}", f"{base};ext={800 + i % 100}"
        if style == 2:
            return f"(021) {number} ext. {i % 90 + 10}", f"{base};ext={i % 90 + 10}"
        return f"021-{number}-{8000 + i % 1000}", f"{base};ext={8000 + i % 1000}"

    def email(self, i: int) -> tuple[str, str]:
        plain = f"user{i}@example.com"
        style = i % 7
        if style == 1:
            return plain.upper(), plain
        if style == 2:
            return full_width(plain), plain
        if style == 3 and self.typed:
            return "\ufeff" + plain + "\u200b", plain
        return plain, plain

    def birthday(self, i: int) -> tuple[Any, str | None]:
        if i % 5 == 0:
            return None, None
        day = dt.date(1950, 1, 1) + dt.timedelta(days=(i * 37) % 20000)
        style = i % 6
        if style == 1:
            serial = (day - _EPOCH).days
            return (serial if self.typed else str(serial)), day.isoformat()
        if style == 2:
            return f"{day.year}年{day.month}月{day.day}日", day.isoformat()
        if style == 3:
            return (
                dt.datetime.combine(day, dt.time()) if self.typed else day.strftime("%Y/%m/%d")
            ), day.isoformat()
        return day.isoformat(), day.isoformat()

    def gender(self, i: int) -> tuple[str | None, str | None]:
        spellings = [
            (None, None),
            ("男", "男"),
            ("女", "女"),
            ("Male", "男"),
            ("ｆ", "女"),
            (" F ", "女"),
        ]
        return spellings[i % len(spellings)]


def _row(
    name: Any,
    mobile: Any,
    landline: Any,
    email: Any,
    vip: Any,
    birthday: Any,
    gender: Any,
    tags: Any,
    notes: Any,
) -> list[Any]:
    return [name, mobile, landline, email, vip, birthday, gender, tags, notes, None, None]


def build(
    n: int,
    *,
    bad: int = 0,
    duplicates: int = 0,
    existing: int = 0,
    typed: bool = True,
    seed: int = 15,
) -> Dataset:
    """`n` non-blank data rows, of which `bad` are invalid (one problem each), `duplicates`
    repeat an earlier row in another notation, and `existing` match a customer stored before
    the import."""
    m = _Maker(seed, typed)
    r = m.r
    first_row = 4  # title, two header rows
    good = n - bad - duplicates
    slots: list[str] = ["good"] * good + ["bad"] * bad + ["dup"] * duplicates
    # Bad and duplicate rows anywhere but first; a duplicate needs an earlier good row.
    head, tail = slots[:1], slots[1:]
    r.shuffle(tail)
    slots = head + tail
    rows: list[list[Any] | None] = []
    planted: dict[int, tuple[str, str]] = {}
    customers: dict[str, Customer] = {}
    order: list[str] = []
    stored: list[Customer] = []
    blank_every = max(50, n // 20)
    good_index = 0
    bad_index = 0
    for slot in slots:
        if rows and len(rows) % blank_every == 0:
            rows.append(None)  # a blank row in the middle: skipped, never counted
        sheet_row = first_row + len(rows)
        i = good_index + 1000 * (seed % 7)
        if slot == "good":
            good_index += 1
            name = m.name(i)
            mobile, key = m.mobile(i)
            land, land_key = m.landline(i) if i % 10 == 7 else (None, None)
            email, email_key = m.email(i) if i % 4 else (None, None)
            vip = (i % 10) if i % 3 == 0 else None
            vip_cell: Any = vip
            if vip is not None and not typed:
                vip_cell = str(vip) if i % 2 else full_width(str(vip))
            elif vip is not None and i % 2:
                vip_cell = float(vip)
            birthday, birthday_iso = m.birthday(i)
            gender, gender_value = m.gender(i)
            tags = r.sample(_TAGS, k=i % 3)
            notes = f"备注{i}" if i % 11 == 0 else None
            display_name = ("\ufeff" + name) if typed and i % 13 == 0 else name
            rows.append(
                _row(
                    display_name,
                    mobile,
                    land,
                    email,
                    vip_cell,
                    birthday,
                    gender,
                    "、".join(tags) or None,
                    notes,
                )
            )
            c = Customer(
                name,
                [key] + ([land_key] if land_key else []),
                [email_key] if email_key else [],
                vip or None,
                tags,
                birthday_iso,
                gender_value,
                notes,
            )
            customers[key] = c
            order.append(key)
            if len(stored) < existing and i % 17 == 5:
                # Stored before the import under another notation, with other values: the
                # file's row merges into it (the stored values win, blanks are filled).
                before = Customer(
                    name + "（老）",
                    [key],
                    [f"old{i}@example.cn"],
                    None,
                    ["老客户"],
                    None,
                    None,
                    "旧系统",
                )
                stored.append(before)
                customers[key] = before.merged(c)
        elif slot == "dup":
            original = customers[r.choice(order)]
            key = original.phones[0]
            digits = key.removeprefix("+86")
            notation = r.choice(
                [
                    f"+86-{digits}",
                    f"0086 {digits}",
                    full_width(digits),
                    f"{digits[:3]} {digits[3:7]} {digits[7:]}",
                ]
            )
            extra_email = f"dup{len(rows)}@example.org"
            email_cell = extra_email
            if original.emails and r.random() < 0.5:
                email_cell = original.emails[0].upper()  # the same address, in capitals
            rows.append(
                _row(
                    original.name + "（重复）",
                    notation,
                    None,
                    email_cell,
                    7,
                    None,
                    None,
                    "重复导入",
                    None,
                )
            )
            folded = Customer(
                original.name + "（重复）", [key], [email_cell.lower()], 7, ["重复导入"]
            )
            customers[key] = original.merged(folded)
        else:
            code, column = BAD[bad_index % len(BAD)]
            j = 90_000_000 + bad_index  # identities no good row uses
            bad_index += 1
            cells = _row(
                m.name(j), f"137{j:08d}", None, f"bad{j}@example.com", None, None, None, None, None
            )
            if code == "phone.invalid":
                cells[1] = r.choice(["1390000", "12345678901", "电话不详"])
            elif code == "phone.no_area_code":
                cells[2] = f"6552{j % 10000:04d}"
            elif code == "phone.shortened":
                cells[1] = "1.37000E+10"
            elif code == "email.invalid":
                cells[3] = r.choice(["wang@", "wang.example.com", "王@例子"])
            elif code == "date.invalid":
                cells[5] = r.choice(["三月五日", "1990/13", "05/03/1990"])
            elif code == "date.impossible":
                cells[5] = "1990-02-30"
            elif code == "number.range":
                cells[4] = 12 if typed else "12"
            elif code == "integer.invalid":
                cells[4] = 3.5 if typed else "3.5"
            elif code == "choice.unknown":
                cells[6] = "未知X"
            elif code == "value.required":
                cells[0] = None
            elif code == "customer.no_identity":
                cells[1] = cells[3] = None
            rows.append(cells)
            planted[sheet_row] = (code, column)
    for _ in range(30):
        rows.append(None)  # blank rows at the end
    # Keep each expected customer once, under its first phone.
    final = {c.key(): c for c in customers.values()}
    return Dataset(rows, first_row, planted, final, stored, duplicates, n)


def header_rows() -> list[list[Any]]:
    return [[TITLE] + [None] * (len(TOP) - 1), TOP, SUB]


def write_xlsx(data: Dataset, path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("客户")
    title, top, sub = header_rows()
    sheet.append(title)
    sheet.append(["\ufeff" + str(top[0]), *top[1:]])  # a BOM pasted into the first header
    sheet.append(sub)
    for row in data.rows:
        sheet.append(row if row is not None else [])
    book.save(path)


def write_csv(data: Dataset, path: Path, *, encoding: str = "gbk") -> None:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        for row in header_rows():
            writer.writerow(["" if v is None else v for v in row])
        for row in data.rows:
            writer.writerow(
                [] if row is None else ["" if v is None else v for v in row[:9]] + ["", ""]
            )
