"""In Chromium against the real server: an agent plays her own call's stereo recording in the
interaction page, but cannot open another agent's (403) nor another tenant's (404: for her it
does not exist), neither through the page nor by asking the API directly.

The two calls are written into the log of the stopped server the way call control writes them
(`interaction.created` … `recording.stopped`, a catalog row, a WAV file in the storage); the
server rebuilds its interactions list from the log when it starts."""

from __future__ import annotations

import io
import struct
import time
import wave
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from hotline.bus import EventBus
from hotline.clock import SystemClock
from hotline.demo import create_tenant
from hotline.interactions.events import InteractionCreated, InteractionEnded
from hotline.interactions.ports import RecordingRow
from hotline.media.events import RecordingStopped
from hotline.routing.capacity import Channel
from hotline.routing.events import QueueAnswered, QueueEntered
from hotline.store.auth_repo import SqlTenants
from hotline.store.engine import create_engine
from hotline.store.interactions_repo import SqlRecordingCatalog
from hotline.store.tables import agents
from hotline.store.uow import UnitOfWork, UnitOfWorkFactory
from tests.integration.desktop.harness import eventually, items, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

SECONDS = 2.0


def stereo_wav(path: Path) -> int:
    """Two seconds: 440 Hz on the left (customer), silence on the right (agent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = b"".join(
        struct.pack("<hh", int(8000 * ((i * 440 // 8000) % 2 * 2 - 1)), 0)
        for i in range(int(8000 * SECONDS))
    )
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(frames)
    return path.stat().st_size


async def seed_call(
    engine_url: str, recordings_dir: Path, tenant: str, agent: str | None, name: str
) -> None:
    """One answered, recorded call of `tenant` (answered by `agent`), as call control logs it."""
    engine = create_engine(engine_url)
    now = time.time()
    key = f"{tenant}/2026/11/23/{name}-leg.wav"
    size = stereo_wav(recordings_dir / key)
    common = {"tenant_id": tenant, "channel": Channel.VOICE, "priority": 0}
    events = [
        InteractionCreated(
            tenant_id=tenant, at=now - 60, interaction_id=name, channel="voice",
            direction="inbound", caller_number="13800138001", caller_name=None, did="4001",
            customer_id=None, vip_level=None, flow="main", flow_version=1, call_id="c-" + name,
        ),
        QueueEntered(at=now - 55, interaction_id=name, queue_id="sales", skills=(), **common),
        QueueAnswered(
            at=now - 50, interaction_id=name, agent_id=agent, queue_id="sales",
            via_queue_id="sales", wait_s=5.0, sl_threshold_s=20.0, **common,
        ),
        RecordingStopped(
            tenant_id=tenant, at=now - 20, interaction_id=name, recording_id="rec-" + name,
            path=key, duration_s=SECONDS, channels=2, sha256="0" * 64, size_bytes=size,
        ),
        InteractionEnded(
            tenant_id=tenant, at=now - 20, interaction_id=name, reason="completed",
            cause="normal", q850=16, queue_id="sales", answered=True, ivr_s=5.0, queue_s=5.0,
            talk_s=30.0, hold_s=0.0, total_s=40.0,
        ),
    ]  # fmt: skip
    try:
        async with UnitOfWork(engine, EventBus()) as uow:
            for e in events:
                uow.emit(e)
            await uow.commit()
        await SqlRecordingCatalog(engine).add(
            RecordingRow(
                tenant_id=tenant, interaction_id=name, recording_id="rec-" + name, kind="call",
                path=key, duration_s=SECONDS, channels=2, sha256="0" * 64, size_bytes=size,
                paused_spans=(), started_at=now - 50,
            )
        )  # fmt: skip
    finally:
        await engine.dispose()


async def seed(server: ServerProcess) -> None:
    url = server.env["HOTLINE_DATABASE_URL"]
    recordings_dir = Path(server.env["HOTLINE_RECORDING__DIRECTORY"])
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            demo = (await SqlTenants(conn).by_slug("demo"))["id"]  # type: ignore[index]
            by_name = {r.extension: r.id for r in await conn.execute(agents.select())}
        other = await create_tenant(
            UnitOfWorkFactory(engine, None), SystemClock(), slug="other", name="别家公司",
            sip_domain="other.example",
        )  # fmt: skip
    finally:
        await engine.dispose()
    await seed_call(url, recordings_dir, demo, by_name["1001"], "call-of-agent1")
    await seed_call(url, recordings_dir, other, None, "call-of-other")


async def test_an_agent_plays_her_recording_but_not_another_agents_nor_another_tenants(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    sqlite_server.stop()
    await seed(sqlite_server)
    sqlite_server.start("serve")
    admin = login(sqlite_server, "admin")
    await eventually(
        lambda: items(admin, "/api/v1/interactions"),
        lambda rows: [r["id"] for r in rows] == ["call-of-agent1"],
    )

    # agent1 finds her call in the list and plays its two-channel recording in the page.
    page, errors = await open_page(browser, sqlite_server, "agent1")
    await page.goto(f"{sqlite_server.url}/interactions")
    row = page.get_by_test_id("interactions").locator("tbody tr[data-id=call-of-agent1]")
    await expect(row).to_contain_text("坐席 李娜")
    await expect(row).to_contain_text("已接听")
    await row.locator("td").first.get_by_role("link").click()
    await page.wait_for_url("**/interactions/call-of-agent1")
    audio = page.get_by_test_id("recording-audio")
    await expect(audio).to_have_count(1)
    await page.wait_for_function(
        "() => document.querySelector('[data-testid=recording-audio]').readyState >= 1"
    )
    duration = await audio.evaluate("a => a.duration")
    assert duration == pytest.approx(SECONDS, abs=0.1)
    assert await audio.evaluate("a => a.play().then(() => true)") is True
    download = await page.request.get(
        sqlite_server.url + await page.get_by_test_id("recording-download").get_attribute("href")
    )
    assert download.status == 200
    with wave.open(io.BytesIO(await download.body())) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, 8000)

    # agent2 does not see it in her list, the page says so, and the API refuses the WAV.
    other_page, other_errors = await open_page(browser, sqlite_server, "agent2")
    await other_page.goto(f"{sqlite_server.url}/interactions")
    await expect(other_page.get_by_test_id("interactions").locator("tbody")).to_be_empty()
    await other_page.goto(f"{sqlite_server.url}/interactions/call-of-agent1")
    await expect(other_page.get_by_test_id("detail-error")).to_contain_text("无权查看")
    status = "p => fetch(p).then(r => r.status)"
    assert await other_page.evaluate(status, "/api/v1/recordings/rec-call-of-agent1") == 403
    # Another tenant's recording does not exist for anyone here, agent or admin.
    for p in (page, other_page):
        assert await p.evaluate(status, "/api/v1/recordings/rec-call-of-other") == 404
    assert admin.get("/api/v1/recordings/rec-call-of-other").status_code == 404
    assert admin.get("/api/v1/recordings/rec-call-of-agent1").status_code == 200
    assert errors == []
    assert other_errors == []
