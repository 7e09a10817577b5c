"""Where the header is and what each column is called, from a spreadsheet's first rows.

Handles what people do to the top of a sheet: blank rows and a title row above the header
(`客户名单 2024年`, one cell), a header over two rows with merged cells (`联系方式` spanning
`手机` and `邮箱`; a merged cell's value sits in its first cell only, the rest read blank),
blank columns at the right, and columns with data but no header. Pure: rows in, layout out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hotline.imports.text import cell_text, fold

__all__ = ["Column", "Layout", "column_letter", "detect_layout"]

_LOOKS_LIKE_DATA = re.compile(r"\d{5,}|@")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    parts: tuple[str, ...]  # header text from the top header row down, without repeats

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def label(self) -> str:
        """`联系方式 / 手机`, or `` when the column has no header."""
        return " / ".join(self.parts)

    def describe(self) -> dict[str, object]:
        return {"index": self.index, "letter": self.letter, "label": self.label}


@dataclass(frozen=True, slots=True)
class Layout:
    header_rows: tuple[int, ...]  # the sheet's row numbers of the header
    columns: tuple[Column, ...]

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1 if self.header_rows else 1


def _texts(row: Sequence[object]) -> list[str]:
    return [fold(cell_text(v)) for v in row]


def _filled(row: Sequence[object]) -> int:
    return sum(1 for t in _texts(row) if t)


def _last_filled(row: Sequence[object]) -> int:
    texts = _texts(row)
    for index in range(len(texts) - 1, -1, -1):
        if texts[index]:
            return index + 1
    return 0


def _continues(upper: list[str], lower: Sequence[object], width: int) -> bool:
    """Is `lower` the second row of a two-row header under `upper`? Yes when it names columns
    below a merged (blank-reading) upper cell that follows a named one, and holds no data."""
    texts = _texts(lower)
    if not any(texts):
        return False
    if any(not isinstance(v, str) for v, t in zip(lower, texts, strict=False) if t):
        return False
    if any(_LOOKS_LIKE_DATA.search(t) for t in texts):
        return False
    for index in range(1, min(width, len(texts))):
        below_merged = not (upper[index] if index < len(upper) else "") and texts[index]
        if below_merged and any(upper[:index]):
            return True
    return False


def detect_layout(
    rows: Sequence[tuple[int, Sequence[object]]], header_rows: int | None = None
) -> Layout:
    """The header and columns from the first rows (`(row number, cells)`, up to ~50).

    `header_rows` overrides the detection (the user says how many rows the header has)."""
    filled = [(number, cells) for number, cells in rows if _filled(cells)]
    if not filled:
        return Layout((), ())
    start = 0
    title = len(filled) > 1 and _filled(filled[0][1]) == 1 and _filled(filled[1][1]) >= 2
    if header_rows is None and title:
        start = 1  # a title row above the header
    width = max(_last_filled(cells) for _, cells in filled[start:])
    if header_rows is None:
        upper = (_texts(filled[start][1]) + [""] * width)[:width]
        count = 1
        if start + 1 < len(filled) and _continues(upper, filled[start + 1][1], width):
            count = 2
    else:
        count = max(0, min(header_rows, len(filled) - start))
    block = [(_texts(cells) + [""] * width)[:width] for _, cells in filled[start : start + count]]
    # A merged upper cell reads blank after its first column: carry its text right, over the
    # columns whose lower row names them.
    for level in range(len(block) - 1):
        carried = ""
        for index in range(width):
            if block[level][index]:
                carried = block[level][index]
            elif carried and any(block[lower][index] for lower in range(level + 1, len(block))):
                block[level][index] = carried
            else:
                carried = ""
    columns = []
    for index in range(width):
        parts: list[str] = []
        for texts in block:
            if texts[index] and texts[index] not in parts:
                parts.append(texts[index])
        columns.append(Column(index, tuple(parts)))
    numbers = tuple(number for number, _ in filled[start : start + count])
    return Layout(numbers, tuple(columns))
