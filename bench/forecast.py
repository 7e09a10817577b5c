"""Forecast backtest: each model's MASE and WAPE against seasonal naive, and the model the
planner picks, over the last 8 weeks (rolling origin, day-ahead and week-ahead).

    .venv/bin/python bench/forecast.py                 # the Anonymous Bank 1999 data
    .venv/bin/python bench/forecast.py FILE.csv [--interval 900] [--special-days DAYS.csv]
                                                 [--rest-day 6] [--time-zone Asia/Shanghai]

Without a file it scores the Anonymous Bank data (`../shared/data/anonymous-bank-1999`, or
`$HOTLINE_BANK_DATA`): hourly counts of the whole year, and 15-minute counts built from the
per-call file (January–October). With a file it scores any CSV of interval counts or of
contacts (`docs/wfm.md` has the columns), every queue in it, at the interval asked for and
at one hour.

The model is chosen on the 8 weeks *before* the scored window (as the planner would have
chosen it then), so the printed score is not flattered by picking on the answers. Special
days are left out of every score; the bank's are the Israeli holidays its README names.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from hotline.analytics.wfm.backtest import range_quantiles, score_models, select_model
from hotline.analytics.wfm.forecast import default_models
from hotline.analytics.wfm.series import DayCalendar, DayKind, IntervalHistory
from hotline.workforce.history import history_from_rows, read_history_csv

# `shared/` sits beside the checkout (a worktree may be one level deeper)
BANKS = [
    parent / "shared" / "data" / "anonymous-bank-1999"
    for parent in Path(__file__).resolve().parents
]
WINDOW = 56
# Holidays of 1999 named in the data's README (Passover, Independence Day, Shavuot, Rosh
# Hashanah, Yom Kippur), the election day and the 23 May surge, and Sukkot week.
BANK_SPECIAL = [
    "1999-04-01", "1999-04-06", "1999-04-07", "1999-04-21", "1999-05-17", "1999-05-21",
    "1999-05-23", "1999-09-10", "1999-09-11", "1999-09-12", "1999-09-19", "1999-09-20",
    *[(date(1999, 9, 25) + timedelta(days=i)).isoformat() for i in range(8)],
]  # fmt: skip


def bank_series() -> list[tuple[str, IntervalHistory, DayCalendar]]:
    given = os.environ.get("HOTLINE_BANK_DATA")
    found = [Path(given)] if given else [p for p in BANKS if p.is_dir()][:1]
    folder = found[0] if found else BANKS[1]
    if not folder.is_dir():
        sys.exit(f"no data at {folder}: set HOTLINE_BANK_DATA or pass a CSV file")
    calendar = DayCalendar(
        {date.fromisoformat(d): DayKind.HOLIDAY for d in BANK_SPECIAL}, holiday_as=5
    )
    with (folder / "anonymous_bank_1999_hourly.csv").open(encoding="utf-8") as f:
        hourly = history_from_rows(read_history_csv(f, time_zone="Asia/Jerusalem"), 3600)
    with gzip.open(folder / "anonymous_bank_1999_calls.csv.gz", "rt", encoding="utf-8") as f:
        quarter = history_from_rows(
            read_history_csv(f, time_zone="Asia/Jerusalem", interval_s=900), 900
        )
    return [
        ("bank, hourly, Nov–Dec (full-year counts)", hourly, calendar),
        ("bank, 15-minute, Sep–Oct (per-call file)", quarter, calendar),
    ]


def file_series(args: argparse.Namespace) -> list[tuple[str, IntervalHistory, DayCalendar]]:
    special: dict[date, DayKind] = {}
    if args.special_days:
        with open(args.special_days, encoding="utf-8") as f:
            for row in csv.reader(f):
                if row and not row[0].startswith("#") and row[0] != "date":
                    kind = row[1].strip() if len(row) > 1 else "holiday"
                    special[date.fromisoformat(row[0].strip())] = DayKind(kind)
    calendar = DayCalendar(special, holiday_as=args.rest_day)
    opener = gzip.open if args.file.endswith(".gz") else open
    with opener(args.file, "rt", encoding="utf-8") as f:
        rows = read_history_csv(f, time_zone=args.time_zone, interval_s=args.interval)
    out = []
    for queue in sorted({r.queue_id for r in rows}):
        mine = [r for r in rows if r.queue_id == queue]
        history = history_from_rows(mine, args.interval)
        out.append((f"{queue}, {args.interval // 60}-minute", history, calendar))
        if args.interval < 3600:
            out.append((f"{queue}, hourly", history.coarsen(3600), calendar))
    return out


def report(title: str, history: IntervalHistory, calendar: DayCalendar) -> dict[str, float]:
    models = default_models()
    dates, values = history.dates(), history.offered
    # 8 weeks scored after 8 weeks to choose on, after 4 weeks to start from; shorter files
    # get two equal shorter windows
    window = min(WINDOW, (len(dates) - 28) // 2 // 7 * 7)
    if window < 7:
        sys.exit(f"{title}: {len(dates)} days of history; the backtest needs at least 6 weeks")
    began = time.perf_counter()
    earlier = len(dates) - window
    chosen = select_model(models, values, dates, calendar, window_days=window, end=earlier)
    # ranges learnt on the earlier window, checked on the scored one
    _, earlier_runs = score_models(models, values, dates, calendar, window_days=window, end=earlier)
    bands = {key: range_quantiles(run.residuals) for key, run in earlier_runs.items()}
    scores, _ = score_models(models, values, dates, calendar, window_days=window, calibration=bands)
    seconds = time.perf_counter() - began
    first, last = dates[-window], dates[-1]
    print(f"\n{title}: scored {first} … {last} ({window} days, special days left out)")
    print(f"  {'model':16} {'horizon':8} {'MASE':>6} {'WAPE':>7} {'× naive':>8} {'80% range':>10}")
    for s in scores:
        mark = " ◀ chosen" if s.model == chosen.best else ""
        print(
            f"  {s.model:16} {s.horizon + '-ahead':8} {s.mase:6.3f} {s.wape:7.1%} "
            f"{s.relative:8.3f} {s.coverage:10.1%}{mark}"
        )
    seen = ", ".join(f"{s.model} {s.relative:.3f}" for s in chosen.scores)
    span = f"{dates[earlier - window]} … {dates[earlier - 1]}"
    print(f"  the choice saw (week-ahead × naive, {span}): {seen}")
    week = next(s for s in scores if s.model == chosen.best and s.horizon == "week")
    day = next(s for s in scores if s.model == chosen.best and s.horizon == "day")
    verdict = "met" if week.relative <= 0.8 else "not met"
    print(
        f"  chosen: {chosen.best} (on the {window} days before) — MASE {day.mase:.3f} day-ahead, "
        f"{week.mase:.3f} week-ahead; error {week.relative:.2f}× seasonal naive's at "
        f"week-ahead (goal ≤ 0.80: {verdict}); {seconds:.1f} s"
    )
    return {"relative_week": week.relative, "mase_week": week.mase}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", help="a CSV of interval counts or of contacts")
    parser.add_argument("--interval", type=int, default=900, help="seconds (default 900)")
    parser.add_argument("--special-days", help="CSV of date,kind (holiday or workday)")
    parser.add_argument("--rest-day", type=int, default=6, help="weekday a holiday is like")
    parser.add_argument("--time-zone", default="Asia/Shanghai")
    args = parser.parse_args()
    series = file_series(args) if args.file else bank_series()
    np.seterr(all="ignore")
    for title, history, calendar in series:
        report(title, history, calendar)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
