"""The reports' outputs: tables for exports (CSV, XLSX) and the scheduled e-mail delivery run
by the job host (docs/metrics.md). The figures themselves are `hotline.analytics.reports`."""

from hotline.reporting.delivery import (
    DELIVER_KIND,
    ReportDelivery,
    delivery_cron,
    delivery_payload,
    may_manage,
)
from hotline.reporting.tables import (
    DIMENSION_LABELS,
    FIGURE_LABELS,
    Translate,
    csv_bytes,
    summary_lines,
    xlsx_bytes,
)

__all__ = [
    "DELIVER_KIND",
    "DIMENSION_LABELS",
    "FIGURE_LABELS",
    "ReportDelivery",
    "Translate",
    "csv_bytes",
    "delivery_cron",
    "delivery_payload",
    "may_manage",
    "summary_lines",
    "xlsx_bytes",
]
