"""The wallboard hub: rebuilt from the log at start, fed by the bus, a delta on each change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hotline.routing.capacity import Channel
from hotline.routing.events import QueueAbandoned, QueueEntered
from hotline.server.wallboard import WallboardHub
from tests.integration.api.conftest import Api


async def test_snapshot_then_a_delta_when_a_caller_queues(api: Api) -> None:
    services = api.services
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    # The hub may have met the center while the demo was being seeded: its queues arrive with
    # the seed's config.changed events, a moment later on a busy machine.
    for _ in range(100):
        first, updates = await services.wallboard.connect(
            tenant, "Asia/Shanghai", version=None, instance=None
        )
        if set(first["queues"]) == {"sales", "support"}:
            break
        services.wallboard.disconnect(tenant, updates)
        await asyncio.sleep(0.05)
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

    async def the_caller_waiting() -> dict[str, Any]:
        while True:  # a tick's delta may come first, before the caller's
            delta = await updates.get()
            if delta.get("queues", {}).get("support", {}).get("waiting"):
                return delta

    delta = await asyncio.wait_for(the_caller_waiting(), 10)
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


async def test_the_wallboard_counts_with_the_centers_rule_and_takes_a_change_at_once(
    api: Api,
) -> None:
    """Short abandons on the wallboard use the center's counting rule, the same row as its
    reports (ADR 0176); saving a new rule reaches an open wallboard without a restart."""
    services = api.services
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    first, updates = await services.wallboard.connect(
        tenant, "Asia/Shanghai", version=None, instance=None
    )
    assert first["queues"]["support"]["short_abandon_s"] == 5.0  # the default rule
    await services.event_log.append(
        QueueAbandoned(
            tenant_id=tenant, at=services.clock.now(), interaction_id="01INTERACTION0000000000007",
            queue_id="support", channel=Channel.VOICE, priority=0, wait_s=7.0,
            sl_threshold_s=20.0, position=1,
        )
    )  # fmt: skip
    row = await _queue_row(updates, "support", lambda q: q["today"]["abandoned"] == 1)
    assert row["today"]["short_abandoned"] == 0  # 7 s > 5 s

    rules = {"short_abandon_s": 8, "fcr_window_days": 7, "vip_sl_threshold_s": 15,
             "csat_satisfied_from": 4}  # fmt: skip
    saved = await admin.put("/api/v1/reports/counting", json=rules)
    assert saved.status_code == 200, saved.text
    row = await _queue_row(updates, "support", lambda q: q["short_abandon_s"] == 8.0)
    assert (row["today"]["abandoned"], row["today"]["short_abandoned"]) == (1, 1)  # recounted
    services.wallboard.disconnect(tenant, updates)

    hub = WallboardHub(services.engine, services.bus, services.clock, tick_s=3600)
    await hub.start()  # a restarted server reads the same rule
    try:
        again, _ = await hub.connect(tenant, "Asia/Shanghai", version=None, instance=None)
        assert again["queues"]["support"]["short_abandon_s"] == 8.0
        assert again["queues"]["support"]["today"]["short_abandoned"] == 1
    finally:
        await hub.stop()
        await admin.aclose()


async def _queue_row(
    updates: asyncio.Queue[dict[str, Any]], queue_id: str, done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The queue's row from the first message whose row satisfies `done` (waits for
    messages, not for time)."""
    while True:
        message = await asyncio.wait_for(updates.get(), 10)
        row = message.get("queues", {}).get(queue_id)
        if row is not None and done(row):
            return dict(row)
