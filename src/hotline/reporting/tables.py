"""A report as a table: headers in the reader's language, one row per key; written as CSV
(UTF-8 with a BOM, so Excel reads the Chinese) or XLSX (openpyxl, ADR 0087)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hotline.analytics.reports import FIGURES

__all__ = [
    "DIMENSION_LABELS",
    "FIGURE_LABELS",
    "Translate",
    "csv_bytes",
    "shown",
    "summary_lines",
    "xlsx_bytes",
]

Translate = Callable[[str, str], str]
"""(language, English text) → the text in that language (the UI catalog's)."""

FIGURE_LABELS = {
    "contacts": "Contacts", "offered": "Offered", "answered": "Answered",
    "abandoned": "Abandoned", "short_abandoned": "Short abandons", "answer_rate": "Answer rate",
    "abandon_rate": "Abandon rate", "service_level": "Service level", "asa_s": "ASA (s)",
    "longest_wait_s": "Longest wait (s)", "rejected": "Rejected",
    "callbacks_requested": "Callbacks requested", "callbacks_made": "Callbacks made",
    "callbacks_failed": "Callbacks failed", "voicemails": "Voicemails", "handled": "Handled",
    "aht_s": "AHT (s)", "talk_s": "Average talk (s)", "hold_s": "Average hold (s)",
    "holds": "Holds", "acw_s": "ACW (s)", "acw_overruns": "ACW overruns",
    "acw_overrun_s": "ACW overrun (s)", "transfers": "Transfers",
    "transfer_rate": "Transfer rate", "consults": "Consultations", "fcr": "FCR",
    "fcr_contacts": "FCR contacts", "csat": "CSAT", "csat_average": "CSAT average",
    "csat_answers": "Survey answers", "conversion_rate": "Conversion rate",
    "dispositioned": "Dispositioned", "occupancy": "Occupancy", "utilization": "Utilization",
    "login_s": "Logged in (s)", "available_s": "Available (s)", "not_ready_s": "Not ready (s)",
}  # fmt: skip


def shown(value: Any, kind: str) -> str:
    """A figure as the page, the PDF and the e-mail show it: rates in %, seconds with one
    place, "—" for nothing counted."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{float(value) * 100:.1f}%"
    if kind in ("seconds", "number"):
        return f"{float(value):.1f}" if kind == "seconds" else f"{float(value):.2f}"
    return str(value)


DIMENSION_LABELS = {
    "center": "Center", "queue": "Queue", "skill": "Skill group", "team": "Team",
    "agent": "Agent", "channel": "Channel", "did": "Number", "vip": "VIP level",
}  # fmt: skip


def summary_lines(
    report: Mapping[str, Any], language: str, translate: Translate
) -> list[list[Any]]:
    """A summary (`ReportService.summary`) as lines: the period, the header, a row per key."""
    by = str(report["by"])
    header = [translate(language, DIMENSION_LABELS[by])]
    header += [translate(language, FIGURE_LABELS[f]) for f in FIGURES]
    lines: list[list[Any]] = [[translate(language, "Period"), report["period"]["label"]], header]
    for row in report["rows"]:
        lines.append([row["key"], *(row["figures"][f] for f in FIGURES)])
    return lines


def xlsx_bytes(
    lines: Sequence[Sequence[Any]],
    sheet: str | None = None,
    more: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
) -> bytes:
    """One sheet of `lines` (named `sheet`), then a sheet per (name, lines) of `more`."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    if sheet:
        ws.title = sheet[:31]
    for line in lines:
        ws.append(list(line))
    for name, extra in more:
        other = book.create_sheet(name[:31])
        for line in extra:
            other.append(list(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(lines: Sequence[Sequence[Any]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(lines)
    return ("\ufeff" + text.getvalue()).encode()
