"""The wallboard on version-2 records (ADR 0061): waiting, ringing and handling are kept per
work item, the personal line `@agent` is no queue (its agents still count), the center counts
each contact once, a wrap-up overrun shows on the agent's row, and CSAT goes to the agent the
survey names. Then the golden version-1 day, converted on read, gives the same counting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hotline.analytics.realtime import RealtimeProjection
from hotline.events import EventRecord
from hotline.store.upcast import Alias, upcast_all
from tests.unit.realtime.feed import MORNING, TENANT

C = "contact-1"
W1, W2 = "work-1", "work-2"
GOLDEN = Path(__file__).resolve().parents[2] / "data" / "events-v1" / "day.jsonl"


class Log:
    def __init__(self) -> None:
        self.projection = RealtimeProjection(TENANT)
        self.seq = 0
        self.now = MORNING

    def __call__(
        self, type_: str, *, agent: str | None = None, after: float = 1.0, **payload: Any
    ) -> None:
        self.seq += 1
        self.now += after
        record = EventRecord(TENANT, self.seq, self.now, type_, C, None, agent, payload, v=2)
        self.projection.apply(record)

    def state(
        self, agent: str, state: str, previous: str, work: str | None = None, **p: Any
    ) -> None:
        self("agent.state_changed", agent=agent, state=state, previous=previous, work_id=work,
             queue_id=p.get("queue"), previous_duration_s=p.get("held", 0.0), after=0)  # fmt: skip

    def enter(self, work: str, queue: str, **more: Any) -> None:
        self("queue.entered", work_id=work, queue_id=queue, channel="voice", priority=0,
             skills=[], target_agent_id=more.get("target"), excluded_agents=[])  # fmt: skip

    def ring(self, work: str, queue: str, agent: str) -> None:
        self.state(agent, "reserved", "available", work, queue=queue)
        self("queue.offered", agent=agent, work_id=work, queue_id=queue, via_queue_id=queue,
             priority=0, wait_s=1.0, attempt=1, ring_timeout_s=15.0)  # fmt: skip

    def answer(self, work: str, queue: str, agent: str, wait: float) -> None:
        self.state(agent, "busy", "reserved", work, queue=queue)
        self("queue.answered", agent=agent, work_id=work, queue_id=queue, via_queue_id=queue,
             channel="voice", priority=0, wait_s=wait, sl_threshold_s=20.0)  # fmt: skip

    def talked(self, work: str, queue: str, agent: str, talk: float, after: float = 1.0) -> None:
        self("agent.interaction_ended", agent=agent, work_id=work, queue_id=queue,
             channel="voice", talk_s=talk, after=after)  # fmt: skip

    def wrapped(self, work: str, queue: str, agent: str, wrap: float) -> None:
        self("agent.wrap_up_ended", agent=agent, work_id=work, queue_id=queue, channel="voice",
             wrap_up_s=wrap, by_agent=True)  # fmt: skip

    def figures(self) -> Any:
        return self.projection.snapshot(self.now)


def test_consult_then_conference_counts_one_contact_and_two_agent_segments() -> None:
    log = Log()
    for agent in ("a1", "a2"):
        log.state(agent, "available", "logged_out")
    log.enter(W1, "support")
    log.ring(W1, "support", "a1")
    log.answer(W1, "support", "a1", wait=8.0)
    log("interaction.consult_started", agent="a1", work_id=W2, from_work_id=W1, target="a2",
        target_kind="agent", note=None)  # fmt: skip
    log.enter(W2, "@agent", target="a2")
    log.ring(W2, "@agent", "a2")
    board = log.figures()
    assert set(board.queues) == {"support"}  # the personal line is no queue
    assert board.agents["a2"].state == "reserved"
    log.answer(W2, "@agent", "a2", wait=3.0)
    log("interaction.consult_ended", agent="a1", work_id=W2, result="conference")
    log.talked(W1, "support", "a1", talk=100.0, after=60)
    log.state("a1", "wrap_up", "busy", W1, queue="support")
    log.wrapped(W1, "support", "a1", wrap=10.0)
    log.state("a1", "available", "wrap_up")
    log.talked(W2, "@agent", "a2", talk=150.0, after=60)
    log.state("a2", "wrap_up", "busy", W2, queue="@agent")
    log("flow.survey_answered", agent="a2", work_id=W2, node="survey", rating=5, scale=5)
    log.wrapped(W2, "@agent", "a2", wrap=20.0)
    log.state("a2", "available", "wrap_up")

    board = log.figures()
    assert set(board.queues) == {"support"}
    support = board.queues["support"].today
    assert (support.offered, support.answered, support.completed) == (1, 1, 1)
    assert support.aht_s == 110.0
    assert support.csat_answers == 0  # the survey was about a2's part, on the personal line
    a1, a2 = board.agents["a1"], board.agents["a2"]
    assert (a1.handled, a1.completed, a1.aht_s, a1.csat_answers) == (1, 1, 110.0, 0)
    assert (a2.handled, a2.completed, a2.aht_s, a2.csat, a2.csat_answers) == (1, 1, 170.0, 1.0, 1)
    center = board.center["all"]
    assert (center.today.offered, center.today.answered, center.today.completed) == (1, 1, 1)
    assert center.today.asa_s == 8.0
    assert center.today.aht_s == 280.0  # per contact: both agents' handle time
    assert center.today.csat_answers == 1


def test_waiting_is_per_work_item_and_the_center_counts_the_contact_once() -> None:
    log = Log()
    log.state("a1", "available", "logged_out")
    log.enter(W1, "support")
    log.answer(W1, "support", "a1", wait=5.0)
    log("interaction.transferred", agent="a1", kind="blind", target="sales", target_kind="queue",
        queue_id="support", note=None, work_id=W1, to_work_id=W2)  # fmt: skip
    log.enter(W2, "sales")
    board = log.figures()
    assert (board.queues["support"].waiting, board.queues["sales"].waiting) == (0, 1)
    assert board.center["all"].waiting == 1
    log.ring(W2, "sales", "a2")
    assert log.figures().queues["sales"].ringing == 1
    log("queue.abandoned", work_id=W2, queue_id="sales", channel="voice", priority=0,
        wait_s=40.0, sl_threshold_s=20.0, position=1, after=40)  # fmt: skip
    board = log.figures()
    assert (board.queues["sales"].waiting, board.queues["sales"].ringing) == (0, 0)
    sales, center = board.queues["sales"].today, board.center["all"].today
    assert (sales.offered, sales.abandoned) == (1, 1)
    # the contact was answered in support: center-wide it was offered and answered, once
    assert (center.offered, center.answered, center.abandoned) == (1, 1, 0)
    assert board.queues["support"].today.offered == 1


def test_a_wrap_up_overrun_shows_on_the_agent_row_until_the_wrap_up_ends() -> None:
    log = Log()
    log.state("a1", "available", "logged_out")
    log.enter(W1, "support")
    log.answer(W1, "support", "a1", wait=2.0)
    log.talked(W1, "support", "a1", talk=30.0)
    log.state("a1", "wrap_up", "busy", W1, queue="support")
    log("agent.wrap_up_overrun", agent="a1", work_id=W1, queue_id="support", after=30)
    overrun_at = log.now
    row = log.figures().agents["a1"]
    assert (row.state, row.overrun_since, row.overruns) == ("wrap_up", overrun_at, 1)
    log("interaction.dispositioned", agent="a1", work_id=W1, disposition="resolved",
        category="resolved", sale=False, notes="", queue_id="support", ticket_id=None)  # fmt: skip
    log.wrapped(W1, "support", "a1", wrap=45.0)
    log.state("a1", "available", "wrap_up")
    row = log.figures().agents["a1"]
    assert (row.state, row.overrun_since, row.overruns) == ("available", None, 1)


def _golden() -> list[EventRecord]:
    with GOLDEN.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    records = [EventRecord(**row, v=1) for row in rows]
    aliases = {
        str(r.interaction_id): Alias(str(r.payload["parent_interaction_id"]), r.agent_id)
        for r in records
        if r.type == "interaction.created" and r.payload.get("parent_interaction_id")
    }
    return upcast_all(records, aliases)


def test_the_version_1_day_converted_on_read_counts_contacts_and_segments() -> None:
    projection = RealtimeProjection(TENANT)
    records = _golden()
    assert projection.apply_all(records) == len(records)
    board = projection.snapshot(records[-1].at)
    assert set(board.queues) == {"support", "sales"}  # no "direct", no "@agent"
    support, sales = board.queues["support"].today, board.queues["sales"].today
    assert (support.offered, support.answered, support.abandoned) == (7, 6, 1)
    assert (sales.offered, sales.answered, sales.callbacks, sales.callbacks_failed) == (4, 2, 2, 1)
    center = board.center["all"].today
    assert (center.offered, center.answered, center.abandoned, center.csat_answers) == (
        10,
        7,
        1,
        5,
    )
    handled = {a: row.handled for a, row in board.agents.items()}
    assert handled == {"a1": 5, "a2": 5, "a3": 1}
    surveys = {a: row.csat_answers for a, row in board.agents.items()}
    assert surveys == {"a1": 1, "a2": 4, "a3": 0}
    assert projection.malformed == 0
