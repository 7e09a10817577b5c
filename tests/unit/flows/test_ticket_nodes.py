"""The ticket nodes on the pure interpreter and through `run_flow` with a scripted port: a
ticket opened and its number read digit by digit in the caller's language; the self-service
status path with its not-found, invalid and error exits."""

from __future__ import annotations

from typing import Any

from hotline.clock import FakeClock
from hotline.events import ListSink
from hotline.flows.actions import Collect, FindTicket, Hangup, OpenTicket, Play
from hotline.flows.driver import run_flow
from hotline.flows.errors import PortUnsupported
from hotline.flows.events import FlowEnded, NodeEntered, PromptSpoken
from hotline.flows.inputs import (
    DigitsCollected,
    PlaybackDone,
    TicketFailed,
    TicketFound,
    TicketOpened,
)
from hotline.flows.interpreter import Program, StepResult
from hotline.flows.loader import parse_flow
from hotline.flows.state import EndReason
from hotline.flows.validate import check_flow

from .fakes import Played, ScriptedPort

NOW = 1_795_400_000.0
BYE: dict[str, Any] = {"type": "hangup"}
OPENED = TicketOpened("t-1", 10001, "open", "处理中")


def program(language: str = "zh-CN", **nodes: dict[str, Any]) -> Program:
    data = {
        "name": "t",
        "language": language,
        "languages": ["zh-CN", "en"],
        "start": next(iter(nodes)),
        "nodes": nodes,
    }
    return Program(parse_flow(data), version=1, content_hash="h")


def begin(p: Program, **variables: Any) -> StepResult:
    given = {"caller.number": "13900139077", **variables}
    return p.start(tenant_id="t1", now=NOW, variables=given, interaction_id="i-1")


TICKET = {
    "type": "ticket",
    "department": "售后部",
    "category": "repair",
    "priority": "high",
    "subject": "语音报修 {caller.number}",
    "description": "来电 {caller.number} 在语音导航中报修",
    "next": "bye",
    "error": "sorry",
}


def test_a_ticket_is_opened_with_the_nodes_config_and_its_number_is_read_digit_by_digit() -> None:
    p = program(open=TICKET, bye=BYE, sorry=BYE)
    result = begin(p)
    request = result.waiting_on
    assert request == OpenTicket(
        department="售后部",
        subject="语音报修 13900139077",
        description="来电 13900139077 在语音导航中报修",
        priority="high",
        category="repair",
        language="zh-CN",
    )
    result = p.step(result.state, OPENED, NOW + 1)
    play = result.waiting_on
    assert isinstance(play, Play)
    (text,) = [ref.text for ref in play.prompts]
    assert text is not None
    assert "工单号为 1 0 0 0 1。" in text
    assert text.count("1 0 0 0 1") == 2  # said twice: the caller writes it down the second time
    spoken = [e for e in result.events if isinstance(e, PromptSpoken)]
    assert [(e.node, e.language, e.text) for e in spoken] == [("open", "zh-CN", text)]
    variables = result.state.variables
    assert variables["ticket.number"] == "10001"
    assert (variables["ticket.id"], variables["ticket.status"]) == ("t-1", "open")
    result = p.step(result.state, PlaybackDone(), NOW + 9)
    assert result.state.node == "bye"


def test_an_english_caller_hears_the_number_in_english() -> None:
    p = program(start={"type": "set", "assign": {"language": "'en'"}, "next": "open"},
                open=TICKET, bye=BYE, sorry=BYE)  # fmt: skip
    result = begin(p)
    assert isinstance(result.waiting_on, OpenTicket)
    assert result.waiting_on.language == "en"
    result = p.step(result.state, TicketOpened("t-1", 20315, "new", "received"), NOW)
    play = result.waiting_on
    assert isinstance(play, Play)
    assert play.prompts[0].language == "en"
    assert "Your ticket number is 2 0 3 1 5." in (play.prompts[0].text or "")


def test_the_flows_own_prompt_replaces_the_built_in_one() -> None:
    node = {**TICKET, "prompt": {"tts": {"zh-CN": "工单号 {ticket.number:digits}", "en": "No."}}}
    p = program(open=node, bye=BYE, sorry=BYE)
    result = p.step(begin(p).state, OPENED, NOW)
    assert isinstance(result.waiting_on, Play)
    assert [r.text for r in result.waiting_on.prompts] == ["工单号 1 0 0 0 1"]


def test_a_refused_ticket_takes_the_error_exit_and_says_why() -> None:
    p = program(open=TICKET, bye=BYE, sorry=BYE)
    result = p.step(begin(p).state, TicketFailed("ticket.department.unknown"), NOW)
    assert result.state.node == "sorry"
    assert result.state.variables["ticket.error"] == "ticket.department.unknown"
    assert not [e for e in result.events if isinstance(e, PromptSpoken)]


