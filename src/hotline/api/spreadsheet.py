"""Rows as a download: CSV in UTF-8 with a BOM (so Excel reads the Chinese) or an XLSX
workbook (openpyxl), for the small tables of WFM and the reports (ADR 0087)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

__all__ = ["table_response"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(lines: Sequence[Sequence[Any]], name: str, format: str) -> Response:
    if format == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for line in lines:
            sheet.append(list(line))
        out = io.BytesIO()
        book.save(out)
        return Response(
            out.getvalue(),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    text = io.StringIO()
    csv.writer(text).writerows(lines)
    return Response(
        "\ufeff" + text.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
