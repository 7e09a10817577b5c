"""Reading CSV in every encoding we meet and XLSX streamed: detection, overrides, blank rows
and columns, merged headers, errors that name the line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from hotline.imports.errors import UnreadableFile
from hotline.imports.readers import detect_encoding, open_table

TEXT = "客户名称,手机,备注\n王芳,13800138000,老客户\n李强,13900139000,\n"


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(TEXT.encode(encoding))
    assert detect_encoding(path) == detected
    table = open_table(path)
    assert [c.label for c in table.layout.columns] == ["客户名称", "手机", "备注"]
    assert list(table.rows()) == [
        (2, ["王芳", "13800138000", "老客户"]),
        (3, ["李强", "13900139000", ""]),
    ]
    table.close()


def test_the_encoding_can_be_chosen_and_a_wrong_one_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(("name\n" + "abcdefghij\n" * 3000 + "王芳\n").encode("gbk"))
    table = open_table(path, encoding="utf-8")
    with pytest.raises(UnreadableFile) as error:
        list(table.rows())
    table.close()
    assert error.value.code == "import.file.encoding"
    assert error.value.message.startswith("line 3002 is not valid utf-8 text")
    table = open_table(path, encoding="gbk")
    assert [r[1][0] for r in table.rows()][-1] == "王芳"
    table.close()
    with pytest.raises(UnreadableFile):
        open_table(path, encoding="klingon")


def test_tab_and_semicolon_separated(tmp_path: Path) -> None:
    for sep in ("\t", ";"):
        path = tmp_path / "c.csv"
        path.write_text(TEXT.replace(",", sep), encoding="utf-8")
        table = open_table(path)
        assert table.reader.delimiter == sep
        assert len(table.layout.columns) == 3
        table.close()


def test_blank_rows_and_columns_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(",,,,\n姓名,手机,,,\n王芳,138,,,\n,,,,\n李强,139,,,\n,,,,\n,,,,\n", "utf-8")
    table = open_table(path)
    assert table.layout.header_rows == (2,)
    assert list(table.rows()) == [(3, ["王芳", "138"]), (5, ["李强", "139"])]
    assert table.fraction() == 1.0
    table.close()


def test_old_xls_and_empty_files_are_refused(tmp_path: Path) -> None:
    xls = tmp_path / "a.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(UnreadableFile) as error:
        open_table(xls)
    assert error.value.code == "import.file.xls"
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableFile) as error:
        open_table(empty)
    assert error.value.code == "import.file.empty"


def test_xlsx_with_merged_header_typed_cells_and_formatted_blank_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(["客户名单"])
    sheet.merge_cells("A1:E1")
    sheet.append(["客户名称", "联系方式", None, "生日", "VIP等级"])
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("A2:A3")
    sheet.append([None, "手机", "邮箱", None, None])
    sheet.append(["王芳", 13800138000.0, "a@b.cn", dt.datetime(1990, 1, 2), 3])
    sheet.append(["李强", 13900139000, None, 32875, None])
    for row in range(6, 40):  # formatted but empty rows, as Excel leaves them
        sheet.cell(row=row, column=1).number_format = "@"
    sheet.cell(row=2, column=9).number_format = "@"  # and a formatted blank column
    other = book.create_sheet("说明")
    other.append(["nothing"])
    path = tmp_path / "c.xlsx"
    book.save(path)

    table = open_table(path)
    assert table.reader.sheets == ["客户", "说明"]
    assert table.sample(1) == [(4, ["王芳", "13800138000", "a@b.cn", "1990-01-02 00:00:00", "3"])]
    assert table.layout.header_rows == (2, 3)
    assert [c.label for c in table.layout.columns] == [
        "客户名称", "联系方式 / 手机", "联系方式 / 邮箱", "生日", "VIP等级",
    ]  # fmt: skip
    rows = list(table.rows())
    assert rows == [
        (4, ["王芳", 13800138000, "a@b.cn", dt.datetime(1990, 1, 2), 3]),
        (5, ["李强", 13900139000, None, 32875, None]),
    ]
    table.close()
    with pytest.raises(UnreadableFile) as error:
        open_table(path, sheet="nope")
    assert error.value.code == "import.file.sheet"
    other_table = open_table(path, sheet="说明")
    assert other_table.layout.columns[0].label == "nothing"
    other_table.close()
