"""Arrival, start-up and shut-down on fakes: unknown numbers, early media, reconciling after a
crash (open interactions closed as interrupted, agents' presence and phones), draining; and the
announcement texts and flow skills."""

from __future__ import annotations

from pathlib import Path

from hotline.flows.skills import parse_skills
from hotline.ids import AgentId, InteractionId
from hotline.interactions import (
    AgentSessionFacts,
    ContactState,
    DidRoute,
    InMemoryStartupFacts,
    InteractionEnded,
    OpenInteraction,
)
from hotline.interactions.voice.announce import en_number, position_text
from hotline.interactions.voice.ports import InMemoryDialogFacts, OpenDialog
from hotline.routing import AgentState
from tests.unit.calls.fakes import FakeInvite
from tests.unit.interactions.harness import make_world, until


async def test_unknown_numbers_are_refused_with_a_cause(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    invite = FakeInvite(did="4999")
    await world.telephony.on_incoming(invite)
    assert invite.rejected == (404, 1)
    world.telephony.started = False  # not reconciled yet
    early = FakeInvite(did="4001")
    await world.telephony.on_incoming(early)
    assert early.rejected == (503, 41)
    world.telephony.started = True
    world.telephony.draining = True
    busy = FakeInvite(did="4001")
    await world.telephony.on_incoming(busy)
    assert busy.rejected == (503, 41)


async def test_early_media_answers_only_when_input_is_needed(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.telephony.dids.add("4002", DidRoute("t1", flow="main", early_media=True))  # type: ignore[attr-defined]
    interaction = await world.call(did="4002")
    await world.heard(interaction, "欢迎致电")
    invite = interaction.customer.invite  # type: ignore[union-attr]
    assert isinstance(invite, FakeInvite)
    await until(lambda: 200 in invite.responses)
    assert invite.responses[:3] == [180, 183, 200]  # greeting on early media, menu answered


async def test_start_up_closes_what_a_crash_left_open_and_reconciles(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    facts = InMemoryStartupFacts()
    facts.interactions["t1"] = [
        OpenInteraction(InteractionId(f"i{n}"), created_at=world.clock.now() - 60) for n in range(3)
    ]
    facts.agents["t1"] = [
        AgentSessionFacts(AgentId("a1"), AgentState.AVAILABLE, None, "sip", "1001"),
        AgentSessionFacts(AgentId("a2"), AgentState.AVAILABLE, None, "sip", "1002"),
    ]
    world.sip.registered.add("1001")  # a2's phone did not come back
    world.telephony.startup = facts
    await world.telephony.start()
    try:
        assert world.telephony.interrupted_at_start == 3
        ended = [e for e in world.sink.events if isinstance(e, InteractionEnded)]
        assert [(e.interaction_id, e.reason) for e in ended] == [
            ("i0", "interrupted"),
            ("i1", "interrupted"),
            ("i2", "interrupted"),
        ]
        assert world.state("a1") == "available"
        assert world.state("a2") == "not_ready"
        assert world.state("a3") == "logged_out"
        assert set(world.desk.voice.devices.phones) == {"a1", "a2"}
        world.sip.registered.add("1002")  # a2's phone re-registers within the grace period
        world.desk.check_phones()
        assert world.state("a2") == "available"
    finally:
        await world.telephony.stop()


async def test_start_up_ends_the_sip_dialogs_a_crash_left_up(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    now = world.clock.now()
    world.telephony.dialogs = InMemoryDialogFacts(
        {
            "t1": [
                OpenDialog("leg-c", "call-1", "i1", "customer", now - 30, now - 40, {"n": 1}),
                OpenDialog("leg-a", "call-1", "i1", "agent", now - 20, now - 25, {"n": 2}),
            ]
        }
    )
    await world.telephony.start()
    try:
        await until(lambda: len(world.sip.ended_dialogs) == 2)
        assert [(snap, cause) for snap, cause in world.sip.ended_dialogs] == [
            ({"n": 1}, 41),
            ({"n": 2}, 41),
        ]
        legs = world.of("leg.ended")
        assert [(e.leg_id, e.cause, e.talk_s) for e in legs] == [  # type: ignore[attr-defined]
            ("leg-c", "interrupted", 30.0),
            ("leg-a", "interrupted", 20.0),
        ]
        (call,) = world.of("call.ended")
        assert (call.call_id, call.interaction_id, call.duration_s) == ("call-1", "i1", 40.0)  # type: ignore[attr-defined]
        assert world.telephony.dialogs_ended_at_start == 2
    finally:
        await world.telephony.stop()


async def test_drain_interrupts_what_is_left(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    world.login("a1", "1001", ready=False)
    interaction = await world.call()
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")
    await until(lambda: interaction.state is ContactState.QUEUED)
    await world.telephony.drain(0.05)
    assert interaction.ended.is_set()
    ended = world.of("interaction.ended")[-1]
    assert isinstance(ended, InteractionEnded)
    assert (ended.reason, ended.cause) == ("interrupted", "interrupted")
    assert "queue.exited" in world.types()
    assert world.telephony.live_interactions == 0


def test_position_and_wait_are_read_as_glossary_says() -> None:
    assert position_text("zh-CN", 4, 100, say_position=True, say_ewt=True) == (
        "您前面还有3位，预计等待2分钟。"
    )
    assert position_text("zh-CN", 13, 30, say_position=True, say_ewt=True) == (
        "您前面还有1 2位，预计等待不到1分钟。"
    )
    assert position_text("zh-CN", 1, None, say_position=True, say_ewt=True) == "您是下一位。"
    assert position_text("en", 4, 100, say_position=True, say_ewt=True) == (
        "There are three callers ahead of you. Your expected wait is about two minutes."
    )
    assert position_text("en", 2, 61, say_position=False, say_ewt=True) == (
        "Your expected wait is about two minutes."
    )
    assert en_number(121) == "one hundred and twenty-one"
    assert parse_skills(["售后", "english>=5", "english>=3"]) == {"售后": 1, "english": 5}
