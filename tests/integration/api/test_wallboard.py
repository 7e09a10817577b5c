"""The wallboard hub: rebuilt from the log at start, fed by the bus, a delta on each change."""

from __future__ import annotations

import asyncio

from hotline.routing.capacity import Channel
from hotline.routing.events import QueueEntered
from hotline.server.wallboard import WallboardHub
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


async def test_a_change_is_pushed_without_waiting_for_the_tick(api: Api) -> None:
    """With an hour-long tick only the push on change can deliver the delta (ADR 0060)."""
    services = api.services
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    await admin.aclose()
    hub = WallboardHub(services.engine, services.bus, services.clock, tick_s=3600)
    await hub.start()
    try:
        first, updates = await hub.connect(tenant, "Asia/Shanghai", version=None, instance=None)
        assert first["queues"]["sales"]["waiting"] == 0
        for n in range(2):
            await services.event_log.append(
                QueueEntered(
                    tenant_id=tenant,
                    at=services.clock.now(),
                    interaction_id=f"01INTERACTION000000000000{n}",
                    queue_id="sales",
                    channel=Channel.VOICE,
                    priority=0,
                    skills=(),
                )
            )
        delta = await asyncio.wait_for(updates.get(), 10)
        assert delta["type"] == "wallboard.delta"
        waiting = delta["queues"]["sales"]["waiting"]
        if waiting == 1:  # the two records fell in two push windows
            delta = await asyncio.wait_for(updates.get(), 10)
            waiting = delta["queues"]["sales"]["waiting"]
        assert waiting == 2
        hub.disconnect(tenant, updates)
    finally:
        await hub.stop()
