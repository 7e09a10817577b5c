"""Backup and restore throughput on a call center's largest table, the event log.

Fills a SQLite database with the demo center and
`--events` synthetic events (the shape the interaction log writes), then times `hotline
backup` (one snapshot, JSON lines, gzip, tar) and `hotline restore` into a fresh database.
Baseline in the same run: reading every row of the same tables with a plain SELECT (what any
logical dump must at least do). Reported: rows/s for each and the ratio to the baseline, and
the archive's size per event.

    .venv/bin/python bench/backup.py [--events 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select, update

from hotline.backup import Locations, backup, restore
from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.config import DatabaseSettings, Settings
from hotline.demo import seed_demo
from hotline.store.engine import create_engine
from hotline.store.migrate import migrate
from hotline.store.tables import event_sequences, events, metadata
from hotline.store.uow import UnitOfWorkFactory


async def fill(url: str, count: int) -> int:
    engine = create_engine(url)
    await migrate(engine)
    settings = Settings.load(database=DatabaseSettings(url=url))
    uows = UnitOfWorkFactory(engine, EventBus())
    center = await seed_demo(uows, FakeClock(), settings, password="demo-password-1")
    async with engine.begin() as conn:
        first = int(
            await conn.scalar(
                select(event_sequences.c.last_seq).where(
                    event_sequences.c.tenant_id == center.tenant_id
                )
            )
            or 0
        )
        batch = []
        for n in range(count):
            seq = first + n + 1
            batch.append(
                {
                    "tenant_id": center.tenant_id, "seq": seq, "at": 1_790_000_000.0 + n * 0.5,
                    "type": "flow.node_entered", "interaction_id": f"01JBENCH{n // 20:018d}",
                    "leg_id": None, "agent_id": None,
                    "payload": {"node": "main_menu", "flow": "main", "version": 3, "n": n},
                }
            )  # fmt: skip
            if len(batch) == 5000:
                await conn.execute(insert(events), batch)
                batch = []
        if batch:
            await conn.execute(insert(events), batch)
        await conn.execute(
            update(event_sequences)
            .where(event_sequences.c.tenant_id == center.tenant_id)
            .values(last_seq=first + count)
        )
    await engine.dispose()
    return count


async def read_all(url: str) -> tuple[int, float]:
    engine = create_engine(url)
    started = time.perf_counter()
    rows = 0
    async with engine.connect() as conn:
        for table in metadata.sorted_tables:
            result = await conn.stream(select(table))
            async for part in result.partitions(500):
                rows += len(part)
    await engine.dispose()
    return rows, time.perf_counter() - started


async def run(url: str, fresh: str, folder: Path, count: int) -> None:
    await fill(url, count)
    rows, baseline_s = await read_all(url)
    where = Locations(url, folder / "rec", folder / "prompts", folder / "keys")
    report = await backup(where, folder / "b.tar")
    started = time.perf_counter()
    await restore(report.path, Locations(fresh, folder / "r-rec", folder / "r-p", folder / "r-k"))
    restore_s = time.perf_counter() - started
    kind = url.split(":", 1)[0]
    print(f"{kind}: {rows} rows ({count} events)")
    print(f"  baseline SELECT of every row  {rows / baseline_s:10.0f} rows/s")
    print(
        f"  hotline backup                {rows / report.seconds:10.0f} rows/s  "
        f"(×{baseline_s / report.seconds:.2f} of baseline), {report.size_bytes / count:.0f} B/event"
    )
    print(f"  hotline restore               {rows / restore_s:10.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        asyncio.run(
            run(
                f"sqlite:///{folder}/source.db", f"sqlite:///{folder}/fresh.db", folder, args.events
            )
        )


if __name__ == "__main__":
    main()
