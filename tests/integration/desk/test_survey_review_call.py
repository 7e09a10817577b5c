"""Issue 20's acceptance against the real `hotline demo` server: 王芳 calls support from a
baresip phone, agent3 (baresip phone 1003) answers and hangs up, 王芳 hears the survey and
presses 1; a review exists for agent3's supervisor (班长 周) as soon as the follower has the
rating, on agent3's segment, due a day later — the time from the rating to the review is
printed, not asserted."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.integration.desk.conftest import Desk, caller, press
from tests.integration.desk.test_desk_calls import agent3_phone

pytestmark = [pytest.mark.baresip, pytest.mark.slow]


async def test_a_caller_who_rates_1_gets_the_supervisor_a_review(
    desk_server: Desk, tmp_path: Path
) -> None:
    desk = desk_server
    agent3, supervisor = desk.login("agent3"), desk.login("supervisor")
    a3 = desk.agent_id("agent3")
    async with agent3_phone(desk, tmp_path), caller(desk, tmp_path) as customer:
        await press(desk, customer, "2")  # support: agent3 is the one available
        connected = await desk.desk_of(
            "agent3", lambda d: (d["current"] or {}).get("phase") == "connected", timeout=30
        )
        iid = connected["current"]["interaction_id"]
        await asyncio.sleep(1.0)  # they talk
        assert agent3.post("/api/v1/desk/hangup").status_code == 200
        await desk.until(
            lambda: any(
                e["interaction_id"] == iid and e["payload"]["node"] == "survey"
                for e in desk.events("flow.node_entered")
            )
        )
        await asyncio.sleep(0.5)  # the prompt has started
        await customer.keys("1")
        reviews: list[dict[str, Any]] = []

        def reviewed() -> bool:
            nonlocal reviews
            reviews = supervisor.get("/api/v1/quality/reviews").json()
            return bool(reviews)

        await desk.until(reviewed, timeout=20)
    [review] = reviews
    assert (review["interaction_id"], review["agent_id"], review["rating"], review["scale"]) == (
        iid, a3, 1, 5,
    )  # fmt: skip
    assert review["state"] == "open"
    [rated] = [e for e in desk.events("flow.survey_answered") if e["interaction_id"] == iid]
    [opened] = [e for e in desk.events("quality.review_opened") if e["interaction_id"] == iid]
    assert rated["agent_id"] == a3
    assert rated["payload"]["work_id"] == review["work_id"]
    print(f"rating → review: {opened['at'] - rated['at']:.3f} s")
