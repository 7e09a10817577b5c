"""Acceptance (issue 13): a flood from many sources against the real server (`hotline demo`).

25 loopback sources (127.0.0.10–34) send 200 messages/s each — INVITEs to DID 4001, REGISTERs
with a made-up nonce, OPTIONS — while the demo trunk (127.0.0.1) places calls. INVITEs are not
authenticated here (`sip.authenticate_invites=false`), so the flood's calls reach call control,
the worst case: the budgets before parsing cut the flood to what the server can take, the
dialog table sheds the rest of its calls with 503, the trunk's calls all complete, and once
the flood's dialogs have timed out (T1 = 0.1 s: 6.4 s) the server's memory is back within
10 % of what it was before. bench/sip_flood.py measures the same at full length.
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from tests.integration.sip.flood import CallTimes, LegitCaller, flood, rss_mb
from tests.server import ServerProcess

pytestmark = [pytest.mark.slow]


def counter(server: ServerProcess, name: str) -> float:
    text = httpx.get(f"{server.url}/metrics", timeout=5).text
    found = re.search(rf"^hotline_sip_{name} ([0-9.e+]+)$", text, re.M)
    assert found is not None, name
    return float(found.group(1))


async def test_many_sources_are_bounded_and_trunk_calls_complete(
    sqlite_server: ServerProcess,
) -> None:
    server = sqlite_server
    server.env.update(
        HOTLINE_SIP__AUTHENTICATE_INVITES="false",
        HOTLINE_SIP__MAX_DIALOGS="40",  # unknown sources may hold 20 of them
        HOTLINE_SIP__T1="0.1",
    )
    server.start("demo", timeout=60)
    assert server.process is not None
    pid = server.process.pid
    target = ("127.0.0.1", server.sip_port)
    caller = LegitCaller(target)
    try:
        warm, before, during = CallTimes(), CallTimes(), CallTimes()
        for _ in range(3):
            await caller.call(warm)
        await asyncio.sleep(1.0)
        for _ in range(5):
            await caller.call(before)
        assert before.completed == 5, before.failed
        rss_before = rss_mb(pid)

        flooding = asyncio.ensure_future(flood(target, sources=25, rate_per_source=200, seconds=6))
        while not flooding.done():
            await caller.call(during)
            await asyncio.sleep(0.3)
        report = flooding.result()

        # The trunk's calls all completed while the flood ran.
        assert during.completed >= 5
        assert during.failed == []
        # Most of the flood was dropped before parsing; its calls were shed with 503.
        assert report.sent >= 25_000
        assert counter(server, "protection_network_limited") > report.sent / 2
        assert report.statuses.get(503, 0) > 0
        assert counter(server, "protection_shed_503") > 0
        # Once the flood's dialogs have timed out the tables are empty again, and memory is
        # back (wait for it: the flows of the calls that got through are still ending).
        rss_after = rss_mb(pid)
        for _ in range(120):
            rss_after = rss_mb(pid)
            if counter(server, "sessions") == 0 and rss_after <= rss_before * 1.10:
                break
            await asyncio.sleep(0.25)
        assert counter(server, "sessions") == 0
        assert rss_after <= rss_before * 1.10, (rss_before, rss_after)
        after = CallTimes()
        await caller.call(after)
        assert after.completed == 1
    finally:
        caller.close()
