"""The test console walks a flow through the one interpreter: typed keys in, what the caller
hears out, stopping where the flow waits for an answer it was not given."""

from __future__ import annotations

from pathlib import Path

from hotline.flows.console import HANG_UP, walk
from hotline.flows.interpreter import Program
from hotline.flows.loader import parse_flow, read_flow_file

MAIN = Path(__file__).parents[3] / "examples" / "flows" / "main.yaml"
TUESDAY_10_SHANGHAI = 1796608800.0  # 2026-12-08 10:00 +08:00, inside the demo's hours


def program() -> Program:
    return Program(parse_flow(read_flow_file(MAIN)))


def said(result_lines: list[dict[str, object]]) -> list[object]:
    return [line["text"] for line in result_lines if line["kind"] == "say"]


def test_it_stops_at_the_first_answer_it_needs() -> None:
    result = walk(program(), [], now=TUESDAY_10_SHANGHAI).as_dict()
    assert result["awaiting"] == "lookup"
    assert result["choices"] == ["found", "not_found", "failed", HANG_UP]
    assert result["used"] == 0


def test_keys_lead_through_the_menu_to_the_queue_the_caller_would_reach() -> None:
    result = walk(program(), ["not_found", "2"], now=TUESDAY_10_SHANGHAI).as_dict()
    assert said(result["lines"]) == [
        "欢迎致电 Hotline 客服中心。",
        "售前咨询请按1，售后服务请按2，人工服务请按0。",
        "For English, press 9.",
    ]
    queued = [line for line in result["lines"] if line["kind"] == "queue"]
    assert queued[0]["detail"]["queue"] == "support"
    assert result["awaiting"] == "queue"


def test_english_is_heard_in_english() -> None:
    result = walk(program(), ["not_found", "9"], now=TUESDAY_10_SHANGHAI).as_dict()
    assert said(result["lines"])[-1].startswith("For sales, press 1.")
    assert result["lines"][-1]["language"] == "en"


def test_a_whole_call_ends_with_the_survey() -> None:
    answers = ["not_found", "1", "answered", "agent_left", "5"]
    result = walk(program(), answers, now=TUESDAY_10_SHANGHAI).as_dict()
    assert result["ended"] == "hangup"
    assert result["awaiting"] is None
    assert said(result["lines"])[-1] == "感谢您的评价，再见。"
    assert result["used"] == len(answers)


def test_nobody_answering_in_time_leads_to_voicemail() -> None:
    result = walk(program(), ["not_found", "2", "no_answer"], now=TUESDAY_10_SHANGHAI).as_dict()
    assert result["node"] == "voicemail_support"
    assert result["awaiting"] == "recording"
    assert "no_answer" in walk(program(), ["not_found", "2"], now=TUESDAY_10_SHANGHAI).choices


def test_an_answer_that_does_not_fit_stops_there() -> None:
    result = walk(program(), ["not_found", "hello"], now=TUESDAY_10_SHANGHAI).as_dict()
    assert result["awaiting"] == "digits"
    assert result["used"] == 1
