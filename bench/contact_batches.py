"""The contact projections' cost per record by batch size (ADR 0199): the golden version-1 day
(tests/data/events-v1, 542 records, 11 contacts) projected on SQLite in batches of 1, 10, 50
and the whole day — SQL statements per record (executemany counts once) and CPU per record
(the whole process: the event loop and the driver's thread). Run it with another checkout's
code to compare (`PYTHONPATH=<its src>`).

    .venv/bin/python bench/contact_batches.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.store.v1_day import TENANT, database_at_0005, load_day  # noqa: E402

from hotline.bus import EventBus  # noqa: E402
from hotline.store.eventlog import SqlEventReader  # noqa: E402
from hotline.store.interaction_projection import (  # noqa: E402
    PROJECTED_TABLES,
    InteractionProjector,
)
from hotline.store.migrate import migrate  # noqa: E402
from hotline.store.tables import projection_cursors  # noqa: E402


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with database_at_0005(f"sqlite+aiosqlite:///{tmp}/hotline.db") as engine:
            await load_day(engine)
            await migrate(engine)
            records = await SqlEventReader(engine).read_since(TENANT, 0, limit=10_000)
            statements = 0

            def count(*_: Any) -> None:
                nonlocal statements
                statements += 1

            event.listen(engine.sync_engine, "before_cursor_execute", count)
            for size in (1, 10, 50, len(records)):
                async with engine.begin() as conn:
                    for table in PROJECTED_TABLES:
                        await conn.execute(delete(table))
                    await conn.execute(delete(projection_cursors))
                projector = InteractionProjector(engine, EventBus())
                statements, started = 0, time.process_time()
                for start in range(0, len(records), size):
                    await projector.apply_batch(TENANT, records[start : start + size])
                cpu = time.process_time() - started
                print(
                    f"batches of {size:>4}: {statements / len(records):5.2f} statements and "
                    f"{1e3 * cpu / len(records):6.3f} ms CPU per record ({len(records)} records)",
                    flush=True,
                )


if __name__ == "__main__":
    asyncio.run(main())
