"""Reading spreadsheets row by row in bounded memory: CSV in any encoding (UTF-8, UTF-8 with
BOM and GBK/GB18030 detected, any codec by choice) and XLSX through openpyxl's read-only
streaming mode. `open_table` finds the header (headers.py) and yields the data rows."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from hotline.imports.errors import UnreadableFile
from hotline.imports.headers import Layout, detect_layout
from hotline.imports.text import cell_text, fold

__all__ = [
    "LOOKAHEAD",
    "CsvReader",
    "RowReader",
    "Table",
    "XlsxReader",
    "detect_encoding",
    "open_reader",
    "open_table",
]

LOOKAHEAD = 50  # rows read ahead to find the header and the width
_CHUNK = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class RowReader(Protocol):
    format: str
    encoding: str | None
    sheet: str | None
    sheets: list[str]

    def rows(self) -> Iterator[tuple[int, Sequence[object]]]:
        """Every row of the sheet with its row number (blank rows too)."""
        ...

    def fraction(self) -> float | None:
        """How much of the file has been read, 0–1, when known."""
        ...

    def close(self) -> None: ...


def detect_encoding(path: Path) -> str:
    """utf-8-sig (a BOM), utf-16 (its BOM), utf-8 when every byte decodes, else gb18030 (the
    superset of GBK and GB2312) when every byte decodes as that."""
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(candidate)()
        try:
            with path.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return candidate
    raise UnreadableFile(
        "the file is neither UTF-8 nor GBK/GB18030 text; choose its encoding",
        code="import.file.encoding",
        details={"field": "encoding"},
    )


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UnreadableFile(
            f"unknown encoding {name!r}", code="import.file.encoding", details={"field": "encoding"}
        ) from None


def _first_bad_line(path: Path, encoding: str) -> int:
    """The first line that does not decode (the text reader fails a whole chunk ahead)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return number
    return 0


class CsvReader:
    """A CSV (or tab-separated) file; the delimiter is sniffed from the first lines."""

    format = "csv"

    def __init__(self, path: Path, *, encoding: str | None = None) -> None:
        self.path = path
        self.size = max(path.stat().st_size, 1)
        detected = detect_encoding(path)
        chosen = _codec(encoding) if encoding else detected
        if chosen == "utf-8" and detected == "utf-8-sig":
            chosen = "utf-8-sig"  # a BOM is never data
        self.encoding: str | None = chosen
        self.detected_encoding = detected
        self.sheet: str | None = None
        self.sheets: list[str] = []
        self._raw: IO[bytes] = path.open("rb")
        self._text = io.TextIOWrapper(self._raw, encoding=chosen, newline="")
        self.delimiter = self._sniff()

    def _sniff(self) -> str:
        try:
            sample = self._text.read(64 * 1024)
        except UnicodeDecodeError:
            sample = ""
        self._text.seek(0)
        lines = [line for line in sample.splitlines()[:30] if line.strip()]
        best, best_score = ",", 0
        for delimiter in (",", "\t", ";", "|"):
            counts = [line.count(delimiter) for line in lines]
            if not counts or max(counts) == 0:
                continue
            common = max(set(counts), key=counts.count)
            score = counts.count(common) * (common > 0)
            if score > best_score:
                best, best_score = delimiter, score
        return best

    def rows(self) -> Iterator[tuple[int, Sequence[object]]]:
        reader = csv.reader(self._text, delimiter=self.delimiter)
        line = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                bad = _first_bad_line(self.path, str(self.encoding))
                raise UnreadableFile(
                    f"line {bad} is not valid {self.encoding} text; choose the file's encoding",
                    code="import.file.encoding",
                    details={"field": "encoding", "row": bad},
                ) from None
            except csv.Error as error:
                raise UnreadableFile(
                    f"line {reader.line_num}: {error}",
                    details={"row": reader.line_num},
                ) from None
            yield line + 1, cells
            line = reader.line_num

    def fraction(self) -> float | None:
        try:
            return min(1.0, self._raw.tell() / self.size)
        except (OSError, ValueError):
            return None

    def close(self) -> None:
        self._text.close()


