"""A child process for the kill -9 test: rolls a tenant's log up in batches of five records,
one transaction each, until it is killed."""

from __future__ import annotations

import asyncio
import sys

from hotline.store.engine import create_engine
from hotline.store.report_rollup import ReportRollup


async def main(url: str, tenant_id: str) -> None:
    engine = create_engine(url)
    rollup = ReportRollup(engine, read_batch=5)
    await rollup.catch_up(tenant_id)
    print("done", flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
