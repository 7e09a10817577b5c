"""The agent desktop against the real `hotline demo` server: agent1's browser phone (aiortc, on
/api/v1/phone) logs in through /api/v1/desk/login; a baresip caller with a customer's number
dials 4001 and presses 1; the offer reaches the desk stream with its screen pop; /desk/answer
bridges and audio flows both ways; transfers to agent3 on a baresip phone — blind, and
consultative with a note that the receiver's desk shows; wrap-up with a disposition."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hotline.media.wav import read_wav
from tests.data.callcenter.tones import AGENT1_HZ, AGENT2_HZ, CUSTOMER_HZ
from tests.integration.callcenter.phones import Phone, baresip_phone
from tests.integration.desk.conftest import (
    QUEUE_FIELDS,
    WANG_FANG,
    Desk,
    caller,
    has_tone,
    log_in_browser_agent,
    press,
)
from tests.server import PASSWORD

pytestmark = [pytest.mark.baresip, pytest.mark.slow]


@contextlib.asynccontextmanager
async def agent3_phone(desk: Desk, tmp: Path, *, ready: bool = True) -> AsyncIterator[Phone]:
    """agent3 at its baresip phone (1003), logged in (available with `ready`)."""
    async with baresip_phone(
        tmp,
        "agent3",
        user="1003",
        password=PASSWORD,
        server_port=desk.server.sip_port,
        tone_hz=AGENT2_HZ,
    ) as phone:
        agent3 = desk.login("agent3")
        await desk.desk_of("agent3", lambda d: d["phone"]["connected"])
        response = agent3.post("/api/v1/desk/login", {"phone": "sip", "ready": ready})
        assert response.status_code == 200, response.text
        assert response.json()["state"] == ("available" if ready else "not_ready")
        yield phone


async def test_browser_offer_screen_pop_answer_audio_and_blind_transfer(
    desk_server: Desk, tmp_path: Path
) -> None:
    desk = desk_server
    agent1 = desk.login("agent1")
    # Without its phone connected, a browser agent cannot log in.
    refused = agent1.post("/api/v1/desk/login", {"phone": "browser"})
    assert (refused.status_code, refused.json()["code"]) == (
        409,
        "interactions.phone.not_connected",
    )
    async with (
        desk.browser_phone("agent1", AGENT1_HZ) as browser,
        desk.stream("agent1") as stream,
        agent3_phone(desk, tmp_path),
        caller(desk, tmp_path) as customer,
    ):
        first = await stream.next("desk")
        assert (first["state"], first["phone"]["kind"]) == ("logged_out", "browser")
        assert first["phone"]["connected"]
        assert {q["id"] for q in first["queues"]} == {"sales", "support"}
        desk_now = log_in_browser_agent(desk)
        assert desk_now["state"] == "available"

        await press(desk, customer, "1")
        offer = await stream.next("offer")
        iid = offer["interaction_id"]
        pop = offer["screen_pop"]
        assert pop["caller_number"] == WANG_FANG
        assert pop["customer"]["name"] == "王芳"
        assert pop["customer"]["vip_level"] == 2
        assert "VIP" in pop["customer"]["tags"]
        assert "main_menu" in [step["node"] for step in pop["ivr"]["path"]]
        assert "1" in [d["digits"] for d in pop["ivr"]["digits"]]
        assert pop["queue_id"] == "sales"
        ringing = await stream.next(
            "desk", lambda m: (m["current"] or {}).get("phase") == "ringing"
        )
        assert ringing["current"]["interaction_id"] == iid
        assert ringing["current"]["customer_number"] == WANG_FANG

        answered = agent1.post("/api/v1/desk/answer")
        assert answered.status_code == 200, answered.text
        assert answered.json()["current"]["phase"] == "connected"
        assert answered.json()["state"] == "busy"
        heard_before = len(browser.heard)
        await asyncio.sleep(2.5)  # talk: each side's tone reaches the other
        from_customer = np.concatenate(browser.heard[heard_before:])
        assert has_tone(from_customer[-8000:], CUSTOMER_HZ)

        agent3_id = desk.agent_id("agent3")
        async with desk.stream("agent3") as stream3:
            await stream3.next("desk")
            moved = agent1.post(
                "/api/v1/desk/transfer",
                {"kind": "blind", "target_kind": "agent", "target": agent3_id, "note": "退货咨询"},
            )
            assert moved.status_code == 200, moved.text
            offer3 = await stream3.next("offer")  # a SIP-phone agent's desk gets offers too
            assert offer3["interaction_id"] == iid
            assert offer3["screen_pop"]["transfer"]["note"] == "退货咨询"
            assert offer3["screen_pop"]["transfer"]["from_agent_id"] == agent1.me["agent_id"]
            await desk.desk_of("agent3", lambda d: (d["current"] or {}).get("phase") == "connected")
        after = await desk.desk_of("agent1", lambda d: d["current"] is None or d["wrap_up"])
        assert after["state"] in ("wrap_up", "available")
        await asyncio.sleep(1.5)
        await customer.hangup()
        ended = await _ended(desk, iid)
        assert ended["payload"]["reason"] == "completed"
        if after["wrap_up"]:
            wrap = agent1.post(
                f"/api/v1/interactions/{iid}/wrapup", {"disposition": "resolved", "notes": "ok"}
            )
            assert wrap.status_code == 200, wrap.text
            done = agent1.post("/api/v1/desk/wrapup/end")
            assert done.status_code == 200, done.text
            assert done.json()["state"] == "available"
        await asyncio.sleep(0.5)
    # The caller heard agent1 (its tone) while they talked.
    samples, rate = customer.heard()
    assert rate == 8000
    assert has_tone(samples, AGENT1_HZ, level=0.02)
    # The customer's stereo recording: right channel is what the customer heard (agent1, then
    # agent3 after the transfer).
    detail = desk.login("admin").get(f"/api/v1/interactions/{iid}").json()
    [recording] = [r for r in detail["recordings"] if r["kind"] == "call"]
    wav = desk.login("admin").get(f"/api/v1/recordings/{recording['id']}")
    assert wav.status_code == 200
    audio = read_wav(_save(tmp_path / "rec.wav", wav.content))
    assert audio.samples.shape[1] == 2
    assert has_tone(audio.samples[:, 1], AGENT1_HZ, level=0.02)
    assert has_tone(audio.samples[:, 0], CUSTOMER_HZ, level=0.02)


async def test_consult_with_a_note_then_wrap_up_with_the_required_disposition(
    desk_server: Desk, tmp_path: Path
) -> None:
    desk = desk_server
    agent1 = desk.login("agent1")
    agent3 = desk.login("agent3")
    note = "客户要求退款，已核实订单"
    async with (
        desk.browser_phone("agent1", AGENT1_HZ) as browser,
        agent3_phone(desk, tmp_path, ready=False),
        desk.stream("agent3") as stream3,
        caller(desk, tmp_path) as customer,
    ):
        log_in_browser_agent(desk)
        await press(desk, customer, "2")  # support: a disposition is required there
        ringing = await desk.desk_of(
            "agent1", lambda d: (d["current"] or {}).get("phase") == "ringing"
        )
        iid = ringing["current"]["interaction_id"]
        assert agent1.post("/api/v1/desk/answer").json()["current"]["phase"] == "connected"
        assert agent3.post("/api/v1/desk/state", {"state": "available"}).status_code == 200

        consulting = agent1.post(
            "/api/v1/desk/transfer",
            {"kind": "consult", "target_kind": "agent", "target": desk.agent_id("agent3"),
             "note": note},
        )  # fmt: skip
        assert consulting.status_code == 200, consulting.text
        assert consulting.json()["current"]["phase"] == "consulting"
        offer = await stream3.next("offer")
        pop = offer["screen_pop"]
        assert offer["interaction_id"] == iid  # the consultation is about this very contact
        assert pop["interaction_id"] == iid
        assert pop["customer"]["name"] == "王芳"
        assert (pop["transfer"]["kind"], pop["transfer"]["note"]) == ("consult", note)
        talking = await desk.desk_of(
            "agent1",
            lambda d: ((d["current"] or {}).get("consult") or {}).get("phase") == "connected",
        )
        assert talking["current"]["consult"]["target_kind"] == "agent"
        heard_before = len(browser.heard)
        await asyncio.sleep(2.0)  # agent1 and agent3 talk; the customer hears music
        assert has_tone(np.concatenate(browser.heard[heard_before:])[-8000:], AGENT2_HZ)

        done = agent1.post("/api/v1/desk/consult/complete")
        assert done.status_code == 200, done.text
        wrap = await desk.desk_of("agent1", lambda d: d["wrap_up"] is not None)
        assert wrap["state"] == "wrap_up"
        assert wrap["wrap_up"]["interaction_id"] == iid
        assert wrap["wrap_up"]["disposition_required"]
        assert wrap["wrap_up"]["ends_at"] > wrap["since"]
        refused = agent1.post("/api/v1/desk/wrapup/end")
        assert (refused.status_code, refused.json()["code"]) == (409, "desk.disposition.required")
        longer = agent1.post("/api/v1/desk/wrapup/extend", {"seconds": 30})
        assert longer.json()["wrap_up"]["ends_at"] >= wrap["wrap_up"]["ends_at"] + 30
        # The disposition goes on the interaction's record (its row in the interactions
        # projection, which follows the log).
        await desk.until(lambda: agent1.get(f"/api/v1/interactions/{iid}").status_code == 200)
        saved = agent1.post(
            f"/api/v1/interactions/{iid}/wrapup", {"disposition": "resolved", "notes": note}
        )
        assert saved.status_code == 200, saved.text
        ended = agent1.post("/api/v1/desk/wrapup/end")
        assert ended.status_code == 200, ended.text
        assert (ended.json()["state"], ended.json()["wrap_up"]) == ("available", None)
        await asyncio.sleep(2.0)  # the customer talks to agent3 now
        await customer.hangup()
        await _ended(desk, iid)
    [moved] = [e for e in desk.events("interaction.transferred") if e["interaction_id"] == iid]
    assert (moved["payload"]["kind"], moved["payload"]["note"]) == ("consult", note)
    admin = desk.login("admin")
    await desk.until(
        lambda: admin.get(f"/api/v1/interactions/{iid}").json().get("disposition") == "resolved"
    )
    # What the customer heard (the recording's right channel): agent3 at the end.
    detail = admin.get(f"/api/v1/interactions/{iid}").json()
    [recording] = [r for r in detail["recordings"] if r["kind"] == "call"]
    wav = admin.get(f"/api/v1/recordings/{recording['id']}")
    heard = read_wav(_save(tmp_path / "rec.wav", wav.content)).samples[:, 1]
    assert has_tone(heard[-2 * 8000 :], AGENT2_HZ)  # agent3 took the customer over


async def _ended(desk: Desk, iid: str, timeout: float = 15.0) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def probe() -> bool:
        found[:] = [e for e in desk.events("interaction.ended") if e["interaction_id"] == iid]
        return bool(found)

    await desk.until(probe, timeout)
    return found[0]


def _save(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


async def test_wrap_up_past_its_timer_waits_for_the_required_disposition(
    desk_server: Desk, tmp_path: Path
) -> None:
    desk = desk_server
    admin = desk.login("admin")
    [support] = [q for q in admin.get("/api/v1/queues").json()["items"] if q["name"] == "support"]
    body = {k: support[k] for k in QUEUE_FIELDS}
    body["skills"] = [
        {"skill_id": s["skill_id"], "min_proficiency": s["min_proficiency"]}
        for s in support["skills"]
    ]
    body.update(wrap_up_s=2, disposition_required=True, calendar_id=None)
    assert admin.client.put(f"/api/v1/queues/{support['id']}", json=body).status_code == 200
    agent1 = desk.login("agent1")
    async with (
        desk.browser_phone("agent1", AGENT1_HZ),
        caller(desk, tmp_path) as customer,
    ):
        # the router follows the configuration change: support now needs a disposition
        await desk.until(lambda: log_in_browser_agent(desk)["state"] == "available")
        await press(desk, customer, "2")
        ringing = await desk.desk_of(
            "agent1", lambda d: (d["current"] or {}).get("phase") == "ringing"
        )
        iid = ringing["current"]["interaction_id"]
        assert agent1.post("/api/v1/desk/answer").json()["current"]["phase"] == "connected"
        await asyncio.sleep(1.0)
        assert agent1.post("/api/v1/desk/hangup").status_code == 200
        over = await desk.desk_of(
            "agent1", lambda d: (d["wrap_up"] or {}).get("overrun_since") is not None
        )
        assert over["state"] == "wrap_up"  # the timer ran out, the agent is still in wrap-up
        assert over["wrap_up"]["overrun_since"] >= over["wrap_up"]["ends_at"] - 0.01
        for refused in (
            agent1.post("/api/v1/desk/state", {"state": "available"}),
            agent1.post("/api/v1/desk/wrapup/end"),
        ):
            assert (refused.status_code, refused.json()["code"]) == (
                409,
                "desk.disposition.required",
            )
        await desk.until(lambda: agent1.get(f"/api/v1/interactions/{iid}").status_code == 200)
        saved = agent1.post(f"/api/v1/interactions/{iid}/wrapup", {"disposition": "resolved"})
        assert saved.status_code == 200, saved.text
        done = await desk.desk_of("agent1", lambda d: d["state"] == "available")
        assert done["wrap_up"] is None
        await customer.hangup()
        await _ended(desk, iid)
    [overrun] = desk.events("agent.wrap_up_overrun")
    assert overrun["interaction_id"] == iid
    [ended] = desk.events("agent.wrap_up_ended")
    assert ended["payload"]["overrun_s"] > 0
    [dispositioned] = desk.events("interaction.dispositioned")
    assert dispositioned["payload"]["work_id"] == ended["payload"]["work_id"]
