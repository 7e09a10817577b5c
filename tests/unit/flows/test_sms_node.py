"""The `sms` node on the pure interpreter: the overflow step asks for a text with the
caller's number, the template and its values in the caller's language, tells the caller,
and goes on; a number it cannot work out sends nothing."""

from __future__ import annotations

from typing import Any

from hotline.flows.actions import Play
from hotline.flows.events import SmsWanted
from hotline.flows.inputs import PlaybackDone
from hotline.flows.interpreter import Program, StepResult
from hotline.flows.loader import parse_flow
from hotline.flows.validate import check_flow

NOW = 1_795_400_000.0
BYE: dict[str, Any] = {"type": "hangup"}
TEXT_LINK: dict[str, Any] = {
    "type": "sms",
    "template": "self_service",
    "values": {"link": "'https://help.example/s/' + caller.number"},
    "prompt": "我们已将自助服务链接发送到您的手机。",
    "next": "bye",
}


def program(**nodes: dict[str, Any]) -> Program:
    data = {"name": "t", "language": "zh-CN", "languages": ["zh-CN", "en"],
            "start": next(iter(nodes)), "nodes": nodes}  # fmt: skip
    return Program(parse_flow(data), version=1, content_hash="h")


def begin(p: Program, **variables: Any) -> StepResult:
    given = {"caller.number": "13900139077", **variables}
    return p.start(tenant_id="t1", now=NOW, variables=given, interaction_id="i-1")


def test_the_overflow_step_asks_for_a_text_and_tells_the_caller() -> None:
    p = program(text=TEXT_LINK, bye=BYE)
    result = begin(p)
    wanted = [e for e in result.events if isinstance(e, SmsWanted)]
    assert len(wanted) == 1
    assert (wanted[0].to, wanted[0].template, wanted[0].language) == (
        "13900139077", "self_service", "zh-CN",
    )  # fmt: skip
    assert wanted[0].values == {"link": "https://help.example/s/13900139077"}
    assert wanted[0].interaction_id == "i-1"
    assert isinstance(result.waiting_on, Play)
    result = p.step(result.state, PlaybackDone(), NOW + 3)
    assert result.state.node == "bye"


def test_without_a_prompt_it_goes_on_at_once_and_without_a_number_it_sends_nothing() -> None:
    quiet = {k: v for k, v in TEXT_LINK.items() if k != "prompt"}
    result = begin(program(text=quiet, bye=BYE))
    assert any(isinstance(e, SmsWanted) for e in result.events)
    assert result.state.node == "bye"
    result = begin(program(text=quiet, bye=BYE), **{"caller.number": ""})
    assert not any(isinstance(e, SmsWanted) for e in result.events)
    assert result.state.node == "bye"


def test_the_node_validates_in_a_flow() -> None:
    check = check_flow({"name": "t", "language": "zh-CN", "start": "text",
                        "nodes": {"text": TEXT_LINK, "bye": BYE}})  # fmt: skip
    assert check.ok, check.issues
    bad = {**TEXT_LINK, "values": {"link": "no_such_variable + 1"}}
    check = check_flow({"name": "t", "start": "text", "nodes": {"text": bad, "bye": BYE}})
    assert not check.ok