def test_without_an_error_exit_a_refused_ticket_hangs_up() -> None:
    p = program(open={**TICKET, "error": None}, bye=BYE)
    result = p.step(begin(p).state, TicketFailed("timeout"), NOW)
    assert result.ended
    assert isinstance(result.actions[-1], Hangup)
    (ended,) = [e for e in result.events if isinstance(e, FlowEnded)]
    assert ended.detail == "ticket: timeout"


STATUS_FLOW: dict[str, dict[str, Any]] = {
    "ask": {
        "type": "collect",
        "prompt": "请输入工单号，以井号键结束。",
        "variable": "ticket_entry",
        "max_digits": 12,
        "next": "status",
        "on_failure": "bye",
    },
    "status": {
        "type": "ticket_status",
        "number": "ticket_entry",
        "found": "bye",
        "not_found": "unknown",
        "invalid": "unknown",
        "error": "bye",
    },
    "unknown": {"type": "play", "prompt": "没有找到这个工单号。", "next": "ask"},
    "bye": BYE,
}


def test_the_status_of_a_keyed_ticket_number_is_read_in_the_callers_language() -> None:
    p = program(**STATUS_FLOW)
    result = begin(p)
    assert isinstance(result.waiting_on, Collect)
    result = p.step(result.state, DigitsCollected("10001"), NOW)
    assert result.waiting_on == FindTicket(10001, "zh-CN")
    result = p.step(result.state, TicketFound(True, "t-1", 10001, "pending", "等待您的回复"), NOW)
    assert isinstance(result.waiting_on, Play)
    text = result.waiting_on.prompts[0].text
    assert text == "工单 1 0 0 0 1 的当前状态是：等待您的回复。"
    assert [e.text for e in result.events if isinstance(e, PromptSpoken)] == [text]
    result = p.step(result.state, PlaybackDone(), NOW)
    assert result.state.node == "bye"


def test_an_unknown_number_and_a_non_number_take_their_exits() -> None:
    p = program(**STATUS_FLOW)
    result = p.step(begin(p).state, DigitsCollected("99999"), NOW)
    result = p.step(result.state, TicketFound(False), NOW)
    assert result.state.node == "unknown"
    assert result.state.variables["ticket.error"] == "not_found"
    # A 0 first, too short: never a ticket number, the tickets are not even asked.
    for entry in ("01234", "123", "00000"):
        result = p.step(begin(p).state, DigitsCollected(entry), NOW)
        assert result.state.node == "unknown", entry
        assert not isinstance(result.waiting_on, FindTicket)
    result = p.step(begin(p).state, DigitsCollected("10001"), NOW)
    result = p.step(result.state, TicketFailed("timeout"), NOW)
    assert result.state.node == "bye"


def test_the_validator_knows_the_ticket_variables_and_checks_the_subject() -> None:
    flow = {"name": "t", "start": "open", "nodes": {"open": TICKET, "bye": BYE, "sorry": BYE}}
    assert check_flow(flow).ok
    bad = {**TICKET, "subject": "报修 {nobody.knows}"}
    check = check_flow({"name": "t", "start": "open", "nodes": {"open": bad, "bye": BYE,
                                                                 "sorry": BYE}})  # fmt: skip
    assert [(i.node, i.field) for i in check.issues] == [("open", "subject")]
    follow = {"type": "play", "prompt": "工单号 {ticket.number:digits}", "next": "bye"}
    later = {**TICKET, "next": "again"}
    nodes = {"open": later, "again": follow, "bye": BYE, "sorry": BYE}
    assert check_flow({"name": "t", "start": "open", "nodes": nodes}).ok


async def test_run_flow_asks_the_port_and_plays_the_number(clock: FakeClock) -> None:
    p = program(open=TICKET, bye={"type": "hangup", "prompt": "再见。"}, sorry=BYE)
    port = ScriptedPort(
        [("open_ticket", OPENED), ("play", ""), ("play", ""), ("hang_up", None)], clock=clock
    )
    sink = ListSink()
    state = await run_flow(p, port, {"caller.number": "13900139077"}, clock, sink=sink)
    port.assert_done()
    assert state.ended is EndReason.HANGUP
    played: Played = port.request("play")
    assert "1 0 0 0 1" in (played.texts[0] or "")
    assert [e.node for e in sink.of_type(NodeEntered)] == ["open", "bye"]
    assert sink.of_type(PromptSpoken)[0].text == played.texts[0]


class NoTickets(ScriptedPort):
    async def open_ticket(self, request: OpenTicket) -> TicketOpened | TicketFailed:
        raise PortUnsupported("no tickets on this channel")


async def test_a_port_that_cannot_open_tickets_takes_the_error_exit(clock: FakeClock) -> None:
    p = program(open=TICKET, bye=BYE, sorry={"type": "hangup", "prompt": "抱歉。"})
    port = NoTickets([("play", ""), ("hang_up", None)], clock=clock)
    sink = ListSink()
    state = await run_flow(p, port, {}, clock, sink=sink)
    port.assert_done()
    assert [e.node for e in sink.of_type(NodeEntered)] == ["open", "sorry"]
    assert state.variables["ticket.error"] == "no tickets on this channel"
