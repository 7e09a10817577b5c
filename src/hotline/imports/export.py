"""Exports of a target's records, streamed: CSV in UTF-8 with a BOM (so Excel opens Chinese
text right) and XLSX written row by row (openpyxl write-only mode). Headers are the fields'
labels in the user's language, so an export imports back with no mapping to make."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from hotline.imports.model import FieldSpec, FieldType, Record
from hotline.imports.phones import display_phone

__all__ = ["csv_chunks", "export_headers", "export_row", "write_xlsx"]

_JOIN = "; "


def export_headers(fields: Sequence[FieldSpec], language: str) -> list[str]:
    return [spec.label(language) for spec in fields]


def _cell(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return ""
    if spec.type is FieldType.PHONE:
        values = value if isinstance(value, list) else [value]
        return _JOIN.join(display_phone(str(v)) for v in values)
    if isinstance(value, list):
        return _JOIN.join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def export_row(fields: Sequence[FieldSpec], record: Record) -> list[Any]:
    return [_cell(spec, record.get(spec.name)) for spec in fields]


async def csv_chunks(
    fields: Sequence[FieldSpec], batches: AsyncIterator[list[Record]], language: str
) -> AsyncIterator[bytes]:
    """The CSV file as chunks of bytes, one per batch of records; the first starts with the
    UTF-8 BOM and the header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export_headers(fields, language))
    yield "\ufeff".encode() + buffer.getvalue().encode()
    async for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(export_row(fields, record) for record in batch)
        yield buffer.getvalue().encode()


async def write_xlsx(
    path: Path,
    fields: Sequence[FieldSpec],
    batches: AsyncIterator[list[Record]],
    language: str,
    sheet: str,
) -> int:
    """Write the workbook to `path`: rows are flushed to disk as they come (memory stays
    flat) and the spreadsheet work runs in a worker thread, off the event loop. Returns the
    number of records."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(export_headers(fields, language))
    text_columns = {i for i, spec in enumerate(fields) if spec.type is FieldType.PHONE}

    def append(batch: list[Record]) -> None:
        for record in batch:
            cells = []
            for index, value in enumerate(export_row(fields, record)):
                cell = WriteOnlyCell(ws, value=value)
                if index in text_columns:
                    cell.number_format = "@"  # text: Excel never turns it into a float
                cells.append(cell)
            ws.append(cells)

    count = 0
    async for batch in batches:
        await asyncio.to_thread(append, batch)
        count += len(batch)
    await asyncio.to_thread(book.save, path)
    return count
