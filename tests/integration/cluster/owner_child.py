"""A node for the pause test (ADR 0209): owns center `paused` by a lease and appends a record
every 20 ms; prints `owns <token>` once it holds the lease, `ok <seq>` per record written and
`fenced` when the log refuses it. The test stops it (SIGSTOP) past its lease and lets it go on."""

from __future__ import annotations

import asyncio
import sys

from hotline.bus import EventBus
from hotline.clock import SystemClock
from hotline.cluster.ownership import Ownership, OwnershipSettings
from hotline.events import DomainEvent, domain_event
from hotline.store.engine import create_engine
from hotline.store.eventlog import EventLog, FencedOut

TENANT = "paused"


@domain_event("test.owned_tick")
class OwnedTick(DomainEvent):
    node: str
    n: int


async def centers() -> list[str]:
    return [TENANT]


async def main(url: str, node: str, ttl_s: float) -> None:
    engine = create_engine(url)
    clock = SystemClock()
    ownership = Ownership(engine, clock, OwnershipSettings(node=node, ttl_s=ttl_s), centers=centers)
    log = EventLog(
        engine,
        EventBus(),
        batch_window_s=0.01,
        tokens=ownership.token,
        on_fenced=ownership.fenced,
        stall_limit_s=ttl_s,
    )
    await log.start()
    await ownership.start()
    print(f"owns {ownership.token(TENANT)}", flush=True)
    n = 0
    while True:
        n += 1
        try:
            record = await log.append(OwnedTick(tenant_id=TENANT, at=clock.now(), node=node, n=n))
        except FencedOut:
            print("fenced", flush=True)
            await asyncio.sleep(0.2)
            continue
        print(f"ok {record.seq}", flush=True)
        await asyncio.sleep(0.02)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
