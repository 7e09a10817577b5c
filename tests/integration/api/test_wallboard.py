"""The wallboard hub: rebuilt from the log at start, fed by the bus, a delta per second."""

from __future__ import annotations

import asyncio

from hotline.routing.capacity import Channel
from hotline.routing.events import QueueEntered
from tests.integration.api.conftest import Api


async def test_snapshot_then_a_delta_when_a_caller_queues(api: Api) -> None:
    services = api.services
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    first, updates = await services.wallboard.connect(
        tenant, "Asia/Shanghai", version=None, instance=None
    )
    assert first["type"] == "wallboard.snapshot"
    assert set(first["queues"]) == {"sales", "support"}
    assert first["queues"]["support"]["waiting"] == 0
    assert first["queues"]["support"]["sl_target"] == 0.8
    await services.event_log.append(
        QueueEntered(
            tenant_id=tenant,
            at=services.clock.now(),
            interaction_id="01INTERACTION0000000000000",
            queue_id="support",
            channel=Channel.VOICE,
            priority=0,
            skills=("售后>=1",),
        )
    )
    delta = await asyncio.wait_for(updates.get(), 10)
    assert delta["type"] == "wallboard.delta"
    assert delta["queues"]["support"]["waiting"] == 1
    # Deltas are broadcast from the hub's last published version: a page applies any delta
    # whose from_version is at most its own (rows come whole).
    assert delta["from_version"] <= first["version"] < delta["version"]
    # A page that reconnects with its version gets only what changed since.
    again, queue = await services.wallboard.connect(
        tenant, "Asia/Shanghai", version=first["version"], instance=first["instance"]
    )
    assert again["type"] == "wallboard.delta"
    assert again["queues"]["support"]["waiting"] == 1
    services.wallboard.disconnect(tenant, queue)
    services.wallboard.disconnect(tenant, updates)
    await admin.aclose()
