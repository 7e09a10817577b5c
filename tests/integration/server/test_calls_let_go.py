"""Calls through a real server leave nothing behind (issue 14): after sipp's calls end, the
server's live calls, legs, SIP dialogs and transactions, media endpoints, the desks' contacts
and the event bus's backlog all return to where they were before the calls.

What a server keeps after a call is walked by every full pass of the garbage collector; a
count that does not come back is a leak, found here rather than as a growing pause."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pytest

from hotline.loadtest import LoadPlan, SippTarget, run_plan
from tests.conftest import require_tool
from tests.server import ServerProcess

pytestmark = [pytest.mark.sipp]

LIVE = (
    "hotline_calls_live",
    "hotline_legs_live",
    "hotline_sip_sessions",
    "hotline_sip_transactions",
    "hotline_media_endpoints",
    "hotline_desk_contacts",
    "hotline_bus_backlog",
    "hotline_events_pending",
)


def live_counts(server: ServerProcess) -> dict[str, float]:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    counts: dict[str, float] = {}
    for name in LIVE:
        found = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
        assert found is not None, f"{name} missing from /metrics"
        counts[name] = float(found[1])
    return counts


async def wait_for_counts(
    server: ServerProcess, wanted: dict[str, float], deadline_s: float
) -> dict[str, float]:
    """Poll until every count is back at `wanted` (a deadline, not a timing)."""
    deadline = time.monotonic() + deadline_s
    while True:
        now = await asyncio.to_thread(live_counts, server)
        if now == wanted or time.monotonic() > deadline:
            return now
        await asyncio.sleep(0.2)


async def test_per_call_objects_are_let_go_after_the_calls_end(tmp_path: Path) -> None:
    require_tool("sipp")
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        # Transactions wait out 64·T1 after their final response: 3.2 s instead of 32 s.
        HOTLINE_SIP__T1="0.05",
    )
    server.start("demo", timeout=60)
    try:
        before = await asyncio.to_thread(live_counts, server)
        assert before["hotline_calls_live"] == 0
        callers = tmp_path / "callers.csv"
        callers.write_text("SEQUENTIAL\n13800000000\n13800000001\n13800000002\n")
        (step,) = await run_plan(
            SippTarget("127.0.0.1", server.sip_port, "4001"),
            LoadPlan(rates=(10.0,), seconds=2.0, hold_ms=1000),
            callers=callers,
            workdir=tmp_path / "sipp",
        )
        counts = step.counts
        assert counts.errors == 0
        assert counts.answered > 0
        assert counts.answered + counts.shed == counts.calls  # a busy machine may shed some
        # What start-up left queued (the demo's seeding) drains too: those two come back to 0.
        wanted = {**before, "hotline_bus_backlog": 0.0, "hotline_events_pending": 0.0}
        after = await wait_for_counts(server, wanted, deadline_s=60)
        assert after == wanted
    finally:
        server.stop()
