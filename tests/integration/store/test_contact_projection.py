"""The contact projections from hand-built version-2 records, exactly as ADR 0061 lists their
fields: a consult transfer then a three-way conference, a caller who gives up after 60 s, a
blind transfer into another queue, a required wrap-up overrun, and a callback made from the
worklist closing its missed contact."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.events import EventRecord
from hotline.store.interaction_projection import InteractionProjector
from hotline.store.tables import agent_segments, interactions, tenants, work_items, worklist

T = "01TENANT00000000000000000T"
C = "01CONTACT0000000000000000C"
W1, W2 = "01WORK1000000000000000000A", "01WORK2000000000000000000B"


class Log:
    """Version-2 records in seq order, one second apart."""

    def __init__(self) -> None:
        self.records: list[EventRecord] = []

    def __call__(
        self,
        type_: str,
        *,
        agent: str | None = None,
        contact: str = C,
        after: float = 1.0,
        **payload: Any,
    ) -> None:
        seq = len(self.records) + 1
        at = (self.records[-1].at if self.records else 1_795_572_000.0) + after
        self.records.append(EventRecord(T, seq, at, type_, contact, None, agent, payload, v=2))


def created(log: Log, contact: str = C, **more: Any) -> None:
    log(
        "interaction.created",
        contact=contact,
        channel="voice",
        direction=more.pop("direction", "inbound"),
        origin=more.pop("origin", "customer"),
        caller_number=more.pop("caller_number", "13800138000"),
        caller_name=None,
        did="4001",
        customer_id=None,
        vip_level=None,
        flow="main",
        flow_version=1,
        call_id="call-1",
        related_interaction_id=more.pop("related_interaction_id", None),
    )


def entered(log: Log, work_id: str, queue: str, **more: Any) -> None:
    log(
        "queue.entered",
        work_id=work_id,
        queue_id=queue,
        channel="voice",
        priority=0,
        skills=[],
        target_agent_id=more.get("target_agent_id"),
        excluded_agents=more.get("excluded_agents", []),
        contact=more.get("contact", C),
    )


def answer(log: Log, work_id: str, queue: str, agent: str, wait: float) -> None:
    log("queue.offered", agent=agent, work_id=work_id, queue_id=queue, via_queue_id=queue,
        priority=0, wait_s=wait - 1, attempt=1, ring_timeout_s=15.0)  # fmt: skip
    log("queue.answered", agent=agent, work_id=work_id, queue_id=queue, via_queue_id=queue,
        channel="voice", priority=0, wait_s=wait, sl_threshold_s=20.0)  # fmt: skip


def wrap_up(log: Log, work_id: str, agent: str, code: str, notes: str, queue: str) -> None:
    log("interaction.dispositioned", agent=agent, work_id=work_id, disposition=code,
        category="resolved", sale=False, notes=notes, queue_id=queue, ticket_id=None)  # fmt: skip


async def project(engine: AsyncEngine, log: Log) -> InteractionProjector:
    async with engine.begin() as conn:
        await conn.execute(
            tenants.insert().values(
                id=T, slug="t", name="t", language="zh-CN", timezone="Asia/Shanghai",
                region="CN", sip_domain="t.test", created_at=0.0, updated_at=0.0,
            )
        )  # fmt: skip
    projector = InteractionProjector(engine, EventBus())
    await projector.apply_batch(T, log.records)
    return projector


async def rows(engine: AsyncEngine, table: Any, **where: Any) -> list[dict[str, Any]]:
    query = select(table).where(*(table.c[k] == v for k, v in where.items()))
    order = table.c.seq if "seq" in table.c else table.c[table.primary_key.columns.keys()[-1]]
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(query.order_by(order))]


async def test_a_consult_transfer_then_a_conference_is_one_contact_with_two_segments(
    engine: AsyncEngine,
) -> None:
    log = Log()
    created(log)
    entered(log, W1, "support")
    answer(log, W1, "support", "a1", wait=12.0)
    log("call.held", agent="a1", after=30)
    log("interaction.consult_started", agent="a1", work_id=W2, from_work_id=W1, target="a2",
        target_kind="agent", note="账单有疑问")  # fmt: skip
    entered(log, W2, "@agent", target_agent_id="a2", excluded_agents=["a1"])
    answer(log, W2, "@agent", "a2", wait=4.0)
    log("call.resumed", agent="a1", after=20)
    log("interaction.consult_ended", agent="a1", work_id=W2, result="conference")
    log("agent.interaction_ended", agent="a1", work_id=W1, queue_id="support", channel="voice",
        talk_s=90.0, after=60)  # fmt: skip
    wrap_up(log, W1, "a1", "follow_up", "三方确认身份", "support")
    log("agent.wrap_up_ended", agent="a1", work_id=W1, queue_id="support", channel="voice",
        wrap_up_s=10.0, by_agent=True)  # fmt: skip
    log("agent.interaction_ended", agent="a2", work_id=W2, queue_id="@agent", channel="voice",
        talk_s=150.0, after=70)  # fmt: skip
    log("flow.survey_answered", agent="a2", work_id=W2, node="survey", rating=2, scale=5)
    log("interaction.ended", reason="completed", cause="normal", q850=16, queue_id="support",
        answered=True, ivr_s=5.0, queue_s=16.0, talk_s=210.0, hold_s=20.0, total_s=240.0,
        flow_end="hangup")  # fmt: skip
    log("agent.wrap_up_overrun", agent="a2", work_id=W2, queue_id="@agent", after=30)
    wrap_up(log, W2, "a2", "complaint", "投诉已登记", "support")
    log("agent.wrap_up_ended", agent="a2", work_id=W2, queue_id="@agent", channel="voice",
        wrap_up_s=45.0, by_agent=True)  # fmt: skip
    await project(engine, log)

    [contact] = await rows(engine, interactions)
    assert contact["id"] == C
    assert (contact["answered_at"], contact["segments"], contact["queues"]) == (
        log.records[3].at,
        2,
        ["support"],
    )
    assert (contact["csat"], contact["csat_agent_id"], contact["agents"]) == (2, "a2", ["a1", "a2"])
    work = await rows(engine, work_items)
    assert [(w["work_id"], w["queue_id"], w["via"], w["offers"], w["outcome"]) for w in work] == [
        (W1, "support", "flow", 1, "answered"),
        (W2, "@agent", "consult", 1, "answered"),
    ]
    assert (work[1]["target_agent_id"], work[1]["note"], work[1]["result"]) == (
        "a2",
        "账单有疑问",
        "conference",
    )
    offered_per_queue = [w["queue_id"] for w in work if w["queue_id"] != "@agent"]
    assert offered_per_queue == ["support"]
    segments = await rows(engine, agent_segments)
    assert [
        (s["agent_id"], s["work_id"], s["disposition"], s["notes"], s["csat"]) for s in segments
    ] == [
        ("a1", W1, "follow_up", "三方确认身份", None),
        ("a2", W2, "complaint", "投诉已登记", 2),
    ]
    held = {r.type: r.at for r in log.records if r.type in ("call.held", "call.resumed")}
    assert (segments[0]["talk_s"], segments[0]["hold_s"], segments[0]["wrap_up_s"]) == (
        90.0,
        held["call.resumed"] - held["call.held"],
        10.0,
    )
    assert segments[1]["hold_s"] == 0.0
    assert segments[0]["overrun_at"] is None
    assert segments[1]["overrun_at"] == log.records[-3].at
    assert await rows(engine, worklist) == []


async def test_a_caller_who_waits_60_s_and_hangs_up_is_abandoned_in_the_worklist(
    engine: AsyncEngine,
) -> None:
    log = Log()
    created(log, caller_number="13700137003")
    entered(log, W1, "support")
    log("queue.abandoned", work_id=W1, queue_id="support", channel="voice", priority=0,
        wait_s=60.0, sl_threshold_s=20.0, position=1, after=60)  # fmt: skip
    log("interaction.ended", reason="abandoned", cause="normal", q850=16, queue_id="support",
        answered=False, ivr_s=5.0, queue_s=60.0, talk_s=0.0, hold_s=0.0, total_s=65.0)  # fmt: skip
    await project(engine, log)
    [contact] = await rows(engine, interactions)
    assert (contact["outcome"], contact["wait_s"]) == ("abandoned", 60.0)
    assert contact["abandoned"] is True
    [missed] = await rows(engine, worklist)
    assert (missed["queue_id"], missed["reason"], missed["wait_s"], missed["caller_number"]) == (
        "support",
        "abandoned",
        60.0,
        "13700137003",
    )
    assert missed["followed_up_at"] is None


async def test_a_blind_transfer_into_another_queue_is_a_second_work_item(
    engine: AsyncEngine,
) -> None:
    log = Log()
    created(log)
    entered(log, W1, "support")
    answer(log, W1, "support", "a1", wait=5.0)
    log("interaction.transferred", agent="a1", kind="blind", target="sales", target_kind="queue",
        queue_id="support", note="想买年卡", work_id=W1, to_work_id=W2, after=40)  # fmt: skip
    log("agent.interaction_ended", agent="a1", work_id=W1, queue_id="support", channel="voice",
        talk_s=40.0)  # fmt: skip
    entered(log, W2, "sales", excluded_agents=["a1"])
    answer(log, W2, "sales", "a2", wait=7.0)
    await project(engine, log)
    work = await rows(engine, work_items)
    visits = [(w["queue_id"], w["via"], w["from_work_id"], w["note"], w["agent_id"]) for w in work]
    assert visits == [
        ("support", "flow", None, None, "a1"),
        ("sales", "transfer", W1, "想买年卡", "a2"),
    ]
    [contact] = await rows(engine, interactions)
    assert (contact["queues"], contact["transferred"], contact["agent_id"]) == (
        ["support", "sales"],
        True,
        "a2",
    )
    segments = await rows(engine, agent_segments)
    assert [(s["agent_id"], s["ended_by"], s["talk_s"]) for s in segments] == [
        ("a1", "transfer", 40.0),
        ("a2", None, None),
    ]


async def test_a_callback_from_the_worklist_that_connects_closes_the_missed_contact(
    engine: AsyncEngine,
) -> None:
    missed_id, callback_id = C, "01CALLBACK000000000000000D"
    log = Log()
    created(log, contact=missed_id, caller_number="13500135006")
    entered(log, W1, "sales")
    log("queue.abandoned", work_id=W1, queue_id="sales", channel="voice", priority=0,
        wait_s=30.0, sl_threshold_s=20.0, position=1, after=30)  # fmt: skip
    log("interaction.ended", reason="abandoned", cause="normal", q850=16, queue_id="sales",
        answered=False, ivr_s=5.0, queue_s=30.0, talk_s=0.0, hold_s=0.0, total_s=35.0)  # fmt: skip
    created(log, contact=callback_id, direction="outbound", origin="click_to_dial",
            caller_number="13500135006", related_interaction_id=missed_id)  # fmt: skip
    log("interaction.ended", contact=callback_id, reason="completed", cause="normal", q850=16,
        queue_id=None, answered=True, ivr_s=0.0, queue_s=0.0, talk_s=60.0, hold_s=0.0,
        total_s=70.0, after=70)  # fmt: skip
    await project(engine, log)
    [item] = await rows(engine, worklist)
    assert (item["callbacks"], item["last_callback_id"], item["follow_up"]) == (
        1,
        callback_id,
        "called_back",
    )
    assert item["followed_up_at"] == log.records[-1].at
    contacts = {c["id"]: c for c in await rows(engine, interactions)}
    assert contacts[callback_id]["related_interaction_id"] == missed_id
    assert contacts[callback_id]["origin"] == "click_to_dial"
    assert contacts[missed_id]["followed_up_at"] == log.records[-1].at
