"""The `bot` node on the pure interpreter (ADR 0256): it asks with the node's thresholds, says
the bot's answer and "anything else?", keeps the offered choices and the failed turns in
variables, hands off (saying why) to its `hand_off` node, and takes `no_reply` on silence. Each
turn is a `flow.bot_turn` event."""

from __future__ import annotations

from typing import Any

from hotline.clock import FakeClock
from hotline.events import ListSink
from hotline.flows.actions import AskBot, Enqueue, Play
from hotline.flows.driver import run_flow
from hotline.flows.errors import PortUnsupported
from hotline.flows.events import BotHandedOff, BotTurn
from hotline.flows.inputs import (
    BotAnswered,
    CollectTimedOut,
    PlaybackDone,
    QueueOutcome,
    QueueResult,
)
from hotline.flows.interpreter import Program, StepResult
from hotline.flows.loader import parse_flow
from hotline.flows.state import EndReason

from .fakes import ScriptedPort

NOW = 1_795_400_000.0
BOT: dict[str, Any] = {
    "type": "bot",
    "prompt": {"tts": {"zh-CN": "请问有什么可以帮您？", "en": "How can I help?"}},
    "again": {"tts": {"zh-CN": "还有其他问题吗？", "en": "Anything else?"}},
    "answer_at": 0.6,
    "max_failed_turns": 3,
    "hand_off": "person",
}
PERSON: dict[str, Any] = {"type": "queue", "queue": "support"}


def program(**nodes: dict[str, Any]) -> Program:
    data = {"name": "t", "language": "zh-CN", "languages": ["zh-CN", "en"],
            "start": next(iter(nodes)), "nodes": nodes}  # fmt: skip
    return Program(parse_flow(data), version=1, content_hash="h")


def begin(p: Program, **variables: Any) -> StepResult:
    return p.start(tenant_id="t1", now=NOW, variables=variables, interaction_id="i-1")


def asked(result: StepResult) -> AskBot:
    action = result.waiting_on
    assert isinstance(action, AskBot), action
    return action


def test_it_answers_offers_and_keeps_the_conversation_in_variables() -> None:
    p = program(bot=BOT, person=PERSON)
    result = begin(p)
    first = asked(result)
    assert [r.text for r in first.prompts] == ["请问有什么可以帮您？"]
    assert (first.answer_at, first.max_failed_turns, first.failed_turns) == (0.6, 3, 0)
    result = p.step(
        result.state,
        BotAnswered("我想换个套餐", "offer", "1. 办理套餐变更", choices=("plan", "roam"),
                    confidence=0.42, failed_turns=0),
        NOW + 5,
    )  # fmt: skip
    second = asked(result)
    assert [r.text for r in second.prompts] == ["1. 办理套餐变更"]
    assert second.choices == ("plan", "roam")
    result = p.step(
        result.state,
        BotAnswered("1", "answer", "办理套餐变更\n在APP里改", article_id="plan",
                    title="办理套餐变更", confidence=1.0),
        NOW + 9,
    )  # fmt: skip
    third = asked(result)
    assert [r.text for r in third.prompts] == ["办理套餐变更\n在APP里改", "还有其他问题吗？"]
    assert third.choices == ()
    variables = result.state.variables
    assert (variables["bot.turns"], variables["bot.article"]) == (2, "plan")
    turns = [e for e in result.events if isinstance(e, BotTurn)]
    assert [(t.question, t.outcome, t.article_id) for t in turns] == [("1", "answer", "plan")]


def test_a_hand_off_says_why_then_goes_to_the_person_node() -> None:
    p = program(bot=BOT, person=PERSON)
    result = begin(p, language="en")
    assert [r.text for r in asked(result).prompts] == ["How can I help?"]
    result = p.step(
        result.state,
        BotAnswered("agent please", "hand_off", "Connecting you", reason="requested"),
        NOW + 4,
    )
    assert isinstance(result.waiting_on, Play)
    (handed,) = [e for e in result.events if isinstance(e, BotHandedOff)]
    assert (handed.reason, handed.turns) == ("requested", 1)
    result = p.step(result.state, PlaybackDone(), NOW + 5)
    assert isinstance(result.waiting_on, Enqueue)
    assert result.state.variables["bot.hand_off_reason"] == "requested"


def test_a_hand_off_without_words_goes_at_once_and_silence_ends_the_contact() -> None:
    p = program(bot=BOT, person=PERSON)
    result = begin(p)
    result = p.step(result.state, BotAnswered("", "hand_off", reason="unavailable"), NOW + 2)
    assert isinstance(result.waiting_on, Enqueue)
    result = p.step(begin(p).state, CollectTimedOut(), NOW + 300)
    assert result.state.ended is EndReason.HANGUP
    (turn,) = [e for e in result.events if isinstance(e, BotTurn)]
    assert turn.outcome == "no_reply"


def test_failed_turns_travel_with_the_next_question() -> None:
    p = program(bot=BOT, person=PERSON)
    result = begin(p)
    result = p.step(result.state, BotAnswered("嗯", "retry", "请换个说法", failed_turns=1), NOW + 3)
    again = asked(result)
    assert again.failed_turns == 1
    assert [r.text for r in again.prompts] == ["请换个说法"]


async def test_the_driver_reads_the_reply_asks_the_bot_and_says_its_answer() -> None:
    clock = FakeClock(NOW)
    p = program(bot=BOT, person=PERSON)
    answer = BotAnswered("卡丢了", "answer", "银行卡挂失\n请立即挂失", article_id="card-loss")
    port = ScriptedPort(
        [
            ("send", None),  # the greeting
            ("reply", "卡丢了"),
            ("bot", answer),
            ("send", None),  # the article
            ("send", None),  # "anything else?"
            ("reply", None),  # the visitor is gone quiet: no reply
            ("hang_up", None),
        ],
        clock=clock,
        channel="chat",
    )
    state = await run_flow(p, port, {}, clock)
    question, request = port.request("bot")
    assert (question, request.answer_at) == ("卡丢了", 0.6)
    assert port.request("send", 1) == "银行卡挂失\n请立即挂失"
    assert state.ended is EndReason.HANGUP
    port.assert_done()


async def test_a_call_without_a_recognizer_goes_to_a_person_at_once() -> None:
    clock = FakeClock(NOW)
    p = program(bot=BOT, person=PERSON)
    port = ScriptedPort(
        [
            ("play", ""),  # the greeting
            ("listen", PortUnsupported("no speech recognizer on this call")),
            ("enqueue", QueueOutcome(QueueResult.ANSWERED, "a1")),
            ("agent_left", None),
            ("hang_up", None),
        ],
        clock=clock,
    )
    sink = ListSink()
    await run_flow(p, port, {}, clock, sink=sink)
    (handed,) = [e for e in sink.events if isinstance(e, BotHandedOff)]
    assert handed.reason == "unavailable"
    port.assert_done()
