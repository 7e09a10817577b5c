"""Full runs of the demo flow `main` through `run_flow` and a scripted port."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.clock import FakeClock
from hotline.events import ListSink
from hotline.flows.actions import Collect, Enqueue, NotifyVoicemail, RecordVoicemail
from hotline.flows.driver import run_flow
from hotline.flows.errors import CallerHungUp
from hotline.flows.events import FlowEnded, NodeEntered, SurveyAnswered, VariableSet
from hotline.flows.inputs import (
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    LookupCompleted,
    LookupFailed,
    QueueOutcome,
    QueueResult,
    RecordingDone,
    TransferOutcome,
)
from hotline.flows.interpreter import Program
from hotline.flows.loader import parse_flow, read_flow_file
from hotline.flows.port import QueuePreempted
from hotline.flows.state import EndReason

from .fakes import Played, ScriptedPort

MAIN = Path(__file__).parents[3] / "examples" / "flows" / "main.yaml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
PROGRAM = Program(parse_flow(read_flow_file(MAIN)), version=1, content_hash="h1")
CALLER = {"caller.number": "13800138000", "dialed.number": "4001"}

NOT_FOUND = LookupCompleted(False)
VIP = LookupCompleted(True, {"vip_level": 4, "name": "王芳", "id": "c-1"})


def local(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


@pytest.fixture
def monday_morning(clock: FakeClock) -> FakeClock:
    clock.set(local("2026-11-23 10:00"))
    return clock


async def run(
    port: ScriptedPort, clock: FakeClock, sink: ListSink | None = None, **variables: object
) -> tuple[EndReason | None, ListSink]:
    sink = sink or ListSink()
    state = await run_flow(
        PROGRAM,
        port,
        {**CALLER, **variables},  # type: ignore[dict-item]
        clock,
        sink=sink,
        tenant_id="t1",
        interaction_id="i-1",
    )
    port.assert_done()
    return state.ended, sink


def path(sink: ListSink) -> list[str]:
    return [e.node for e in sink.of_type(NodeEntered)]


async def test_vip_caller_is_queued_with_priority_and_rates_the_call(
    monday_morning: FakeClock,
) -> None:
    port = ScriptedPort(
        [
            ("lookup", VIP),
            ("play", ""),
            ("collect", DigitsCollected("1")),
            ("enqueue", QueueOutcome(QueueResult.ANSWERED, "agent-7"), 25.0),
            ("agent_left", None, 180.0),
            ("collect", DigitsCollected("5")),
            ("play", ""),
            ("hang_up", None),
        ],
        clock=monday_morning,
    )
    ended, sink = await run(port, monday_morning)
    assert ended is EndReason.HANGUP
    enqueue: Enqueue = port.request("enqueue")
    assert (enqueue.queue, enqueue.priority, enqueue.skills) == ("sales", 14, ("售前",))
    assert enqueue.max_wait == 120
    assert enqueue.entered_at == local("2026-11-23 10:00") + 3
    assert path(sink) == [
        "emergency_check",
        "lookup_customer",
        "vip_check",
        "vip_priority",
        "hours_check",
        "welcome",
        "main_menu",
        "sales_queue",
        "survey",
    ]
    assert sink.of_type(SurveyAnswered)[0].rating == 5
    assert all(e.interaction_id == "i-1" and e.tenant_id == "t1" for e in sink.events)
    assert sink.types()[0] == "flow.started"
    assert sink.types()[-1] == "flow.ended"


async def test_menu_retries_then_sends_the_caller_to_an_agent(monday_morning: FakeClock) -> None:
    port = ScriptedPort(
        [
            ("lookup", LookupFailed("timeout"), 3.0),
            ("play", ""),
            ("collect", DigitsCollected("7")),
            ("collect", CollectTimedOut(), 5.0),
            ("collect", DigitsCollected("8")),
            ("enqueue", QueueOutcome(QueueResult.TIMEOUT), 120.0),
            ("record", RecordingDone("rec-9", 31.5), 35.0),
            ("notify", None),
            ("play", ""),
            ("hang_up", None),
        ],
        clock=monday_morning,
    )
    ended, sink = await run(port, monday_morning)
    assert ended is EndReason.HANGUP
    second: Collect = port.request("collect", 1)
    third: Collect = port.request("collect", 2)
    assert second.prompts[0].text == "您的输入有误。"
    assert third.prompts[0].text == "您没有输入。"
    assert second.prompts[1].text == "售前咨询请按1，售后服务请按2，人工服务请按0。"
    enqueue: Enqueue = port.request("enqueue")
    assert (enqueue.queue, enqueue.priority, enqueue.skills) == ("support", 0, ())
    notice: NotifyVoicemail = port.request("notify")
    assert notice == NotifyVoicemail("support", "rec-9", 31.5, ("support@example.com",))
    outcomes = [e.payload()["outcome"] for e in sink.events if e.type == "flow.digits_collected"]
    assert outcomes == ["invalid", "timeout", "invalid"]
    assert "agent_queue" in path(sink)
    assert "voicemail_support" in path(sink)


@pytest.mark.parametrize(
    ("when", "notice_node", "first_words"),
    [
        ("2026-11-23 20:00", "closed_notice", "您好，现在是非工作时间。"),
        ("2026-11-29 10:00", "closed_notice", "您好，现在是非工作时间。"),  # Sunday
        ("2026-10-02 10:00", "holiday_notice", "您好，节假日期间暂停人工服务。"),
    ],
)
async def test_outside_business_hours_the_caller_leaves_a_voicemail(
    clock: FakeClock, when: str, notice_node: str, first_words: str
) -> None:
    clock.set(local(when))
    port = ScriptedPort(
        [
            ("lookup", NOT_FOUND),
            ("play", ""),
            ("record", RecordingDone("rec-1", 14.0), 20.0),
            ("notify", None),
            ("play", ""),
            ("hang_up", None),
        ],
        clock=clock,
    )
    ended, sink = await run(port, clock)
    assert ended is EndReason.HANGUP
    played: Played = port.request("play")
    assert str(played.texts[0]).startswith(first_words)
    assert notice_node in path(sink)
    record: RecordVoicemail = port.request("record")
    assert (record.mailbox, record.beep, record.max_length) == ("general", True, 120.0)
    assert port.request("notify").emails == ("service@example.com",)


async def test_the_emergency_switch_plays_its_announcement_and_reroutes(
    monday_morning: FakeClock,
) -> None:
    script = [
        ("play", ""),
        ("record", RecordingDone("rec-2", 9.0)),
        ("notify", None),
        ("play", ""),
        ("hang_up", None),
    ]
    port = ScriptedPort(script, clock=monday_morning)
    ended, sink = await run(port, monday_morning, **{"emergency.active": True})
    assert ended is EndReason.HANGUP
    announcement: Played = port.request("play")
    assert announcement.interruptible is False
    assert str(announcement.texts[0]).startswith("非常抱歉，系统正在紧急处理故障")
    assert path(sink)[:2] == ["emergency_check", "voicemail_general"]  # no lookup, no menu

    # The tenant's message, when set, replaces the flow's announcement.
    port = ScriptedPort(script, clock=monday_morning)
    message = "因机房断电，暂停服务。"
    await run(port, monday_morning, **{"emergency.active": True, "emergency.message": message})
    assert port.request("play").texts == [message]


async def test_key_9_during_the_greeting_switches_to_english(monday_morning: FakeClock) -> None:
    port = ScriptedPort(
        [
            ("lookup", NOT_FOUND),
            ("play", "9"),  # pressed during the interruptible greeting
            ("collect", DigitsCollected("2")),
            ("enqueue", QueueOutcome(QueueResult.UNAVAILABLE)),
            ("record", RecordingDone(None)),  # the caller said nothing: no notice
            ("play", ""),
            ("hang_up", None),
        ],
        clock=monday_morning,
    )
    ended, sink = await run(port, monday_morning)
    assert ended is EndReason.HANGUP
    assert "main_menu" in path(sink)
    menu: Collect = port.request("collect")
    assert [p.language for p in menu.prompts] == ["en"]
    assert menu.prompts[0].text is not None
    assert menu.prompts[0].text.startswith("For sales, press 1.")
    enqueue: Enqueue = port.request("enqueue")
    assert enqueue.language == "en"
    assert enqueue.announcements.prompts[0].text == (
        "Your call is important to us. Please stay on the line."
    )
    record: RecordVoicemail = port.request("record")
    assert record.greeting[0].text is not None
    assert record.greeting[0].text.startswith("All our agents are busy.")
    assert port.request("play", 1).texts == ["Thank you for calling. Goodbye."]


async def test_sales_callback_keeps_the_place_and_confirms_a_new_number(
    monday_morning: FakeClock,
) -> None:
    port = ScriptedPort(
        [
            ("lookup", NOT_FOUND),
            ("play", "1"),
            ("enqueue", QueueOutcome(QueueResult.CALLBACK_OFFERED), 90.0),
            ("collect", DigitsCollected("1")),  # keep my place, call me back
            ("collect", DigitsCollected("2")),  # not this number
            ("collect", DigitsCollected("13912345678")),
            ("collect", DigitsCollected("1")),  # confirmed
            ("callback", CallbackOutcome(True)),
            ("play", ""),
            ("hang_up", None),
        ],
        clock=monday_morning,
    )
    ended, sink = await run(port, monday_morning)
    assert ended is EndReason.HANGUP
    assert port.request("enqueue").offer_callback is True
    confirm: Collect = port.request("collect", 1)
    assert confirm.prompts[0].text == (
        "我们将回拨 1 3 8 0 0 1 3 8 0 0 0。确认请按1，输入其他号码请按2。"
    )
    again: Collect = port.request("collect", 3)
    assert again.prompts[0].text is not None
    assert "1 3 9 1 2 3 4 5 6 7 8" in again.prompts[0].text
    callback = port.request("callback")
    assert (callback.queue, callback.number) == ("sales", "13912345678")
    assert callback.entered_at == port.request("enqueue").entered_at  # the place in line
    assert path(sink)[-2:] == ["sales_callback", "callback_thanks"]
    assert "leave_queue" not in port.methods()  # the router keeps the place as a callback


async def test_declining_the_offer_resumes_the_wait_and_an_agent_can_answer_mid_offer(
    monday_morning: FakeClock,
) -> None:
    answered = QueuePreempted(QueueOutcome(QueueResult.ANSWERED, "agent-2"))
    port = ScriptedPort(
        [
            ("lookup", NOT_FOUND),
            ("play", "1"),
            ("enqueue", QueueOutcome(QueueResult.CALLBACK_OFFERED), 60.0),
            ("collect", DigitsCollected("2")),  # no thanks, I'll wait
            ("enqueue", QueueOutcome(QueueResult.CALLBACK_OFFERED), 60.0),
            ("collect", answered, 2.0),  # an agent answers while the offer plays
            ("agent_left", None, 100.0),
            ("collect", CollectTimedOut()),  # survey: no rating …
            ("collect", CollectTimedOut()),
            ("hang_up", None),
        ],
        clock=monday_morning,
    )
    ended, sink = await run(port, monday_morning)
    assert ended is EndReason.HANGUP
    first, second = port.request("enqueue", 0), port.request("enqueue", 1)
    assert second.entered_at == first.entered_at  # same place in line
    assert path(sink)[-6:] == [
        "sales_queue",
        "sales_callback",
        "sales_queue",  # declined: back in line
        "sales_callback",
        "sales_queue",  # the agent answered during the offer
        "survey",
    ]
    waits = [e.value for e in sink.of_type(VariableSet) if e.name == "queue.wait"]
    assert waits == [123.0]


async def test_a_caller_who_hangs_up_in_the_queue_ends_the_flow(monday_morning: FakeClock) -> None:
    port = ScriptedPort(
        [
            ("lookup", NOT_FOUND),
            ("play", ""),
            ("collect", DigitsCollected("2")),
            ("enqueue", CallerHungUp(), 40.0),
        ],
        clock=monday_morning,
    )
    ended, sink = await run(port, monday_morning)
    assert ended is EndReason.CALLER_HUNG_UP
    last = sink.of_type(FlowEnded)[0]
    assert (last.node, last.reason) == ("support_queue", "caller_hung_up")
    assert "hang_up" not in port.methods()


async def test_a_chat_runs_the_same_flow_with_messages(monday_morning: FakeClock) -> None:
    port = ScriptedPort(
        [
            ("lookup", NOT_FOUND),
            ("send", None),  # greeting
            ("send", None),  # menu, zh
            ("send", None),  # "For English, press 9."
            ("reply", " 2 "),
            ("enqueue", QueueOutcome(QueueResult.ANSWERED, "agent-3")),
            ("agent_left", None),
            ("send", None),  # survey question
            ("reply", None),  # no answer …
            ("send", None),  # … asked once more
            ("reply", "4"),
            ("send", None),  # thanks
            ("hang_up", None),
        ],
        clock=monday_morning,
        channel="chat",
    )
    ended, sink = await run(port, monday_morning)
    assert ended is EndReason.HANGUP
    sent = [r for m, r in port.calls if m == "send"]
    assert sent[0] == "欢迎致电 Hotline 客服中心。"
    assert sent[2] == "For English, press 9."
    assert port.request("reply") == 300.0  # text channels wait longer than DTMF
    assert sink.of_type(SurveyAnswered)[0].rating == 4


async def test_voicemail_on_a_chat_is_skipped_not_fatal(clock: FakeClock) -> None:
    clock.set(local("2026-11-23 22:00"))
    port = ScriptedPort(
        [
            ("lookup", NOT_FOUND),
            ("send", None),  # closed notice
            ("send", None),  # voicemail greeting is never sent: the port cannot record
            ("hang_up", None),
        ],
        clock=clock,
        channel="chat",
    )
    ended, _ = await run(port, clock)
    assert ended is EndReason.HANGUP
    assert [r for m, r in port.calls if m == "send"][1] == "感谢您的来电，再见。"


ORDERS = Program(
    parse_flow(read_flow_file(MAIN.parent / "order-status.yaml")), version=1, content_hash="o1"
)


async def test_order_status_reads_webhook_data_back_and_falls_back_when_it_is_down(
    clock: FakeClock,
) -> None:
    shipped = LookupCompleted(True, {"status": "shipped", "tracking": "SF1024"})
    port = ScriptedPort(
        [
            ("collect", DigitsCollected("12345678")),
            ("lookup", shipped),
            ("play", ""),
            ("collect", CollectTimedOut()),
            ("collect", CollectTimedOut()),
            ("play", ""),
            ("hang_up", None),
        ],
        clock=clock,
    )
    state = await run_flow(ORDERS, port, CALLER, clock)
    port.assert_done()
    lookup = port.request("lookup")
    assert (lookup.source, lookup.key, lookup.timeout) == ("webhook", "12345678", 2.5)
    assert lookup.params == {"caller": "13800138000"}
    assert port.request("play").texts == ["您的订单已发货，运单号 S F 1 0 2 4。"]
    assert state.ended is EndReason.HANGUP

    down = ScriptedPort(
        [
            ("collect", DigitsCollected("12345678")),
            ("lookup", LookupFailed("timeout"), 2.5),
            ("transfer", TransferOutcome(True)),
        ],
        clock=clock,
    )
    state = await run_flow(ORDERS, down, CALLER, clock)
    down.assert_done()
    transfer = down.request("transfer")
    assert (transfer.to, transfer.target, transfer.trunk) == ("number", "02155550100", "pstn")
    assert state.ended is EndReason.TRANSFERRED
    assert state.variables["order.error"] == "timeout"
