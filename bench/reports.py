"""The reports' costs, each against a naive scan of the events in the same run (SQLite by
default, `--database postgresql+asyncpg://…` for PostgreSQL):

1. rollup rate: the golden day of tests/unit/reports (played once by the real router and
   interaction core) cloned into a month of a center — `--events` records (default 1 M) with
   fresh ids — rolled up from the log by `ReportRollup` (records per second), against reading
   the same records back (the naive scan) and the pure rollup in memory;
2. the month's report from the facts (`ReportService.summary` by queue, and the agent
   ranking), against the naive way: scanning the month's events and counting;
3. the monthly report of one tenant over facts generated directly for 100 k and for 10 M
   contacts (`--large`) over three months: seconds, and the ratio (goal ≤ 2×).

    .venv/bin/python bench/reports.py [--events 1000000] [--large 10000000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.reports.golden_day import golden_day  # noqa: E402

from hotline.analytics.reports import MEASURES, Deltas, M, Rollup  # noqa: E402
from hotline.analytics.reports.periods import period_of  # noqa: E402
from hotline.analytics.reports.service import ReportService, Viewer  # noqa: E402
from hotline.events import EventRecord  # noqa: E402
from hotline.store.engine import create_engine, is_sqlite  # noqa: E402
from hotline.store.eventlog import SqlEventReader  # noqa: E402
from hotline.store.migrate import migrate  # noqa: E402
from hotline.store.report_rollup import ReportRollup, write_facts  # noqa: E402
from hotline.store.report_tables import report_facts  # noqa: E402
from hotline.store.reports_repo import (  # noqa: E402
    SqlReportContacts,
    SqlReportDirectory,
    SqlReportFacts,
)
from hotline.store.tables import event_sequences, events  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
ID_FIELDS = ("work_id", "to_work_id", "from_work_id", "customer_id", "caller_number", "call_id",
             "recording_id", "related_interaction_id")  # fmt: skip


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await work()
    return time.perf_counter() - start, result


# == 1. a month of product-shaped events ===================================================


async def golden_rows() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        day = await golden_day(Path(tmp))
    return [
        {"type": e.type, "at": e.at, "interaction_id": e.interaction_id, "leg_id": e.leg_id,
         "agent_id": e.agent_id, "payload": e.payload(), "v": e.schema_version}
        for e in day
    ]  # fmt: skip


def clone(day: list[dict[str, Any]], wanted: int, tenant: str) -> list[dict[str, Any]]:
    """Copies of the golden day with fresh ids: 30 days, as many copies a day as it takes,
    each copy with agents of its own."""
    copies = max(1, -(-wanted // len(day)))
    per_day = max(1, -(-copies // 30))
    rows: list[dict[str, Any]] = []
    seq = 0
    for n in range(copies):
        # the golden day is 25 November: the copies fill 1–30 November
        shift, tag = (n // per_day - 24) * 86_400.0, f"-{n}"

        def fresh(value: Any, tag: str = tag) -> Any:
            return f"{value}{tag}" if isinstance(value, str) else value

        for r in day:
            seq += 1
            payload = {k: (fresh(v) if k in ID_FIELDS else v) for k, v in r["payload"].items()}
            rows.append(
                {"tenant_id": tenant, "seq": seq, "at": r["at"] + shift, "type": r["type"],
                 "interaction_id": fresh(r["interaction_id"]), "leg_id": fresh(r["leg_id"]),
                 "agent_id": fresh(r["agent_id"]), "payload": payload, "v": r["v"]}
            )  # fmt: skip
    # the copies of one day interleave in time, as a center's contacts do
    rows.sort(key=lambda r: (r["at"], r["seq"]))
    for seq, row in enumerate(rows, start=1):
        row["seq"] = seq
    return rows


async def write_log(engine: Any, rows: list[dict[str, Any]], tenant: str) -> None:
    async with engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            await conn.execute(insert(events), rows[i : i + 5000])
        await conn.execute(insert(event_sequences).values(tenant_id=tenant, last_seq=len(rows)))


async def naive_month(
    reader: SqlEventReader, tenant: str, start: float, end: float
) -> dict[str, int]:
    """The naive report: read every event of the log and count the month's queue figures."""
    after, offered, answered, wait_ms = 0, 0, 0, 0
    while batch := await reader.read_since(tenant, after, limit=5000):
        after = batch[-1].seq
        for r in batch:
            if start <= r.at < end:
                if r.type == "queue.entered":
                    offered += 1
                elif r.type == "queue.answered":
                    answered += 1
                    wait_ms += round(float(r.payload["wait_s"]) * 1000)
    return {"offered": offered, "answered": answered, "wait_ms": wait_ms}


