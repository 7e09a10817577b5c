"""Calling a missed contact back from the worklist, end to end on the demo server: a caller
gives up in the queue, agent1 (browser phone) calls back from the worklist, and the new
contact names the missed one (`related_interaction_id`), which the worklist counts.

AWAITS THE NEW INTERACTION RUNTIME (issue 10): `TenantRuntime.dial(agent_id, number,
related_interaction_id=...)`. Until the runtime takes that argument the API answers 503
`worklist.callback.unavailable` (tests/integration/api/test_worklist.py checks that) and this
test is skipped; it runs by itself once the runtime lands.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

import pytest

from hotline.interactions import TenantRuntime
from tests.data.callcenter.tones import AGENT1_HZ
from tests.integration.desk.conftest import Desk, caller, log_in_browser_agent, press

pytestmark = pytest.mark.skipif(
    "related_interaction_id" not in inspect.signature(TenantRuntime.dial).parameters,
    reason="awaits the new interaction runtime: "
    "TenantRuntime.dial(agent_id, number, related_interaction_id=...) (issue 10)",
)


async def test_a_missed_caller_is_called_back_from_the_worklist(
    desk_server: Desk, tmp_path: Path
) -> None:
    desk = desk_server
    agent1 = desk.login("agent1")
    async with desk.browser_phone("agent1", AGENT1_HZ), caller(desk, tmp_path) as customer:
        log_in_browser_agent(desk)
        assert agent1.post("/api/v1/desk/state", {"state": "not_ready", "reason": "break"}).ok
        await press(desk, customer, "2")  # support; the only agent is on a break
        await asyncio.sleep(3.0)  # the caller waits in line a little, then gives up
        await customer.hangup()
        found: list[dict[str, Any]] = []

        def missed() -> bool:
            found[:] = agent1.get("/api/v1/worklist").json()["items"]
            return bool(found)

        await desk.until(missed)
        [item] = found
        assert (item["reason"], item["queue_id"]) == ("abandoned", "support")
        assert agent1.post("/api/v1/desk/state", {"state": "available"}).ok
        called = agent1.post(f"/api/v1/worklist/{item['interaction_id']}/callback")
        assert called.status_code == 200, called.text
        new_contact = called.json()["interaction_id"]
        assert called.json()["related_interaction_id"] == item["interaction_id"]

        def counted() -> bool:
            rows = agent1.get("/api/v1/worklist").json()["items"]
            row = next((r for r in rows if r["interaction_id"] == item["interaction_id"]), None)
            return row is not None and row["callbacks"] == 1

        await desk.until(counted)
        [row] = [
            r
            for r in agent1.get("/api/v1/worklist").json()["items"]
            if r["interaction_id"] == item["interaction_id"]
        ]
        assert (row["last_callback_id"], row["claimed_by"]) == (
            new_contact,
            desk.agent_id("agent1"),
        )
        await desk.until(
            lambda: agent1.get(f"/api/v1/interactions/{new_contact}").status_code == 200
        )
        contact = agent1.get(f"/api/v1/interactions/{new_contact}").json()
        assert contact["related_interaction_id"] == item["interaction_id"]
        assert contact["origin"] in ("callback", "click_to_dial")
        agent1.post("/api/v1/desk/hangup")
