"""Supervision against the real `hotline demo` server: the supervisor, on a browser phone of
its own, whispers to agent1 on a live call — agent1 hears the supervisor's tone, the
customer's leg does not (what the customer hears is the recording's right channel) — then
barges in (now the customer hears it), and stops. Who may supervise: agents get 403, another
tenant's agent is not found (404); forcing a state and logging out are audited."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hotline.auth.passwords import hash_password
from hotline.demo import create_tenant
from hotline.ids import new_id
from hotline.media.wav import read_wav
from hotline.store.auth_repo import SqlUsers
from hotline.store.engine import create_engine
from hotline.store.uow import UnitOfWorkFactory
from tests.data.callcenter.tones import AGENT1_HZ, CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.callcenter.softphone import tone_level
from tests.integration.desk.conftest import Desk, caller, has_tone, log_in_browser_agent, press
from tests.server import PASSWORD

SUPERVISOR_HZ = 1700.0
FRAME_S = 0.02


def frames_since(heard: list[np.ndarray], mark: int, skip_s: float = 0.5) -> np.ndarray:
    """What a browser peer heard after frame `mark`, less the first `skip_s` (the change)."""
    return np.concatenate(heard[mark + int(skip_s / FRAME_S) :])


def one(events: list[dict[str, Any]], iid: str) -> dict[str, Any]:
    [event] = [e for e in events if e["interaction_id"] == iid]
    return event


@pytest.mark.baresip
async def test_whisper_reaches_the_agent_only_then_barge_reaches_the_customer(
    desk_server: Desk, tmp_path: Path
) -> None:
    desk = desk_server
    supervisor = desk.login("supervisor")
    agent1 = desk.login("agent1")
    agent_id = agent1.me["agent_id"]
    monitor = f"/api/v1/supervise/{agent_id}/monitor"
    async with (
        desk.browser_phone("agent1", AGENT1_HZ) as agent_phone,
        desk.browser_phone("supervisor", SUPERVISOR_HZ) as supervisor_phone,
        caller(desk, tmp_path) as customer,
    ):
        log_in_browser_agent(desk)
        await press(desk, customer, "1")
        ringing = await desk.desk_of(
            "agent1", lambda d: (d["current"] or {}).get("phase") == "ringing"
        )
        iid = ringing["current"]["interaction_id"]
        assert agent1.post("/api/v1/desk/answer").status_code == 200

        whisper = supervisor.post(monitor, {"mode": "whisper", "phone": "browser"})
        assert whisper.status_code == 200, whisper.text
        seat = whisper.json()
        assert (seat["mode"], seat["state"], seat["interaction_id"]) == ("whisper", "active", iid)
        assert seat["phone"]["kind"] == "browser"
        agent_mark, supervisor_mark = len(agent_phone.heard), len(supervisor_phone.heard)
        await asyncio.sleep(2.5)
        assert has_tone(frames_since(agent_phone.heard, agent_mark), SUPERVISOR_HZ)
        overheard = frames_since(supervisor_phone.heard, supervisor_mark)
        assert has_tone(overheard, CUSTOMER_HZ)  # the supervisor hears both parties
        assert has_tone(overheard, AGENT1_HZ)
        # The agent's desk shows a call, not a three-way conference.
        assert agent1.desk()["current"]["phase"] == "connected"

        barge = supervisor.post(monitor, {"mode": "barge", "phone": "browser"})
        assert barge.status_code == 200, barge.text
        assert barge.json()["mode"] == "barge"
        await asyncio.sleep(2.5)
        stopped = supervisor.post(f"/api/v1/supervise/{agent_id}/stop")
        assert stopped.status_code == 200, stopped.text
        await asyncio.sleep(0.5)
        await customer.hangup()
        await desk.until(lambda: bool(desk.events("recording.stopped")))

    started = one(desk.events("supervision.started"), iid)
    changed = one(desk.events("supervision.changed"), iid)
    ended = one(desk.events("supervision.stopped"), iid)
    assert started["payload"]["supervisor_id"] == supervisor.me["user_id"]
    assert (changed["payload"]["previous"], changed["payload"]["mode"]) == ("whisper", "barge")
    assert ended["payload"]["reason"] == "stopped"
    recorded = one(desk.events("recording.started"), iid)

    # What the customer's leg was sent (the recording's right channel) in each mode.
    admin = desk.login("admin")
    await desk.until(lambda: admin.get(f"/api/v1/interactions/{iid}").status_code == 200)
    detail = admin.get(f"/api/v1/interactions/{iid}").json()
    [recording] = [r for r in detail["recordings"] if r["kind"] == "call"]
    wav = admin.get(f"/api/v1/recordings/{recording['id']}")
    (tmp_path / "call.wav").write_bytes(wav.content)
    customer_heard = read_wav(tmp_path / "call.wav").samples[:, 1]

    def window(a: float, b: float) -> np.ndarray:
        first = int((a - recorded["at"]) * 8000)
        return customer_heard[max(0, first) : int((b - recorded["at"]) * 8000)]

    whispering = window(started["at"] + 0.5, changed["at"] - 0.2)
    barging = window(changed["at"] + 0.5, ended["at"] - 0.2)
    assert has_tone(whispering, AGENT1_HZ)  # the agent, as always …
    assert tone_absent(whispering, SUPERVISOR_HZ)  # … but not the whisper
    assert has_tone(barging, SUPERVISOR_HZ)  # barge: everyone hears the supervisor
    audit = admin.client.get("/api/v1/audit", params={"entity": "agent"}).json()["items"]
    assert {"monitor.whisper", "monitor.barge", "monitor.stop"} <= {a["action"] for a in audit}


@pytest.mark.baresip
async def test_a_supervisor_listens_from_a_sip_phone(desk_server: Desk, tmp_path: Path) -> None:
    """The supervisor has no phone of its own: it names one (1003, a baresip) to listen on."""
    desk = desk_server
    supervisor = desk.login("supervisor")
    agent1 = desk.login("agent1")
    agent_id = agent1.me["agent_id"]
    async with (
        baresip_phone(
            tmp_path, "monitor", user="1003", password=PASSWORD,
            server_port=desk.server.sip_port, tone_hz=SUPERVISOR_HZ,
        ) as monitor_phone,
        desk.browser_phone("agent1", AGENT1_HZ),
        caller(desk, tmp_path) as customer,
    ):  # fmt: skip
        await desk.until(lambda: bool(desk.events("sip.registered")))
        log_in_browser_agent(desk)
        await press(desk, customer, "1")
        ringing = await desk.desk_of(
            "agent1", lambda d: (d["current"] or {}).get("phase") == "ringing"
        )
        iid = ringing["current"]["interaction_id"]
        assert agent1.post("/api/v1/desk/answer").status_code == 200
        listen = supervisor.post(
            f"/api/v1/supervise/{agent_id}/monitor",
            {"mode": "listen", "phone": "sip", "extension": "1003"},
        )
        assert listen.status_code == 200, listen.text
        assert (listen.json()["state"], listen.json()["phone"]) == (
            "ringing",
            {"kind": "sip", "address": "1003"},
        )
        await monitor_phone.wait_event("CALL_ESTABLISHED", timeout=15)
        await asyncio.sleep(2.5)
        stopped = supervisor.post(f"/api/v1/supervise/{agent_id}/stop")
        assert stopped.status_code == 200, stopped.text
        await monitor_phone.wait_event("CALL_CLOSED", timeout=10)
        await customer.hangup()
        await desk.until(lambda: bool(desk.events("recording.stopped")))
    overheard, _ = monitor_phone.heard()
    assert has_tone(overheard, CUSTOMER_HZ, level=0.02)  # the supervisor heard both parties
    assert has_tone(overheard, AGENT1_HZ, level=0.02)
    started = one(desk.events("supervision.started"), iid)
    assert (started["payload"]["phone_kind"], started["payload"]["mode"]) == ("sip", "listen")
    assert one(desk.events("supervision.stopped"), iid)["payload"]["reason"] == "stopped"


def tone_absent(samples: np.ndarray, hz: float) -> bool:
    return len(samples) >= 4000 and tone_level(samples, hz) < 0.01


async def other_tenant_agent(desk: Desk) -> str:
    """An agent of tenant `other`, created by its own admin over the API."""
    engine = create_engine(desk.server.env["HOTLINE_DATABASE_URL"])
    try:
        clock = _Clock()
        factory = UnitOfWorkFactory(engine, None)
        tenant_id = await create_tenant(
            factory, clock, slug="other", name="Other", sip_domain="other.test"
        )
        async with factory() as uow:
            await SqlUsers(uow.conn).add(
                {
                    "id": new_id(clock.now()),
                    "tenant_id": tenant_id,
                    "username": "boss",
                    "display_name": "Boss",
                    "password_hash": hash_password(PASSWORD),
                    "roles": ["admin"],
                    "language": "en",
                    "active": True,
                    "created_at": clock.now(),
                    "updated_at": clock.now(),
                }
            )
            await uow.commit()
    finally:
        await engine.dispose()
    boss = desk.login("boss", tenant="other")
    created = boss.post(
        "/api/v1/agents",
        {"username": "stranger", "display_name": "Stranger", "password": PASSWORD},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


class _Clock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


async def test_who_may_supervise_and_every_action_is_audited(desk_server: Desk) -> None:
    desk = desk_server
    supervisor = desk.login("supervisor")
    agent1 = desk.login("agent1")
    agent2 = desk.login("agent2")
    admin = desk.login("admin")
    agent2_id = agent2.me["agent_id"]
    for path, body in [
        ("monitor", {"mode": "listen", "phone": "browser"}),
        ("stop", {}),
        ("state", {"state": "available"}),
        ("logout", {}),
    ]:
        refused = agent1.post(f"/api/v1/supervise/{agent2_id}/{path}", body)
        assert (refused.status_code, refused.json()["code"]) == (403, "auth.forbidden"), path
    stranger = await other_tenant_agent(desk)
    for path, body in [
        ("monitor", {"mode": "listen", "phone": "browser"}),
        ("state", {"state": "not_ready", "reason": "break"}),
        ("logout", {}),
    ]:
        hidden = supervisor.post(f"/api/v1/supervise/{stranger}/{path}", body)
        assert hidden.status_code == 404, (path, hidden.text)

    # A supervisor is no agent: it has no desk of its own.
    assert supervisor.post("/api/v1/desk/login", {"phone": "browser"}).status_code == 403
    # Forcing the state of an agent not logged in is a wrong state, not a missing agent.
    idle = supervisor.post(f"/api/v1/supervise/{agent2_id}/state", {"state": "available"})
    assert (idle.status_code, idle.json()["code"]) == (409, "desk.not_logged_in")

    assert agent2.post("/api/v1/desk/login", {"phone": "sip"}).json()["state"] == "not_ready"
    forced = supervisor.post(f"/api/v1/supervise/{agent2_id}/state", {"state": "available"})
    assert forced.status_code == 200, forced.text
    assert forced.json()["state"] == "available"
    assert agent2.desk()["state"] == "available"
    quiet = supervisor.post(
        f"/api/v1/supervise/{agent2_id}/monitor", {"mode": "listen", "phone": "sip"}
    )
    assert (quiet.status_code, quiet.json()["code"]) == (409, "desk.phone.no_extension")
    no_call = supervisor.post(
        f"/api/v1/supervise/{agent2_id}/monitor",
        {"mode": "listen", "phone": "sip", "extension": "1003"},
    )
    assert (no_call.status_code, no_call.json()["code"]) == (409, "interactions.agent.no_call")
    out = supervisor.post(f"/api/v1/supervise/{agent2_id}/logout")
    assert out.status_code == 200, out.text
    assert out.json()["state"] == "logged_out"

    audit = admin.client.get("/api/v1/audit", params={"entity": "agent"}).json()["items"]
    forced_actions = {"force_state", "force_logout"}
    mine = [a for a in audit if a["entity_id"] == agent2_id and a["action"] in forced_actions]
    assert [a["action"] for a in mine] == ["force_logout", "force_state"]  # newest first
    assert mine[1]["before"]["state"] == "not_ready"
    assert mine[1]["after"]["state"] == "available"
    assert {a["actor_name"] for a in mine} == {"supervisor"}
