"""The interactions list is a projection of the log: filters, who sees what, the timeline,
wrap-up with a ticket, the missed-calls worklist, recordings with permissions and audit."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import httpx

from hotline.interactions.events import InteractionCreated, InteractionEnded
from hotline.interactions.ports import RecordingRow
from hotline.media.events import RecordingStopped
from hotline.routing.capacity import Channel
from hotline.routing.events import QueueAbandoned, QueueAnswered, QueueEntered
from hotline.store.interactions_repo import SqlRecordingCatalog
from tests.integration.api.conftest import Api


async def _agent_id(client: httpx.AsyncClient) -> str:
    return str((await client.get("/api/v1/auth/me")).json()["agent_id"])


async def _seed(api: Api, tenant: str, agent: str, recording_dir: Path) -> None:
    clock = api.services.clock
    now = clock.now()
    common = {"tenant_id": tenant, "channel": Channel.VOICE, "priority": 0}

    def created(iid: str, at: float, number: str) -> InteractionCreated:
        return InteractionCreated(
            tenant_id=tenant, at=at, interaction_id=iid, channel="voice", direction="inbound",
            caller_number=number, caller_name=None, did="4001", customer_id=None,
            vip_level=None, flow="main", flow_version=1, call_id="c-" + iid,
        )  # fmt: skip

    def ended(iid: str, at: float, reason: str, answered: bool) -> InteractionEnded:
        return InteractionEnded(
            tenant_id=tenant, at=at, interaction_id=iid, reason=reason, cause="normal", q850=16,
            queue_id="support", answered=answered, ivr_s=5.0, queue_s=8.0, talk_s=30.0,
            hold_s=0.0, total_s=43.0,
        )  # fmt: skip

    key = f"{tenant}/2026/11/23/answered-leg.wav"
    path = recording_dir / key
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 16000)
    for e in [
        created("answered", now - 100, "13800138001"),
        QueueEntered(
            at=now - 90, interaction_id="answered", queue_id="support", skills=(), **common
        ),
        QueueAnswered(
            at=now - 82, interaction_id="answered", agent_id=agent, queue_id="support",
            via_queue_id="support", wait_s=8.0, sl_threshold_s=20.0, **common,
        ),
        RecordingStopped(
            tenant_id=tenant, at=now - 50, interaction_id="answered", recording_id="rec-1",
            path=key, duration_s=2.0, channels=2, sha256="0" * 64, size_bytes=64044,
            paused_spans=(),
        ),
        ended("answered", now - 50, "completed", True),
        created("missed", now - 40, "13911112222"),
        QueueEntered(at=now - 35, interaction_id="missed", queue_id="support", skills=(), **common),
        QueueAbandoned(
            at=now - 20, interaction_id="missed", queue_id="support", wait_s=15.0,
            sl_threshold_s=20.0, position=1, **common,
        ),
        ended("missed", now - 20, "abandoned", False),
    ]:  # fmt: skip
        await api.services.event_log.append(e)
    await SqlRecordingCatalog(api.services.engine).add(
        RecordingRow(
            tenant_id=tenant, interaction_id="answered", recording_id="rec-1", kind="call",
            path=key, duration_s=2.0, channels=2, sha256="0" * 64, size_bytes=64044,
            paused_spans=(), started_at=now - 82,
        )
    )  # fmt: skip


async def _wait_for(client: httpx.AsyncClient, total: int) -> dict[str, object]:
    for _ in range(100):
        listed = (await client.get("/api/v1/interactions")).json()
        if listed["total"] == total and all(i["ended_at"] for i in listed["items"]):
            return listed  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"the projection did not reach {total} interactions: {listed}")


async def test_interactions_projection_permissions_wrap_up_missed_and_recordings(
    api: Api, tmp_path: Path
) -> None:
    api.services.settings.recording.directory = tmp_path / "recordings"
    admin = await api.login("admin")
    agent3 = await api.login("agent3")
    agent2 = await api.login("agent2")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    await _seed(api, tenant, await _agent_id(agent3), tmp_path / "recordings")

    listed = await _wait_for(admin, 2)
    rows = {i["id"]: i for i in listed["items"]}  # type: ignore[attr-defined]
    assert rows["answered"]["queue_id"] == "support"
    assert rows["answered"]["wait_s"] == 8.0
    assert rows["answered"]["recorded"] is True
    assert rows["missed"]["abandoned"] is True
    assert (await admin.get("/api/v1/interactions", params={"q": "1391111"})).json()["total"] == 1
    assert (await agent3.get("/api/v1/interactions")).json()["total"] == 1
    assert (await agent2.get("/api/v1/interactions")).json()["total"] == 0
    assert (await agent2.get("/api/v1/interactions/answered")).status_code == 404

    detail = (await agent3.get("/api/v1/interactions/answered")).json()
    assert [e["type"] for e in detail["timeline"]][:2] == ["interaction.created", "queue.entered"]
    assert [(w["queue_id"], w["outcome"], w["wait_s"]) for w in detail["work_items"]] == [
        ("support", "answered", 8.0)
    ]
    [segment] = detail["segments"]
    assert (segment["agent_id"], segment["queue_id"]) == (await _agent_id(agent3), "support")
    assert detail["recordings"][0]["id"] == "rec-1"
    assert "path" not in detail["recordings"][0]

    r = await agent3.get("/api/v1/recordings/rec-1")
    assert r.status_code == 200
    assert r.headers["content-type"] == "audio/wav"
    assert r.content[:4] == b"RIFF"
    assert (await agent2.get("/api/v1/recordings/rec-1")).status_code == 403
    audit = (await admin.get("/api/v1/audit", params={"entity": "recording"})).json()["items"]
    assert [(a["action"], a["actor_name"]) for a in audit] == [("listen", "agent3")]

    r = await agent3.post(
        "/api/v1/interactions/answered/wrapup",
        json={"disposition": "resolved", "notes": "已处理", "ticket": {"subject": "回访"},
              "resolved": True},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["resolved"] is True  # the agent's "resolved?" answer, for FCR
    assert r.json()["ticket_number"] >= 10001
    assert r.json()["work_id"] == "answered"  # the segment's work item (no work id: the contact)
    r = await agent3.post("/api/v1/interactions/answered/wrapup", json={"disposition": "nope"})
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "disposition"

    missed = (await admin.get("/api/v1/interactions/missed")).json()
    assert [m["id"] for m in missed["items"]] == ["missed"]
    assert (await admin.post("/api/v1/interactions/missed/followed-up", json={})).status_code == 200
    for _ in range(100):
        if (await admin.get("/api/v1/interactions/missed")).json()["total"] == 0:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the follow-up did not reach the projection")
    answered = (await admin.get("/api/v1/interactions/answered")).json()
    assert answered["disposition"] == "resolved"
    assert answered["notes"] == "已处理"
    assert [(s["disposition"], s["notes"]) for s in answered["segments"]] == [
        ("resolved", "已处理")
    ]
    for client in (admin, agent3, agent2):
        await client.aclose()
