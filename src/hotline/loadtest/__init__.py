"""The load kit: sipp callers at rising rates (or a fixed number of concurrent calls) against a
running Hotline through one DID, with the figures `bench/product_cps.py` prints — calls/s with
fewer than 1 % failed, set-up time p50/p95, 503s, server CPU per call (docs/loadtest.md)."""

from hotline.loadtest.cpu import ProcessTreeCpu
from hotline.loadtest.ladder import LoadPlan, Step, best_rate, run_plan
from hotline.loadtest.report import render_step, render_summary
from hotline.loadtest.sipp import SippTarget, run_step

__all__ = [
    "LoadPlan",
    "ProcessTreeCpu",
    "SippTarget",
    "Step",
    "best_rate",
    "render_step",
    "render_summary",
    "run_plan",
    "run_step",
]
