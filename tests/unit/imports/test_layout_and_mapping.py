"""Finding the header (title rows, merged two-row headers, blank columns) and mapping columns
to fields by their zh or en names, saved mappings and the checks before a run."""

from __future__ import annotations

import pytest

from hotline.imports.customers import BUILTIN_FIELDS, CustomFieldDef, custom_field_spec
from hotline.imports.errors import MappingInvalid
from hotline.imports.headers import column_letter, detect_layout
from hotline.imports.mapping import check_mapping, saved_form, suggest_mapping

FIELDS = (
    *BUILTIN_FIELDS,
    custom_field_spec(CustomFieldDef("birthday", "生日", "Birthday", "date")),
)


def test_a_title_row_and_a_merged_two_row_header() -> None:
    rows = [
        (1, ["客户名单 2024"]),
        (2, []),
        (3, ["客户名称", "联系方式", None, "VIP等级", None, None]),
        (4, [None, "手机", "邮箱", None]),
        (5, ["王芳", 13800138000, "a@b.cn", 3]),
    ]
    layout = detect_layout(rows)
    assert layout.header_rows == (3, 4)
    assert layout.first_data_row == 5
    assert [c.label for c in layout.columns] == [
        "客户名称",
        "联系方式 / 手机",
        "联系方式 / 邮箱",
        "VIP等级",
    ]


def test_one_header_row_with_a_gap_and_blank_columns_at_the_right() -> None:
    rows = [(1, ["姓名", "手机", None, "邮箱", None]), (2, ["王芳", "138", "x", "a@b", None])]
    layout = detect_layout(rows)
    assert layout.header_rows == (1,)
    assert [c.label for c in layout.columns] == ["姓名", "手机", "", "邮箱"]
    assert layout.columns[2].letter == "C"


def test_the_user_can_say_how_many_header_rows() -> None:
    rows = [(1, ["A", "B"]), (2, ["a", "b"]), (3, ["1", "2"])]
    assert detect_layout(rows, header_rows=2).header_rows == (1, 2)
    assert detect_layout(rows).header_rows == (1,)


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_headers_map_in_chinese_and_english() -> None:
    rows = [
        (1, ["客户名称", "手机号码", "座机", "E-mail", "生日", "备注（选填）", "Unknown"]),
        (2, ["王芳", "138", "010", "a@b", "1990-01-01", "x", "y"]),
    ]
    columns = detect_layout(rows).columns
    assert suggest_mapping(columns, FIELDS) == {
        0: "name", 1: "phones", 2: "phones", 3: "emails", 4: "custom.birthday", 5: "notes",
    }  # fmt: skip
    english = detect_layout([(1, ["Customer", "Mobile", "Level", "Tags"])]).columns
    assert suggest_mapping(english, FIELDS) == {0: "name", 1: "phones", 2: "vip_level", 3: "tags"}


def test_a_one_value_field_takes_the_first_column_that_names_it() -> None:
    columns = detect_layout([(1, ["姓名", "客户名称"])]).columns
    assert suggest_mapping(columns, FIELDS) == {0: "name"}


def test_a_saved_mapping_wins_and_keeps_columns_unmapped() -> None:
    columns = detect_layout([(1, ["联系人", "Mobile", "Remark"])]).columns
    saved = saved_form(columns, {0: "name", 1: "phones"})
    assert saved == {"联系人": "name", "mobile": "phones", "remark": ""}
    assert suggest_mapping(columns, FIELDS, saved) == {0: "name", 1: "phones"}


def test_mapping_checks_name_the_problem() -> None:
    columns = detect_layout([(1, ["姓名", "手机", "手机2"])]).columns
    check_mapping({0: "name", 1: "phones", 2: "phones"}, columns, FIELDS)
    with pytest.raises(MappingInvalid) as error:
        check_mapping({0: "name", 1: "name"}, columns, FIELDS)
    assert error.value.code == "import.mapping.twice"
    with pytest.raises(MappingInvalid) as error:
        check_mapping({1: "phones"}, columns, FIELDS)
    assert error.value.code == "import.mapping.required"
    with pytest.raises(MappingInvalid) as error:
        check_mapping({0: "name", 5: "phones"}, columns, FIELDS)
    assert error.value.details["column"] == 5
    with pytest.raises(MappingInvalid):
        check_mapping({0: "name", 1: "fax"}, columns, FIELDS)
