"""Event log throughput: group commit (the EventLog) against one transaction per event
(the naive baseline), measured in the same run on SQLite (and PostgreSQL with --pg).

    .venv/bin/python bench/eventlog.py [--events 5000] [--pg postgresql+asyncpg://postgres@127.0.0.1/SCRATCH]

--pg migrates and writes into the database it is given: use a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from hotline.bus import EventBus
from hotline.events import DomainEvent, domain_event
from hotline.store.engine import WRITE, create_engine
from hotline.store.eventlog import EventLog, write_events
from hotline.store.migrate import migrate


@domain_event("bench.tick")
class Tick(DomainEvent):
    n: int


async def naive(url: str, count: int) -> float:
    engine = create_engine(url)
    start = time.perf_counter()
    for n in range(count):
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await write_events(conn, [Tick(tenant_id="naive", at=float(n), n=n)])
    elapsed = time.perf_counter() - start
    await engine.dispose()
    return count / elapsed


async def grouped(url: str, count: int, rate: float | None) -> tuple[float, float, float]:
    """Throughput and append→commit latency; `rate` paces producers (None: a burst)."""
    engine = create_engine(url)
    log = EventLog(engine, EventBus(), batch_window_s=0.02)
    await log.start()
    latencies: list[float] = []
    start = time.perf_counter()
    futures = []
    for n in range(count):
        sent = time.perf_counter()
        future = log.append(Tick(tenant_id="grouped", at=float(n), n=n))
        future.add_done_callback(lambda _f, s=sent: latencies.append(time.perf_counter() - s))
        futures.append(future)
        if rate is not None and n % 10 == 9:
            await asyncio.sleep(10 / rate)  # producers arrive over time, like calls do
    await asyncio.gather(*futures)
    elapsed = time.perf_counter() - start
    await log.stop()
    await engine.dispose()
    latencies.sort()
    return count / elapsed, statistics.median(latencies), latencies[int(len(latencies) * 0.99)]


async def run(url: str, count: int, label: str) -> None:
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    baseline = await naive(url, max(200, count // 10))
    burst, p50, p99 = await grouped(url, count, None)
    print(f"{label}: one transaction per event  {baseline:10.0f} events/s (baseline)")
    print(
        f"{label}: group commit, burst          {burst:10.0f} events/s "
        f"= {burst / baseline:.1f}x baseline (append->commit p50 {p50 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms)"
    )
    _, p50, p99 = await grouped(url, 2000, 1000.0)
    print(
        f"{label}: group commit at 1,000 events/s: append->commit p50 {p50 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms (window 20 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--pg", help="also measure this PostgreSQL URL (a scratch database)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", args.events, "sqlite"))
    if args.pg:
        asyncio.run(run(args.pg, args.events, "postgresql"))


if __name__ == "__main__":
    main()
