"""Rows as a download: CSV in UTF-8 with a BOM (so Excel reads the Chinese) or an XLSX
workbook (openpyxl), for the small tables of WFM and the reports (ADR 0087)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

from hotline.reporting.tables import csv_bytes, xlsx_bytes

__all__ = ["XLSX", "table_response"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(lines: Sequence[Sequence[Any]], name: str, format: str) -> Response:
    if format == "xlsx":
        return Response(
            xlsx_bytes(lines),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return Response(
        csv_bytes(lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
