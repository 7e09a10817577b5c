"""How long a center is without a node when its owner goes (issue 26, ADR 0209).

Two real `hotline demo` nodes share one PostgreSQL with `cluster.ownership` on; node A (the
demo, started first) owns the demo center, node B stands by. The owner is then stopped, and the
bench measures from that moment:

- **owned**: until B holds the center's lease (read from `tenant_leases`);
- **answered**: until a call sent to B's SIP port for DID 4001 is answered 200 (B answers 503
  while it does not own the center, so the call is tried again every 100 ms).

Each is measured for a clean stop (`SIGTERM`: A drains, releases its lease and says it left —
the baseline) and for `kill -9` (the lease must run out), at each lease length.

Run: .venv/bin/python bench/cluster_takeover.py [--leases 3 1] [--repeat 2]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import dbs  # noqa: E402
from tests.integration.sip.flood import CallTimes, LegitCaller  # noqa: E402
from tests.server import ServerProcess  # noqa: E402

from hotline.store.engine import create_engine  # noqa: E402
from hotline.store.ops_tables import tenant_leases  # noqa: E402


async def owner(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(tenant_leases.c.owner, tenant_leases.c.expires_at))
        ).first()
    return None if row is None or row.expires_at <= time.time() else str(row.owner)


async def answered(caller: LegitCaller) -> bool:
    times = CallTimes()
    await caller.call(times, timeout=2.0)
    return times.completed == 1


async def one_run(lease_s: float, how: str, folder: Path) -> tuple[float, float]:
    url = await asyncio.to_thread(dbs.create_pg_database)
    env = {"HOTLINE_CLUSTER__OWNERSHIP": "true", "HOTLINE_CLUSTER__LEASE_S": str(lease_s)}
    a = ServerProcess(folder / f"a-{how}-{lease_s}", url, HOTLINE_JOBS__NODE_ID="node-a", **env)
    b = ServerProcess(folder / f"b-{how}-{lease_s}", url, HOTLINE_JOBS__NODE_ID="node-b", **env)
    caller = None
    engine = create_engine(url)  # one for the run: polling does not open a pool each time
    try:
        a.start("demo")
        b.start("demo")  # the same database: seeded once; both take calls from 127.0.0.1
        for _ in range(300):  # the first round of a node just started: up to 30 s
            if await owner(engine) == "node-a":
                break
            await asyncio.sleep(0.1)
        caller = LegitCaller(("127.0.0.1", b.sip_port))
        assert a.process is not None
        gone = time.monotonic()
        a.process.send_signal(signal.SIGTERM if how == "stop" else signal.SIGKILL)
        owned_s = answered_s = None
        while answered_s is None:
            if owned_s is None and await owner(engine) == "node-b":
                owned_s = time.monotonic() - gone
            if owned_s is not None and await answered(caller):
                answered_s = time.monotonic() - gone
            elif time.monotonic() - gone > 60:
                raise RuntimeError("node B never took the center over")
            else:
                await asyncio.sleep(0.1)
        assert owned_s is not None
        return owned_s, answered_s
    finally:
        if caller is not None:
            caller.close()
        await engine.dispose()
        for node in (a, b):
            if node.process is not None and node.process.poll() is None:
                node.kill()
        await asyncio.to_thread(dbs.drop_pg_database, url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leases", type=float, nargs="+", default=[3.0, 1.0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    problem = await asyncio.to_thread(dbs.pg_available)
    if problem:
        raise SystemExit(problem)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'lease':>6} {'owner goes by':>14} {'owned (s)':>10} {'answered (s)':>13}")
        for lease in args.leases:
            for how, label in (("stop", "SIGTERM"), ("kill", "kill -9")):
                runs = [await one_run(lease, how, Path(tmp)) for _ in range(args.repeat)]
                owned = statistics.median(r[0] for r in runs)
                calls = statistics.median(r[1] for r in runs)
                print(f"{lease:>6.1f} {label:>14} {owned:>10.2f} {calls:>13.2f}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
