"""The history side's costs on a log written by the version-1 code (the golden day of
tests/data/events-v1 repeated over many days, fresh ids each day), on SQLite:

- reading the log: the plain select the reader did before (baseline), the reader with its alias
  join on the same rows stored as version 2 (no conversion), and on them stored as version 1
  (converted on read) — records per second, and the ratios to the baseline;
- rebuilding the contact projections from seq 0: records per second and seconds per day of
  calls.

    .venv/bin/python bench/contacts.py [--days 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotline.bus import EventBus  # noqa: E402
from hotline.store.engine import create_engine  # noqa: E402
from hotline.store.eventlog import SqlEventReader  # noqa: E402
from hotline.store.interaction_projection import InteractionProjector  # noqa: E402
from hotline.store.migrate import migrate  # noqa: E402
from hotline.store.tables import (  # noqa: E402
    contact_aliases,
    event_sequences,
    events,
    interactions,
    tenants,
)

DAY = ROOT / "tests" / "data" / "events-v1" / "day.jsonl"
TENANT = "t1"


def days(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`count` copies of the day, one day apart, each with its own ids and seqs."""
    day = [json.loads(line) for line in DAY.read_text(encoding="utf-8").splitlines()]
    rows, aliases = [], []
    for n in range(count):

        def fresh(value: Any, n: int = n) -> Any:
            return f"{value[:-4]}{n:04d}" if isinstance(value, str) and len(value) == 26 else value

        for r in day:
            payload = {k: fresh(v) for k, v in r["payload"].items()}
            row = {
                **r,
                "seq": n * len(day) + r["seq"],
                "at": r["at"] + n * 86400.0,
                "interaction_id": fresh(r["interaction_id"]),
                "payload": payload,
            }
            rows.append(row)
            if r["type"] == "interaction.created" and payload.get("parent_interaction_id"):
                aliases.append(
                    {
                        "tenant_id": TENANT,
                        "alias_id": row["interaction_id"],
                        "contact_id": payload["parent_interaction_id"],
                        "agent_id": r["agent_id"],
                    }
                )
    return rows, aliases


async def read_all(reader: SqlEventReader) -> int:
    after, seen = 0, 0
    while batch := await reader.read_since(TENANT, after, limit=2000):
        after, seen = batch[-1].seq, seen + len(batch)
    return seen


async def plain(engine: Any) -> int:
    """The reader before conversion: the rows, no join."""
    after, seen = 0, 0
    while True:
        async with engine.connect() as conn:
            rows = list(
                await conn.execute(
                    select(events)
                    .where(events.c.tenant_id == TENANT, events.c.seq > after)
                    .order_by(events.c.seq)
                    .limit(2000)
                )
            )
        if not rows:
            return seen
        after, seen = int(rows[-1].seq), seen + len(rows)
        for row in rows:
            dict(row.payload)


async def timed(work: Any) -> tuple[float, int]:
    start = time.perf_counter()
    count = await work
    return time.perf_counter() - start, count


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await migrate(engine)
        rows, aliases = days(count)
        async with engine.begin() as conn:
            await conn.execute(
                insert(tenants).values(
                    id=TENANT, slug="t", name="t", language="zh-CN", timezone="Asia/Shanghai",
                    region="CN", sip_domain="t.test", created_at=0.0, updated_at=0.0,
                )
            )  # fmt: skip
            for i in range(0, len(rows), 2000):
                await conn.execute(insert(events), rows[i : i + 2000])
            await conn.execute(
                insert(event_sequences).values(tenant_id=TENANT, last_seq=rows[-1]["seq"])
            )
            await conn.execute(insert(contact_aliases), aliases)
        reader = SqlEventReader(engine)
        figures: dict[str, float] = {}
        for name, work in (
            ("plain select (before)", lambda: plain(engine)),
            ("reader, version 1 rows", lambda: read_all(reader)),
        ):
            await work()  # warm the page cache
            elapsed, seen = await timed(work())
            figures[name] = seen / elapsed
        projector = InteractionProjector(engine, EventBus())
        rebuild_s, _ = await timed(projector.rebuild(TENANT))  # the upgrade: version 1 rows
        async with engine.connect() as conn:
            contacts = await conn.scalar(select(func.count()).select_from(interactions))
        async with engine.begin() as conn:
            await conn.execute(update(events).values(v=2))
        await read_all(reader)
        elapsed, seen = await timed(read_all(reader))
        figures["reader, version 2 rows"] = seen / elapsed
        await engine.dispose()

    base = figures["plain select (before)"]
    print(f"{count} days, {len(rows)} records ({len(rows) // count} a day), SQLite")
    for name, rate in figures.items():
        print(f"  read  {name:<26} {rate:>10,.0f} records/s  ×{rate / base:.2f}")
    print(
        f"  rebuild of the contact projections  {len(rows) / rebuild_s:>8,.0f} records/s, "
        f"{rebuild_s / count:.2f} s per day of calls ({contacts} contacts)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=20)
    asyncio.run(main(parser.parse_args().days))
