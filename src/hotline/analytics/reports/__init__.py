"""Reports and KPIs as projections of the event log (issue 16, docs/metrics.md): 15-minute
interval facts kept by a pure rollup, and every figure defined once over summed facts."""

from hotline.analytics.reports.measures import INTERVAL_S, MEASURES, Dim, M, ReasonKind
from hotline.analytics.reports.metrics import FIGURES, add_totals, figures
from hotline.analytics.reports.rollup import Deltas, Rollup, RollupSettings, RollupState, interval

__all__ = [
    "FIGURES",
    "INTERVAL_S",
    "MEASURES",
    "Deltas",
    "Dim",
    "M",
    "ReasonKind",
    "Rollup",
    "RollupSettings",
    "RollupState",
    "add_totals",
    "figures",
    "interval",
]
