"""The report page as a document to print (ADR 0171): the figures rendered here in the reader's
language, the charts drawn in the page by the same module the screen uses, every asset named by
a `file://` URL so headless Chromium prints it without a server (`hotline.reporting.pdf`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from jinja2 import Environment

from hotline.reporting.campaigns import CAMPAIGN_COLUMNS
from hotline.reporting.delivery import PrintReport
from hotline.reporting.pdf import print_pdf
from hotline.reporting.tables import DIMENSION_LABELS, FIGURE_LABELS, shown
from hotline.web.i18n import Catalogs
from hotline.web.pages import page_environment
from hotline.web.vendor import vendor_file

__all__ = ["print_page", "render_print", "report_printer", "shown"]

_STATIC = Path(__file__).resolve().parent / "static"
TITLES = {"day": "Daily report", "week": "Weekly report", "month": "Monthly report",
          "range": "Report"}  # fmt: skip


def print_page(app: FastAPI, language: str, bundle: Mapping[str, Any]) -> str:
    """The HTML Chromium prints: `bundle` is `ReportService.page`."""
    return render_print(
        app.state.page_env, app.state.vendor_dir, app.state.catalogs, language, bundle
    )


def render_print(
    env: Environment, vendor: Path, catalogs: Catalogs, language: str, bundle: Mapping[str, Any]
) -> str:
    """The page to print, from the page templates, the chart library's folder and the UI
    catalog (the API's export and the scheduled e-mail print the same page)."""
    kinds: Mapping[str, str] = bundle["kinds"]
    translated = {n: catalogs.gettext(language, label) for n, label in FIGURE_LABELS.items()}

    def fig(name: str, value: Any) -> str:
        return shown(value, kinds.get(name, "count"))

    return str(
        env.get_template("report-print.html").render(
            lang=language,
            report=bundle,
            title=TITLES[str(bundle["period"]["kind"])],
            by_label=DIMENSION_LABELS[str(bundle["by"])],
            labels=FIGURE_LABELS,
            translated_labels=translated,
            fig=fig,
            shown=shown,
            campaign_columns=CAMPAIGN_COLUMNS,
            css=(_STATIC / "css" / "report-print.css").as_uri(),
            chart_js=vendor_file(vendor, "chart.js", "chart.umd.min.js").as_uri(),
            module=(_STATIC / "js" / "report-print.js").as_uri(),
        )
    )


def report_printer(vendor: Path, chromium: Path, *, timeout_s: float) -> PrintReport:
    """What the scheduled e-mail prints its PDF with, outside any request (app.py wires it)."""
    catalogs = Catalogs()
    env = page_environment(catalogs)

    async def print_report(language: str, bundle: Mapping[str, Any]) -> bytes:
        html = render_print(env, vendor, catalogs, language, bundle)
        return await print_pdf(html, chromium, timeout_s=timeout_s)

    return print_report
