"""A child process for the kill -9 test: appends events and prints each acknowledged seq."""

from __future__ import annotations

import asyncio
import sys

from hotline.bus import EventBus
from hotline.events import DomainEvent, domain_event
from hotline.store.engine import create_engine
from hotline.store.eventlog import EventLog


@domain_event("test.tick")
class Tick(DomainEvent):
    n: int


async def main(url: str) -> None:
    engine = create_engine(url)
    log = EventLog(engine, EventBus(), batch_window_s=0.02)
    await log.start()
    n = 0
    while True:
        futures = [log.append(Tick(tenant_id="kill", at=float(n + i), n=n + i)) for i in range(20)]
        n += 20
        for future in futures:
            record = await future
            print(record.seq, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
