"""The pure interpreter, step by step: no port, no clock, just inputs and `now`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hotline.flows.actions import (
    Collect,
    Enqueue,
    Hangup,
    LeaveQueue,
    Lookup,
    Play,
    RequestCallback,
    Transfer,
)
from hotline.flows.errors import FlowInvalid, FlowVersionConflict, UnexpectedInput
from hotline.flows.events import ExpressionFailed, FlowEnded, VariableSet
from hotline.flows.inputs import (
    AgentLeft,
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    HungUp,
    LookupCompleted,
    PlaybackDone,
    QueueOutcome,
    QueueResult,
    TransferOutcome,
)
from hotline.flows.interpreter import MAX_HOPS, Program, StepResult
from hotline.flows.loader import parse_flow
from hotline.flows.state import MASK, Awaiting, EndReason, FlowState

NOW = 1_795_400_000.0
BYE: dict[str, Any] = {"type": "hangup"}


def program(variables: dict[str, Any] | None = None, **nodes: dict[str, Any]) -> Program:
    data = {"name": "t", "start": next(iter(nodes)), "nodes": nodes, "variables": variables or {}}
    return Program(parse_flow(data), version=2, content_hash="abc")


def begin(p: Program, **variables: Any) -> StepResult:
    return p.start(tenant_id="t1", now=NOW, variables=variables, interaction_id="i-1")


def test_state_round_trips_through_json() -> None:
    p = program(
        m={"type": "menu", "prompt": "选", "options": {"1": "c"}},
        c={"type": "collect", "prompt": "PIN", "variable": "pin", "sensitive": True, "next": "q"},
        q={"type": "queue", "queue": "sales"},
    )
    r = begin(p, **{"caller.number": "1001"})
    r = p.step(r.state, DigitsCollected("1"), NOW + 2)
    r = p.step(r.state, DigitsCollected("4321"), NOW + 9)
    state = r.state
    assert FlowState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    assert state.to_dict(redact=True)["variables"]["pin"] == MASK
    assert state.summary()["entries"] == [
        {"node": "m", "keys": "1"},
        {"node": "c", "keys": MASK},
    ]
    assert state.summary()["variables"]["pin"] == MASK
    assert state.variables["pin"] == "4321"  # the flow itself can still use it
    assert [e.value for e in r.events if isinstance(e, VariableSet) and e.name == "pin"] == [MASK]


def test_inputs_must_answer_what_the_flow_waits_for() -> None:
    p = program(a={"type": "play", "prompt": "hi", "next": "b"}, b=BYE)
    r = begin(p)
    assert r.state.awaiting is Awaiting.PLAYBACK
    with pytest.raises(UnexpectedInput) as info:
        p.step(r.state, DigitsCollected("1"), NOW)
    assert info.value.code == "flow.input.unexpected"
    done = p.step(r.state, PlaybackDone(), NOW)
    assert done.ended
    assert done.actions == (Hangup("normal"),)
    assert done.waiting_on is None
    with pytest.raises(UnexpectedInput):
        p.step(done.state, PlaybackDone(), NOW)


def test_a_call_keeps_its_version() -> None:
    p = program(a={"type": "play", "prompt": "hi", "next": "b"}, b=BYE)
    r = begin(p)
    newer = Program(p.flow, version=3, content_hash="def")
    with pytest.raises(FlowVersionConflict):
        newer.step(r.state, PlaybackDone(), NOW)


def test_programs_refuse_invalid_flows() -> None:
    with pytest.raises(FlowInvalid):
        program(a={"type": "play", "prompt": "hi", "next": "nowhere"})


def test_a_long_chain_without_waiting_is_stopped() -> None:
    nodes = {
        f"s{i}": {"type": "set", "assign": {"x": str(i)}, "next": f"s{i + 1}"}
        for i in range(MAX_HOPS + 5)
    }
    nodes[f"s{MAX_HOPS + 5}"] = BYE
    r = begin(program(**nodes))
    assert r.state.ended is EndReason.ERROR
    assert r.actions == (Hangup("unavailable"),)
    assert "without waiting" in r.events[-1].payload()["detail"]


def test_caller_hang_up_ends_the_flow_at_any_point() -> None:
    p = program(a={"type": "play", "prompt": "hi", "next": "b"}, b=BYE)
    r = p.step(begin(p).state, HungUp(), NOW + 1)
    assert r.state.ended is EndReason.CALLER_HUNG_UP
    assert r.actions == ()
    ended = r.events[-1]
    assert isinstance(ended, FlowEnded)
    assert (ended.node, ended.reason) == ("a", "caller_hung_up")


def test_dial_ahead_keys_carry_to_the_next_menu() -> None:
    p = program(
        a={"type": "play", "prompt": "hi", "interruptible": True, "next": "m1"},
        m1={"type": "menu", "prompt": "1", "options": {"2": "m2"}},
        m2={"type": "menu", "prompt": "2", "options": {"1": "end"}},
        end=BYE,
    )
    r = p.step(begin(p).state, PlaybackDone(interrupted_by="21"), NOW)
    assert r.state.ended is EndReason.HANGUP
    assert r.state.path == ("a", "m1", "m2", "end")


def test_collect_uses_typed_ahead_keys_and_accepts_a_complete_entry_on_timeout() -> None:
    p = program(
        a={"type": "play", "prompt": "hi", "interruptible": True, "next": "c"},
        c={
            "type": "collect",
            "prompt": "号码",
            "variable": "n",
            "min_digits": 4,
            "max_digits": 8,
            "pattern": "[0-9]+",
            "next": "end",
        },
        end=BYE,
    )
    r = p.step(begin(p).state, PlaybackDone(interrupted_by="12"), NOW)
    collect = r.waiting_on
    assert isinstance(collect, Collect)
    assert (collect.prefix, collect.terminator, collect.min_digits) == ("12", "#", 4)
    r = p.step(r.state, CollectTimedOut("123456"), NOW + 5)
    assert r.state.variables["n"] == "123456"
    # With the terminator typed ahead, no Collect is needed at all.
    r = p.step(begin(p).state, PlaybackDone(interrupted_by="5678#"), NOW)
    assert r.state.variables["n"] == "5678"


def test_collect_retries_invalid_entries_then_fails() -> None:
    p = program(
        c={
            "type": "collect",
            "prompt": "号码",
            "variable": "n",
            "min_digits": 3,
            "max_digits": 3,
            "retries": 1,
            "invalid_prompt": "错误",
            "on_failure": "end",
            "next": "end",
        },
        end={"type": "hangup", "cause": "rejected"},
    )
    r = p.step(begin(p).state, DigitsCollected("12#"), NOW)
    retry = r.waiting_on
    assert isinstance(retry, Collect)
    assert [x.text for x in retry.prompts] == ["错误", "号码"]
    assert r.state.attempt == 1
    r = p.step(r.state, CollectTimedOut(""), NOW)
    assert r.state.ended is EndReason.HANGUP
    assert r.actions == (Hangup("rejected"),)
    assert "n" not in r.state.variables


def test_failing_expressions_are_reported_and_skipped() -> None:
    flow = parse_flow(
        {
            "name": "t",
            "start": "s",
            "variables": {"zero": {"type": "integer", "default": 0}},
            "nodes": {
                "s": {
                    "type": "set",
                    "next": "c",
                    "assign": {"x": "10 / zero", "language": "'fr'", "z": "'ok'"},
                },
                "c": {
                    "type": "condition",
                    "otherwise": "end",
                    "branches": [{"when": "number(z) > 1", "next": "end"}],
                },
                "end": BYE,
            },
        }
    )
    r = Program(flow).start(tenant_id="t", now=NOW)
    failed = [(e.node, e.field) for e in r.events if isinstance(e, ExpressionFailed)]
    assert failed == [("s", "assign.x"), ("s", "assign.language"), ("c", "branches.0.when")]
    assert r.state.variables["z"] == "ok"
    assert "x" not in r.state.variables
    assert r.state.variables["language"] == "zh-CN"


def test_lookup_sends_the_key_and_params_and_keeps_clean_data() -> None:
    p = program(
        l={
            "type": "lookup",
            "source": "webhook",
            "url": "https://crm.example.com/find",
            "key": "digits(caller.number)",
            "params": {"did": "dialed.number"},
            "store_as": "crm",
            "found": "end",
            "not_found": "end",
        },
        end=BYE,
    )
    r = begin(p, **{"caller.number": "+86 138", "dialed.number": "4001"})
    assert r.waiting_on == Lookup(
        "webhook", "86138", 3.0, "https://crm.example.com/find", {"did": "4001"}
    )
    data = {"level": 2, "bad name": 1, "nested": {"no": 1}, "found": "spoof"}
    r = p.step(r.state, LookupCompleted(True, data), NOW)  # type: ignore[arg-type]
    found = {k: v for k, v in r.state.variables.items() if k.startswith("crm.")}
    assert found == {"crm.found": True, "crm.level": 2}


def test_queue_priority_is_clamped_and_a_new_wait_after_a_timeout_starts_anew() -> None:
    p = program(
        {"level": {"type": "integer"}},
        q={"type": "queue", "queue": "sales", "priority": "level * 100", "no_answer": "m"},
        m={"type": "menu", "prompt": "再等请按1", "options": {"1": "q"}},
    )
    r = begin(p, level=5)
    first = r.waiting_on
    assert isinstance(first, Enqueue)
    assert (first.priority, first.entered_at, first.offer_callback) == (100, NOW, False)
    r = p.step(r.state, QueueOutcome(QueueResult.TIMEOUT), NOW + 60)
    assert r.state.variables["queue.waiting"] is False
    r = p.step(r.state, DigitsCollected("1"), NOW + 65)
    again = r.waiting_on
    assert isinstance(again, Enqueue)
    assert again.entered_at == NOW + 65  # the router let go of the caller: a new wait
    r = p.step(r.state, QueueOutcome(QueueResult.ANSWERED, "a-1"), NOW + 70)
    assert r.state.variables["queue.wait"] == 5.0
    r = p.step(r.state, AgentLeft(), NOW + 200)
    assert r.actions == (Hangup("normal"),)


CALLBACK = {
    "type": "callback",
    "queue": "sales",
    "prompt": "回电请按1，继续等待请按2",
    "confirm_prompt": "回拨 {callback.number:digits}，确认请按1",
    "number_prompt": "请输入号码",
    "accepted": "thanks",
    "declined": "q",
    "failed": "vm",
}


def callback_program(declined: str = "q") -> Program:
    return program(
        q={"type": "queue", "queue": "sales", "callback": "cb", "no_answer": "vm"},
        cb={**CALLBACK, "declined": declined},
        thanks={"type": "hangup", "prompt": "谢谢"},
        vm={"type": "voicemail"},
    )


def test_a_callback_offer_keeps_the_caller_in_line() -> None:
    p = callback_program()
    r = begin(p, **{"caller.number": "13800138000"})
    r = p.step(r.state, QueueOutcome(QueueResult.CALLBACK_OFFERED), NOW + 30)
    assert r.state.node == "cb"
    assert r.state.variables["queue.waiting"] is True
    r = p.step(r.state, DigitsCollected("2"), NOW + 35)  # declined: back to waiting
    back = r.waiting_on
    assert isinstance(back, Enqueue)
    assert back.entered_at == NOW
    assert not any(isinstance(a, LeaveQueue) for a in r.actions)
    # An agent answers while the next offer plays: the flow returns to the queue node.
    r = p.step(r.state, QueueOutcome(QueueResult.CALLBACK_OFFERED), NOW + 90)
    assert isinstance(r.waiting_on, Collect)
    r = p.step(r.state, QueueOutcome(QueueResult.ANSWERED, "a-9"), NOW + 92)
    assert (r.state.node, r.state.phase, r.state.awaiting) == (
        "q",
        "connected",
        Awaiting.AGENT_LEFT,
    )
    assert r.state.path[-2:] == ("cb", "q")
    assert r.state.variables["queue.wait"] == 92.0


def test_moving_on_from_a_callback_offer_leaves_the_line() -> None:
    p = callback_program(declined="vm")
    r = begin(p, **{"caller.number": "13800138000"})
    r = p.step(r.state, QueueOutcome(QueueResult.CALLBACK_OFFERED), NOW + 30)
    r = p.step(r.state, DigitsCollected("2"), NOW + 35)
    assert isinstance(r.actions[0], LeaveQueue)
    assert r.actions[0].queue == "sales"
    assert r.state.variables["queue.waiting"] is False
    with pytest.raises(UnexpectedInput):  # no longer in line: queue news is a driver bug
        p.step(r.state, QueueOutcome(QueueResult.ANSWERED, "a-1"), NOW + 40)


def test_going_from_one_line_into_another_leaves_the_first() -> None:
    p = program(
        q={"type": "queue", "queue": "sales", "callback": "cb", "no_answer": "vm"},
        cb={**CALLBACK, "declined": "q2"},
        q2={"type": "queue", "queue": "support"},
        thanks={"type": "hangup"},
        vm={"type": "voicemail"},
    )
    r = begin(p, **{"caller.number": "13800138000"})
    r = p.step(r.state, QueueOutcome(QueueResult.CALLBACK_OFFERED), NOW + 30)
    r = p.step(r.state, DigitsCollected("2"), NOW + 35)
    leave, enqueue = r.actions
    assert leave == LeaveQueue("sales")
    assert isinstance(enqueue, Enqueue)
    assert (enqueue.queue, enqueue.entered_at) == ("support", NOW + 35)
    assert r.state.variables["queue.waiting"] is True


def test_a_caller_who_hangs_up_in_line_is_not_withdrawn_by_the_flow() -> None:
    p = callback_program()
    r = begin(p, **{"caller.number": "13800138000"})
    r = p.step(r.state, QueueOutcome(QueueResult.CALLBACK_OFFERED), NOW + 30)
    r = p.step(r.state, HungUp(), NOW + 31)
    assert r.actions == ()  # interactions/ reports the abandon


def test_a_booked_callback_lets_the_caller_go() -> None:
    p = callback_program()
    r = begin(p, **{"caller.number": "13800138000"})
    r = p.step(r.state, QueueOutcome(QueueResult.CALLBACK_OFFERED), NOW + 30)
    r = p.step(r.state, DigitsCollected("1"), NOW + 33)
    confirm = r.waiting_on
    assert isinstance(confirm, Collect)
    assert confirm.prompts[0].text == "回拨 1 3 8 0 0 1 3 8 0 0 0，确认请按1"
    r = p.step(r.state, DigitsCollected("1"), NOW + 36)
    assert r.waiting_on == RequestCallback("sales", "13800138000", NOW)
    r = p.step(r.state, CallbackOutcome(True), NOW + 37)
    assert r.state.variables["queue.waiting"] is False
    r = p.step(r.state, PlaybackDone(), NOW + 40)
    assert r.actions == (Hangup("normal"),)  # no LeaveQueue: the router keeps the callback


def test_transfers_end_the_flow_or_fall_back() -> None:
    p = program(
        t={
            "type": "transfer",
            "to": "number",
            "target": "0{caller.number}",
            "trunk": "pstn",
            "prompt": "正在为您转接",
            "on_failure": "end",
        },
        end=BYE,
    )
    r = begin(p, **{"caller.number": "1001"})
    transfer = r.waiting_on
    assert isinstance(transfer, Transfer)
    assert (transfer.target, transfer.trunk, transfer.prompts[0].text) == (
        "01001",
        "pstn",
        "正在为您转接",
    )
    ok = p.step(r.state, TransferOutcome(True), NOW)
    assert (ok.state.ended, ok.actions) == (EndReason.TRANSFERRED, ())
    failed = p.step(r.state, TransferOutcome(False, "busy"), NOW)
    assert failed.state.variables["transfer.outcome"] == "busy"
    assert failed.state.ended is EndReason.HANGUP


def test_survey_gives_up_quietly() -> None:
    p = program(
        s={"type": "survey", "prompt": "评分", "retries": 1, "next": "end"},
        end={"type": "play", "prompt": "再见", "next": "x"},
        x=BYE,
    )
    r = p.step(begin(p).state, DigitsCollected("9"), NOW)
    assert isinstance(r.waiting_on, Collect)
    r = p.step(r.state, CollectTimedOut(), NOW)
    assert "survey.rating" not in r.state.variables
    assert isinstance(r.waiting_on, Play)
