"""Centers at runtime in the voice runtime (docs/tenants.md): a suspended center refuses new
calls while live ones go on, the call over the concurrent-call limit is busy, and a center
added while running reaches its agents' phones in its own SIP domain."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

from hotline.flows import FlowVersion
from hotline.ids import AgentId, TenantId
from hotline.interactions.events import RecordingSkipped
from hotline.interactions.voice import SipPhone
from hotline.routing import AgentProfile, Router, RouterSettings
from hotline.sip.realms import RealmMap
from hotline.tenants.admission import CallGate
from hotline.tenants.model import MB, TenantStatus
from tests.unit.calls.fakes import FakeInvite
from tests.unit.interactions.harness import (
    TENANT,
    hang_up,
    make_world,
    until,
)


async def test_suspension_refuses_new_calls_and_keeps_the_live_one(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    live = await world.call(number="13800000001")
    world.telephony.set_gate(TENANT, CallGate(TenantStatus.SUSPENDED))
    refused = FakeInvite(did="4001", call_id="second")
    await world.telephony.on_incoming(refused)
    assert refused.rejected == (403, 21)
    assert not live.ended.is_set()
    assert live.contact.contact_id in world.desk.center.registry
    world.telephony.set_gate(TENANT, CallGate(TenantStatus.ACTIVE))
    resumed = await world.call(number="13800000002")
    assert resumed.customer is not None


async def test_the_call_over_the_limit_is_busy(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.telephony.set_gate(TENANT, CallGate(max_calls=2))
    await world.call(number="13800000001")
    await world.call(number="13800000002")
    assert world.telephony.live_calls(TENANT) == 2
    third = FakeInvite(did="4001", call_id="third")
    await world.telephony.on_incoming(third)
    assert third.rejected == (486, 17)


async def test_a_center_added_while_running_rings_phones_in_its_domain(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    realms = RealmMap("hotline", TENANT)
    realms.add("east.example.com", "t2")
    world.telephony.realms = realms
    router = Router(TenantId("t2"), world.sink, settings=RouterSettings(tz=ZoneInfo("UTC")))
    runtime = world.telephony.add_tenant("t2", router)
    await world.telephony.start_tenant(runtime)
    devices = runtime.voice.devices
    assert devices.aor("1001") == "1001@east.example.com"
    assert not devices.reachable(SipPhone("1001"))
    world.sip.registered.add("1001@east.example.com")  # east's 1001 registered
    assert devices.reachable(SipPhone("1001"))
    runtime.configure_agent(AgentProfile(AgentId("e1"), {"售后": 5}))
    runtime.login(AgentId("e1"), SipPhone("1001"))
    assert devices.agent_of_extension("1001@east.example.com") == "e1"
    # The first center's 1001 is another phone.
    assert world.desk.voice.devices.aor("1001") == "1001"
    await world.telephony.stop()


async def test_calls_arriving_together_cannot_all_pass_the_limit(tmp_path: Path) -> None:
    """The gate counts calls still being set up (flow and customer look-ups are awaited before
    the contact is registered): three INVITEs at once under a limit of two, one is busy."""
    world = await make_world(tmp_path)
    world.telephony.set_gate(TENANT, CallGate(max_calls=2))
    flows = world.telephony.flows
    looked_up = flows.for_did

    async def slow_lookup(tenant_id: str, did: str) -> FlowVersion | None:
        await asyncio.sleep(0.05)  # the database answering while the others arrive
        return await looked_up(tenant_id, did)

    flows.for_did = slow_lookup  # type: ignore[method-assign]
    invites = [FakeInvite(did="4001", number=f"1380000000{n}", call_id=f"c{n}") for n in range(3)]
    await asyncio.gather(*(world.telephony.on_incoming(i) for i in invites))
    assert sorted(str(i.rejected) for i in invites) == ["(486, 17)", "None", "None"]
    assert world.telephony.live_calls(TENANT) == 2
    assert world.telephony.admitting == {TENANT: 0}


async def test_a_center_at_its_recordings_limit_answers_without_recording(
    tmp_path: Path,
) -> None:
    world = await make_world(tmp_path)
    world.telephony.set_gate(TENANT, CallGate(max_recording_mb=1))
    world.telephony.set_recording_usage({TENANT: MB})  # what the database summed
    world.login("a1", "1001")
    interaction, _ = await world.answered("1001")
    assert interaction.call.recording is None
    (skipped,) = world.of("recording.skipped")
    assert isinstance(skipped, RecordingSkipped)
    assert (skipped.interaction_id, skipped.reason) == (
        interaction.interaction_id,
        "tenant.limit.recordings",
    )


async def test_each_stored_recording_counts_toward_the_limit_at_once(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.telephony.set_gate(TENANT, CallGate(max_recording_mb=1))
    world.telephony.set_recording_usage({TENANT: MB - 1})
    world.login("a1", "1001")
    first, _ = await world.answered("1001")
    assert first.call.recording is not None  # below the limit: recorded
    hang_up(first)
    await until(lambda: world.telephony.recording_bytes[TENANT] > MB - 1)
    await until(lambda: first.ended.is_set())
    world.advance(60)  # past the wrap-up
    await until(lambda: world.state("a1") == "available")
    second, _ = await world.answered("1001")
    assert second.call.recording is None
    assert len(world.of("recording.skipped")) == 1


async def test_a_purged_center_leaves_the_runtime(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    router = Router(TenantId("t2"), world.sink, settings=RouterSettings(tz=ZoneInfo("UTC")))
    runtime = world.telephony.add_tenant("t2", router)
    await world.telephony.start_tenant(runtime)
    world.telephony.set_gate("t2", CallGate(TenantStatus.DELETING))
    await world.telephony.remove_tenant("t2")
    assert "t2" not in world.telephony.tenants
    assert "t2" not in world.telephony.gates
    assert TENANT in world.telephony.tenants  # the others untouched
    await world.telephony.stop()


async def test_a_center_another_node_owns_is_refused_and_one_lost_is_stood_down(
    tmp_path: Path,
) -> None:
    """Across nodes (ADR 0209): a call for a center this node does not own gets 503 for the
    proxy to try the next node; when the node loses a center, the calls it still carries for it
    end as interrupted; gained again, the center is served again."""
    world = await make_world(tmp_path)
    owned = {TENANT}
    world.telephony.owns = lambda tenant_id: tenant_id in owned
    live = await world.call(number="13800000001")
    owned.clear()
    refused = FakeInvite(did="4001", call_id="elsewhere")
    await world.telephony.on_incoming(refused)
    assert refused.rejected == (503, 41)
    await world.telephony.stand_down(TENANT)
    await until(lambda: live.ended.is_set())
    assert not list(world.desk.center.registry)
    ended = [e for e in world.of("interaction.ended") if e.interaction_id == live.interaction_id]
    assert [e.reason for e in ended] == ["interrupted"]  # type: ignore[attr-defined]
    owned.add(TENANT)
    await world.telephony.take_over(TENANT)
    again = await world.call(number="13800000002")
    assert again.customer is not None
    assert not again.ended.is_set()
