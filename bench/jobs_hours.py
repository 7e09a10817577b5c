"""Job host throughput and the business-hours engine's cost.

1. Firings per second of the job host on SQLite (a handler that writes one row), against a
   baseline measured in the same run: the same row written by plain one-statement write
   transactions (what a firing costs above "one transaction per job": the lease transaction,
   the re-lock and the fenced completion).
2. `is_open(t)` and `business_seconds` over one and over thirty days for the Shanghai calendar
   with a lunch break and the 2026 holidays, against `datetime.fromtimestamp(t, zone)` alone
   (the floor of any answer in a time zone).

    .venv/bin/python bench/jobs_hours.py [--jobs 500]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from hotline.calendars.shipped import shipped_holidays
from hotline.clock import SystemClock
from hotline.hours import calendar_from_record
from hotline.jobs import JobContext, JobHost, JobHostSettings, Jobs
from hotline.store.engine import WRITE, create_engine
from hotline.store.migrate import migrate
from hotline.store.tables import counters


async def _jobs(n: int) -> tuple[float, float]:
    folder = Path(tempfile.mkdtemp())
    engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
    await migrate(engine)
    seq = iter(range(10**9))

    async def write(ctx: JobContext) -> None:
        await ctx.conn.execute(insert(counters).values(tenant_id="j", name=str(next(seq)), value=1))

    host = JobHost(engine, None, SystemClock(), JobHostSettings(node_id="bench"))
    host.register("bench.write", write)
    now = time.time()
    async with engine.begin() as conn:
        for _ in range(n):
            await Jobs(conn).schedule("bench.write", due_at=now, now=now)
    start = time.perf_counter()
    assert await host.run_due() == n
    jobs_s = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(n):
        async with engine.connect() as raw:
            conn = await raw.execution_options(**WRITE)
            async with conn.begin():
                await conn.execute(insert(counters).values(tenant_id="b", name=str(i), value=1))
    baseline_s = time.perf_counter() - start
    await engine.dispose()
    return n / jobs_s, n / baseline_s


def _hours(repeat: int) -> dict[str, float]:
    zone = ZoneInfo("Asia/Shanghai")
    calendar = calendar_from_record(
        {
            "timezone": "Asia/Shanghai",
            "weekly": {"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": ["09:00-12:00"]},
            "holiday_calendar_ids": ["cn"],
        },
        {"cn": shipped_holidays(2026).entries},
    )
    t0 = datetime(2026, 9, 28, 10, 0, tzinfo=zone).timestamp()
    times = [t0 + 137.0 * k for k in range(repeat)]

    def per_call(fn: object) -> float:
        start = time.perf_counter()
        for t in times:
            fn(t)  # type: ignore[operator]
        return (time.perf_counter() - start) / repeat * 1e6

    return {
        "datetime.fromtimestamp (floor)": per_call(lambda t: datetime.fromtimestamp(t, zone)),
        "is_open": per_call(calendar.is_open),
        "next_change": per_call(calendar.next_change),
        "business_seconds, 1 day": per_call(lambda t: calendar.business_seconds(t, t + 86_400)),
        "business_seconds, 30 days": per_call(
            lambda t: calendar.business_seconds(t, t + 30 * 86_400)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    fired, baseline = asyncio.run(_jobs(args.jobs))
    print(
        f"job host, SQLite: {fired:,.0f} firings/s; plain write transactions {baseline:,.0f}/s"
        f" (ratio {fired / baseline:.2f})"
    )
    figures = _hours(args.calls)
    floor = figures["datetime.fromtimestamp (floor)"]
    for name, us in figures.items():
        print(f"hours: {name:32s} {us:8.2f} µs/call  ({us / floor:5.1f}× the floor)")


if __name__ == "__main__":
    main()