class XlsxReader:
    """One sheet of an XLSX workbook, streamed (openpyxl read-only: constant memory)."""

    format = "xlsx"
    encoding = None

    def __init__(self, path: Path, *, sheet: str | None = None) -> None:
        import openpyxl  # imported here: only spreadsheet work pays for it

        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise UnreadableFile(f"not a readable XLSX workbook: {error}") from None
        try:  # a read-only workbook holds its file open until closed
            self.sheets = list(self._book.sheetnames)
            if sheet is not None and sheet not in self.sheets:
                raise UnreadableFile(
                    f"no sheet {sheet!r} (sheets: {', '.join(self.sheets)})",
                    code="import.file.sheet",
                    details={"field": "sheet"},
                )
            self._sheet = self._book[sheet] if sheet else self._book.active
            self.sheet = str(self._sheet.title)
            self._total = self._rows_total(path)
            # Files written by other programs often state a wrong size; read what is there.
            self._sheet.reset_dimensions()
            self._row = 0
        except BaseException:
            self._book.close()
            raise

    def _rows_total(self, path: Path) -> int | None:
        stated = self._sheet.max_row
        if isinstance(stated, int) and stated > 1:
            return stated
        member = getattr(self._sheet, "_worksheet_path", None)
        if not member:
            return None
        count = 0
        tail = b""
        with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
            while chunk := xml.read(_CHUNK):
                data = tail + chunk
                count += data.count(b"<row ") + data.count(b"<row>")
                tail = data[-5:]
                count -= tail.count(b"<row ") + tail.count(b"<row>")
            count += tail.count(b"<row ") + tail.count(b"<row>")
        return count or None

    def rows(self) -> Iterator[tuple[int, Sequence[object]]]:
        for number, cells in enumerate(self._sheet.iter_rows(values_only=True), start=1):
            self._row = number
            yield number, cells

    def fraction(self) -> float | None:
        return min(1.0, self._row / self._total) if self._total else None

    def close(self) -> None:
        self._book.close()


def open_reader(
    path: Path, *, encoding: str | None = None, sheet: str | None = None
) -> CsvReader | XlsxReader:
    """A reader for the file, chosen by its first bytes (the name may lie)."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            "this is an old .xls workbook; save it as .xlsx or CSV (UTF-8) and upload that",
            code="import.file.xls",
        )
    if head.startswith(_ZIP_MAGIC):
        return XlsxReader(path, sheet=sheet)
    if not head:
        raise UnreadableFile("the file is empty", code="import.file.empty")
    return CsvReader(path, encoding=encoding)


def _blank(cells: Sequence[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not fold(v)) for v in cells)


@dataclass
class Table:
    """A file's header and data rows: `rows()` skips the header and blank rows and cuts every
    row to the header's width (blank trailing columns go; a longer row's extra cells are kept
    out)."""

    reader: CsvReader | XlsxReader
    layout: Layout
    _ahead: list[tuple[int, Sequence[object]]] = field(default_factory=list)
    _rest: Iterator[tuple[int, Sequence[object]]] | None = None

    @property
    def columns(self) -> list[Any]:
        return list(self.layout.columns)

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        width = self.layout.width
        first = self.layout.first_data_row
        source = itertools.chain(self._ahead, self._rest or iter(()))
        self._ahead = []
        for number, cells in source:
            if number < first or _blank(cells):
                continue
            row = list(cells[:width])
            if len(row) < width:
                row.extend([None] * (width - len(row)))
            yield number, row

    def sample(self, n: int = 5) -> list[tuple[int, list[str]]]:
        """The first data rows as text, for a preview."""
        out = []
        first = self.layout.first_data_row
        for number, cells in self._ahead:
            if number >= first and not _blank(cells):
                padded = [*cells[: self.layout.width]]
                padded += [None] * (self.layout.width - len(padded))
                out.append((number, [cell_text(v) for v in padded]))
            if len(out) >= n:
                break
        return out

    def fraction(self) -> float | None:
        return self.reader.fraction()

    def close(self) -> None:
        self.reader.close()


def open_table(
    path: Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    header_rows: int | None = None,
) -> Table:
    reader = open_reader(path, encoding=encoding, sheet=sheet)
    try:
        rest = reader.rows()
        ahead = list(itertools.islice(rest, LOOKAHEAD))
        # Skip over a long run of blank rows at the top to find the header.
        while ahead and all(_blank(cells) for _, cells in ahead):
            more = list(itertools.islice(rest, LOOKAHEAD))
            if not more:
                break
            ahead = more
        layout = detect_layout(ahead, header_rows)
    except BaseException:
        reader.close()
        raise
    if not layout.columns:
        reader.close()
        raise UnreadableFile("the sheet has no header and no data", code="import.file.empty")
    return Table(reader, layout, ahead, rest)
