"""Supervision on fakes: a supervisor on a browser phone listens, whispers, barges (one seat in
the call's conference, modes switched in place), stays through hold and resume, stops; the
agent's hang-up ends it without handing the customer to the supervisor; a supervisor on a SIP
phone is seated when it answers; the refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.calls import Leg, LegRole
from hotline.ids import AgentId
from hotline.interactions import (
    NothingToDo,
    NotSupervising,
    PhoneNotConnected,
    SupervisionChanged,
    SupervisionStarted,
    SupervisionStopped,
)
from hotline.interactions.voice import (
    BrowserPhone,
    MonitorMode,
    SipPhone,
    supervisor_key,
)
from hotline.media.backend import ConferenceMode
from tests.unit.interactions.browsers import with_browsers
from tests.unit.interactions.harness import agent_leg, make_world, until
from tests.unit.interactions.test_transfers import connected

A1 = AgentId("a1")
BOSS = "u-boss"


def supervisor_leg(legs: list[Leg]) -> Leg:
    [leg] = [leg for leg in legs if leg.role is LegRole.SUPERVISOR and leg.is_live]
    return leg


async def test_listen_whisper_barge_hold_and_stop_from_a_browser(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    interaction, _ = await connected(world)
    browsers = with_browsers(world)
    key = supervisor_key(BOSS)
    endpoint = await browsers.connect(key)
    customer = interaction.customer
    assert customer is not None
    agent = agent_leg(interaction)

    monitor = await world.desk.monitor(BOSS, A1, MonitorMode.LISTEN, BrowserPhone(key))
    assert monitor.state == "active"
    conference = interaction.call.conference
    assert conference is not None
    media = world.media
    assert media.conferences[conference] == {customer.endpoint, agent.endpoint, endpoint}
    assert media.ep(endpoint).mode is ConferenceMode.LISTEN
    assert media.ep(customer.endpoint).mode is ConferenceMode.FULL
    assert media.ep(agent.endpoint).mode is ConferenceMode.FULL

    same = await world.desk.monitor(BOSS, A1, MonitorMode.WHISPER, BrowserPhone(key))
    assert same is monitor  # the same seat: nothing re-dialled
    assert media.ep(endpoint).mode is ConferenceMode.WHISPER
    await world.desk.monitor(BOSS, A1, MonitorMode.BARGE, BrowserPhone(key))
    assert media.ep(endpoint).mode is ConferenceMode.BARGE
    changes = [e for e in world.sink.events if isinstance(e, SupervisionChanged)]
    assert [(e.previous, e.mode) for e in changes] == [("listen", "whisper"), ("whisper", "barge")]

    # The agent's desk still says "connected" (a supervisor is not a three-way party).
    assert world.desk.desk_view(A1).current.phase == "connected"  # type: ignore[union-attr]
    await world.desk.hold(A1)
    assert customer.endpoint not in media.conferences[conference]  # music for the customer
    await world.desk.resume(A1)
    assert media.conferences[conference] == {customer.endpoint, agent.endpoint, endpoint}

    await world.desk.stop_monitoring(BOSS)
    assert not media.ep(endpoint).released  # the supervisor's session stays for the next one
    assert media.ep(endpoint).conference is None
    [started] = [e for e in world.sink.events if isinstance(e, SupervisionStarted)]
    assert (started.agent_id, started.supervisor_id, started.mode) == ("a1", BOSS, "listen")
    assert (started.phone_kind, started.interaction_id) == ("browser", interaction.interaction_id)
    [stopped] = [e for e in world.sink.events if isinstance(e, SupervisionStopped)]
    assert stopped.reason == "stopped"
    with pytest.raises(NotSupervising):
        await world.desk.stop_monitoring(BOSS)


async def test_the_agent_hanging_up_ends_the_supervision(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    interaction, _ = await connected(world)
    browsers = with_browsers(world)
    key = supervisor_key(BOSS)
    await browsers.connect(key)
    await world.desk.monitor(BOSS, A1, MonitorMode.LISTEN, BrowserPhone(key))
    await world.desk.hangup(A1)
    await world.heard(interaction, "请为本次服务评分")  # the customer goes on to the survey
    await until(lambda: not world.desk.voice.supervision.monitors)
    stopped = [e for e in world.sink.events if isinstance(e, SupervisionStopped)]
    assert [e.reason for e in stopped] == ["call_ended"]
    assert interaction.agent_leg is None  # the supervisor did not take the customer over


async def test_a_supervisor_on_a_sip_phone_and_the_refusals(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.login("a1", "1001")
    with pytest.raises(NothingToDo):  # a1 is not on a call
        await world.desk.monitor(BOSS, A1, MonitorMode.LISTEN, SipPhone("1009"))
    world.desk.logout(A1)
    interaction, _ = await connected(world)
    with_browsers(world)
    with pytest.raises(PhoneNotConnected):
        await world.desk.monitor(BOSS, A1, MonitorMode.LISTEN, BrowserPhone("nobody"))
    world.sip.registered.add("1009")
    monitor = await world.desk.monitor(BOSS, A1, MonitorMode.WHISPER, SipPhone("1009"))
    assert monitor.state == "ringing"
    phone = await world.ring("1009")
    assert phone.caller_id is not None
    assert phone.caller_id.number == "1001"
    phone.answer()
    await until(lambda: monitor.seated)
    leg = supervisor_leg(interaction.call.live_legs())
    assert world.media.ep(leg.endpoint).mode is ConferenceMode.WHISPER
    # Monitoring from another phone replaces the first seat.
    browsers = with_browsers(world)
    key = supervisor_key(BOSS)
    await browsers.connect(key)
    await world.desk.monitor(BOSS, A1, MonitorMode.LISTEN, BrowserPhone(key))
    assert not leg.is_live
    assert world.desk.monitor_of(BOSS) is not None
    assert world.desk.monitor_of(BOSS).phone == BrowserPhone(key)  # type: ignore[union-attr]
