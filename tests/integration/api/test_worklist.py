"""The worklist of missed contacts over HTTP: per queue (an agent sees its queues'), claims
where exactly one of two racing agents wins and the other gets 409 `worklist.claimed` in its
own language, release, marking handled; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from hotline.interactions.events import InteractionCreated, InteractionEnded, VoicemailRecorded
from hotline.routing.capacity import Channel
from hotline.routing.events import QueueAbandoned, QueueEntered
from tests.integration.api.conftest import Api

MISSED = ("gave-up-1", "gave-up-2", "gave-up-3")


async def _seed(api: Api, tenant: str) -> None:
    now = api.services.clock.now()
    common: dict[str, Any] = {"tenant_id": tenant, "channel": Channel.VOICE, "priority": 0}

    def created(iid: str, at: float, number: str) -> InteractionCreated:
        return InteractionCreated(
            tenant_id=tenant, at=at, interaction_id=iid, channel="voice", direction="inbound",
            caller_number=number, caller_name=None, did="4001", customer_id=None,
            vip_level=None, flow="main", flow_version=1, call_id="c-" + iid,
        )  # fmt: skip

    def ended(iid: str, at: float, reason: str, queue: str) -> InteractionEnded:
        return InteractionEnded(
            tenant_id=tenant, at=at, interaction_id=iid, reason=reason, cause="normal", q850=16,
            queue_id=queue, answered=False, ivr_s=5.0, queue_s=60.0, talk_s=0.0, hold_s=0.0,
            total_s=65.0,
        )  # fmt: skip

    events: list[Any] = []
    for n, iid in enumerate(MISSED):
        at = now - 300 + n
        events += [
            created(iid, at, f"1391111000{n}"),
            QueueEntered(at=at + 5, interaction_id=iid, queue_id="support", skills=(), **common),
            QueueAbandoned(
                at=at + 65,
                interaction_id=iid,
                queue_id="support",
                wait_s=60.0,
                sl_threshold_s=20.0,
                position=1,
                **common,
            ),
            ended(iid, at + 65, "abandoned", "support"),
        ]
    events += [
        created("voicemail-1", now - 100, "13600136005"),
        QueueEntered(
            at=now - 95, interaction_id="voicemail-1", queue_id="sales", skills=(), **common
        ),
        VoicemailRecorded(
            tenant_id=tenant,
            at=now - 60,
            interaction_id="voicemail-1",
            mailbox="sales",
            recording_id="vm-1",
            path="t/vm-1.wav",
            duration_s=3.0,
            caller_number="13600136005",
            ended_by="key",
        ),
        ended("voicemail-1", now - 50, "voicemail", "sales"),
    ]
    for event in events:
        await api.services.event_log.append(event)


async def _listed(client: httpx.AsyncClient, expected: int, **params: Any) -> list[dict[str, Any]]:
    for _ in range(100):
        items: list[dict[str, Any]] = (await client.get("/api/v1/worklist", params=params)).json()[
            "items"
        ]
        if len(items) == expected:
            return items
        await asyncio.sleep(0.05)
    raise AssertionError(f"the worklist did not reach {expected} items: {items}")


async def test_claims_race_release_and_follow_up(api: Api) -> None:
    supervisor = await api.login("supervisor")
    agent1, agent2, agent3 = [await api.login(f"agent{n}") for n in (1, 2, 3)]
    ids = {}
    for name, client in (("agent1", agent1), ("agent2", agent2), ("agent3", agent3)):
        ids[name] = (await client.get("/api/v1/auth/me")).json()["agent_id"]
    tenant = (await supervisor.get("/api/v1/auth/me")).json()["tenant_id"]
    assert (
        await agent3.put("/api/v1/auth/me/language", json={"language": "en"})
    ).status_code == 200
    assert (
        await agent1.put("/api/v1/auth/me/language", json={"language": "zh-CN"})
    ).status_code == 200
    await _seed(api, tenant)

    everything = await _listed(supervisor, 4)
    assert {i["interaction_id"]: i["reason"] for i in everything} == {
        **dict.fromkeys(MISSED, "abandoned"),
        "voicemail-1": "voicemail",
    }
    voicemail = next(i for i in everything if i["reason"] == "voicemail")
    assert (voicemail["queue_id"], voicemail["recording_id"]) == ("sales", "vm-1")
    # Queue membership as the router decides it: agent2 serves sales, agent3 support.
    assert [i["interaction_id"] for i in await _listed(agent2, 1)] == ["voicemail-1"]
    assert {i["interaction_id"] for i in await _listed(agent3, 3)} == set(MISSED)
    assert len(await _listed(agent1, 4)) == 4
    assert len(await _listed(supervisor, 1, queue="sales")) == 1
    refused = await agent2.post(f"/api/v1/worklist/{MISSED[0]}/claim")
    assert (refused.status_code, refused.json()["code"]) == (404, "worklist.not_found")

    # Two agents race for each of three missed calls: exactly one wins each.
    races = await asyncio.gather(
        *(c.post(f"/api/v1/worklist/{iid}/claim") for iid in MISSED for c in (agent1, agent3))
    )
    for index, iid in enumerate(MISSED):
        first, second = races[2 * index], races[2 * index + 1]
        assert sorted((first.status_code, second.status_code)) == [200, 409], iid
        won, lost = (first, second) if first.status_code == 200 else (second, first)
        winner = won.json()["claimed_by"]
        assert lost.json()["code"] == "worklist.claimed"
        assert lost.json()["details"]["agent_id"] == winner
        loser_language = "en" if lost is races[2 * index + 1] else "zh-CN"
        assert lost.json()["message"] == (
            "Another agent has already claimed this missed contact."
            if loser_language == "en"
            else "另一位坐席已经认领了这条未接来电。"
        )
    claimed = {i["interaction_id"]: i["claimed_by"] for i in await _listed(supervisor, 4)}
    assert {claimed[iid] for iid in MISSED} <= {ids["agent1"], ids["agent3"]}
    assert claimed["voicemail-1"] is None
    claims = (
        await api.services.event_log.flush(),
        (await supervisor.get("/api/v1/events", params={"type": "worklist.claimed"})).json(),
    )[1]["items"]
    assert sorted(e["interaction_id"] for e in claims) == sorted(MISSED)

    # The claimant claims again (nothing changes) and releases; others may not release.
    iid = MISSED[0]
    holder, other = (agent1, agent3) if claimed[iid] == ids["agent1"] else (agent3, agent1)
    assert (await holder.post(f"/api/v1/worklist/{iid}/claim")).status_code == 200
    not_yours = await other.post(f"/api/v1/worklist/{iid}/release")
    assert (not_yours.status_code, not_yours.json()["code"]) == (409, "worklist.not_claimed_by_you")
    assert (await holder.post(f"/api/v1/worklist/{iid}/release")).status_code == 200
    assert (await other.post(f"/api/v1/worklist/{iid}/claim")).json()["claimed_by"] != claimed[iid]
    # A supervisor may release anyone's claim, and is no agent to claim one.
    assert (await supervisor.post(f"/api/v1/worklist/{iid}/release")).status_code == 200
    no_agent = await supervisor.post(f"/api/v1/worklist/{iid}/claim")
    assert (no_agent.status_code, no_agent.json()["code"]) == (403, "worklist.not_an_agent")

    # Marked handled: off the open list for everyone, still listed with include_done.
    second = MISSED[1]
    owner = agent1 if claimed[second] == ids["agent1"] else agent3
    assert (await owner.post(f"/api/v1/worklist/{second}/followed-up", json={})).status_code == 200
    assert second not in {i["interaction_id"] for i in await _listed(supervisor, 3)}
    done = await _listed(supervisor, 4, include_done="true")
    assert next(i for i in done if i["interaction_id"] == second)["follow_up"] == "marked"
    late = await owner.post(f"/api/v1/worklist/{second}/claim")
    assert (late.status_code, late.json()["code"]) == (409, "worklist.done")

    # Calling back is the claimant's; this server runs no telephony to call from.
    third = MISSED[2]
    holder, other = (agent1, agent3) if claimed[third] == ids["agent1"] else (agent3, agent1)
    taken = await other.post(f"/api/v1/worklist/{third}/callback")
    assert (taken.status_code, taken.json()["code"]) == (409, "worklist.claimed")
    unavailable = await holder.post(f"/api/v1/worklist/{third}/callback")
    assert (unavailable.status_code, unavailable.json()["code"]) == (503, "desk.unavailable")
    for client in (supervisor, agent1, agent2, agent3):
        await client.aclose()
