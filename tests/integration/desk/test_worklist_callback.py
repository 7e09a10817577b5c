"""Calling a missed contact back from the worklist, end to end on the demo server: a caller
gives up in the queue, agent1 (browser phone) calls back from the worklist through the
runtime's `dial(…, related_interaction_id=…)`, and the new contact names the missed one,
which the worklist counts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.data.callcenter.tones import AGENT1_HZ
from tests.integration.desk.conftest import Desk, caller, log_in_browser_agent, press


async def test_a_missed_caller_is_called_back_from_the_worklist(
    desk_server: Desk, tmp_path: Path
) -> None:
    desk = desk_server
    agent1 = desk.login("agent1")
    async with desk.browser_phone("agent1", AGENT1_HZ), caller(desk, tmp_path) as customer:
        log_in_browser_agent(desk)
        assert (
            agent1.post("/api/v1/desk/state", {"state": "not_ready", "reason": "break"}).status_code
            == 200
        )
        await press(desk, customer, "2")  # support; the only agent is on a break
        await desk.until(lambda: bool(desk.events("queue.entered")))
        await asyncio.sleep(1.0)  # the caller waits in line a little, then gives up
        await customer.hangup()
        found: list[dict[str, Any]] = []

        def missed() -> bool:
            found[:] = agent1.get("/api/v1/worklist").json()["items"]
            return bool(found)

        await desk.until(missed)
        [item] = found
        assert (item["reason"], item["queue_id"]) == ("abandoned", "support")
        customer_number = item["caller_number"]
        assert agent1.post("/api/v1/desk/state", {"state": "available"}).status_code == 200
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
        admin = desk.login("admin")
        await desk.until(
            lambda: admin.get(f"/api/v1/interactions/{new_contact}").status_code == 200
        )
        contact = admin.get(f"/api/v1/interactions/{new_contact}").json()
        assert contact["related_interaction_id"] == item["interaction_id"]
        assert contact["origin"] in ("callback", "click_to_dial")
        assert (contact["direction"], contact["caller_number"]) == ("outbound", customer_number)
        # agent1's phone rings first (the customer's number comes next, out of the trunk).
        current = agent1.desk()["current"]
        assert (current["interaction_id"], current["customer_number"]) == (
            new_contact,
            customer_number,
        )
        agent1.post("/api/v1/desk/hangup")