def service(engine_conn: Any, tenant: str) -> ReportService:
    viewer = Viewer(tenant, "bench", frozenset({"admin"}))
    return ReportService(
        SqlReportFacts(engine_conn), SqlReportDirectory(engine_conn),
        SqlReportContacts(engine_conn), viewer, now=time.time(),
    )  # fmt: skip


async def month_report(engine: Any, tenant: str, day: str) -> int:
    month = period_of("month", day, ZONE)
    async with engine.connect() as conn:
        reports = service(conn, tenant)
        by_queue = await reports.summary(month, "queue")
        ranking = await reports.ranking(month, "aht_s")
    return len(by_queue["rows"]) + len(ranking["rows"])


# == 3. facts generated directly ===========================================================

KEYS = {"center": 1, "queue": 20, "skill": 10, "channel": 4, "did": 10, "vip": 3}
AGENTS = 200


async def synthetic_facts(
    engine: Any, tenant: str, contacts: int, first_day: str, days: int
) -> int:
    """Facts of `contacts` contacts over `days` days: a weekday profile (08:00–20:00 local),
    contacts spread over keys, 200 agents on 8-hour shifts."""
    rng = np.random.default_rng(16)
    start = period_of("day", first_day, ZONE).start
    slots = np.arange(days * 96)
    local_hour = ((slots * 900 + start + 8 * 3600) % 86_400) // 3600
    weights = np.where((local_hour >= 8) & (local_hour < 20), 1.0, 0.02)
    per_slot = contacts * weights / weights.sum()
    deltas = Deltas()
    index = {name: i for i, name in enumerate(MEASURES)}

    def add(iv: int, dim: str, key: str, n: int, handled: int, **more: int) -> None:
        answered = more.pop("answered", int(n * 0.9))
        values = {"contacts": n, "offered": n, "answered": answered,
                  "answered_in_sl": int(answered * 0.8), "answer_wait_ms": answered * 15_000,
                  "abandoned": n - answered, "longest_wait_ms": 90_000, "handled": handled,
                  "talk_ms": handled * 180_000, "acw_ms": handled * 20_000,
                  "handle_ms": handled * 200_000, "csat_answers": handled // 3,
                  "csat_satisfied": handled // 4, "fcr_contacts": handled, **more}  # fmt: skip
        row = [0] * len(MEASURES)
        for name, value in values.items():
            row[index[name]] = value
        deltas.facts[(iv, dim, key)] = row

    for dim, count in KEYS.items():
        share = rng.dirichlet(np.ones(count))
        drawn = rng.poisson(np.outer(per_slot, share))
        for s, k in zip(*np.nonzero(drawn), strict=True):
            n = int(drawn[s, k])
            add(int(start + s * 900), dim, f"{dim}-{k}", n, int(n * 0.9))
    shift_start = rng.integers(8, 13, AGENTS)  # local hour each agent starts
    for s in range(days * 96):
        hour = int(local_hour[s])
        on = np.nonzero((hour >= shift_start) & (hour < shift_start + 8))[0]
        if len(on) == 0:
            continue
        handled = rng.poisson(per_slot[s] * 0.9 / len(on), len(on))
        for agent, h in zip(on, handled, strict=True):
            add(int(start + s * 900), "agent", f"agent-{agent:03d}", 0, int(h), answered=int(h),
                login_ms=900_000, busy_ms=min(900_000, int(h) * 180_000))  # fmt: skip
    async with engine.begin() as conn:
        await write_facts(conn, tenant, deltas, None, ZONE)
    if is_sqlite(str(engine.url)):  # read from the database file, not a long write-ahead log
        async with engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return len(deltas.facts)


async def main(args: argparse.Namespace) -> None:
    tmp = tempfile.TemporaryDirectory()
    url = args.database or f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = create_engine(url)
    await migrate(engine)
    print(f"database: {'SQLite' if is_sqlite(url) else 'PostgreSQL'}")

    # -- 1. rollup rate ------------------------------------------------------------------
    day = await golden_rows()
    rows = clone(day, args.events, "month")
    await write_log(engine, rows, "month")
    if is_sqlite(url):
        async with engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    contacts = sum(1 for r in rows if r["type"] == "interaction.created")
    print(f"1. the golden day ({len(day)} records, 43 contacts) cloned: {len(rows):,} records, "
          f"{contacts:,} contacts over 30 days")  # fmt: skip
    reader = SqlEventReader(engine)
    month = period_of("month", "2026-11-25", ZONE)
    scan_s, naive = await timed(lambda: naive_month(reader, "month", month.start, month.end))
    records = [EventRecord(**r) for r in rows]
    pure = Rollup()

    async def in_memory() -> int:
        deltas = Deltas()
        for r in records:
            pure.apply(r, deltas)
        return len(deltas)

    pure_s, _ = await timed(in_memory)
    rollup = ReportRollup(engine, read_batch=5000)
    rollup_s, _ = await timed(lambda: rollup.catch_up("month"))
    print(f"   naive scan of the log (read + count)  {len(rows) / scan_s:>10,.0f} records/s")
    print(f"   rollup, pure (in memory)              {len(rows) / pure_s:>10,.0f} records/s")
    print(f"   rollup from the log, committed        {len(rows) / rollup_s:>10,.0f} records/s"
          f"  ({rollup_s:.1f} s; goal ≥ 5,000/s)")  # fmt: skip

    # -- 2. the month from facts vs the naive scan ---------------------------------------
    async with engine.connect() as conn:
        totals = await SqlReportFacts(conn).totals("month", "queue", month.start, month.end, None)
        fact_rows = await conn.scalar(select(func.count()).select_from(report_facts))
    offered = sum(t[M.OFFERED] for t in totals.values())
    await month_report(engine, "month", "2026-11-25")
    report_s, _ = await timed(lambda: month_report(engine, "month", "2026-11-25"))
    print(f"2. November's report (by queue + agent ranking) from {fact_rows:,} fact rows: "
          f"{report_s * 1000:.1f} ms; the naive scan of the log: {scan_s:.2f} s "
          f"(×{scan_s / report_s:,.0f}); queue visits offered: {naive['offered']:,} by the "
          f"scan, {offered:,} in the facts")  # fmt: skip

    # -- 3. 100 k vs 10 M contacts -------------------------------------------------------
    timings = {}
    for tenant, count in (("small", args.small), ("large", args.large)):
        made_s, made = await timed(
            lambda t=tenant, c=count: synthetic_facts(engine, t, c, "2026-10-01", 92)
        )
        await month_report(engine, tenant, "2026-11-15")  # warm
        best = min([(await timed(lambda t=tenant: month_report(engine, t, "2026-11-15")))[0]
                    for _ in range(3)])  # fmt: skip
        timings[tenant] = best
        print(f"3. {count:>12,} contacts over 3 months: {made:,} interval facts "
              f"(made in {made_s:.0f} s); monthly report {best * 1000:.1f} ms")  # fmt: skip
    print(f"   10 M vs 100 k: ×{timings['large'] / timings['small']:.2f} (goal ≤ 2×)")
    await engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--database", default=None)
    asyncio.run(main(parser.parse_args()))
