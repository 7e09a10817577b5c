"""Issue 10's acceptance on the history side, with the version-2 events the new runtime emits
(the real router, flows and lifecycle on the unit tests' fakes, tests/unit/interactions):

- a consult transfer then a three-way conference counts as one contact answered once, one
  offered in the queue visited (the personal line is no queue), two handled agent segments
  each with its own disposition and notes, and the CSAT on the agent the survey names;
- a caller who waits 60 s in the queue and hangs up is abandoned, waited 60 s, and is in the
  queue's worklist.

The records go through the real log writer into the database, then the contact projections
and the wallboard's projection read them back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.analytics.realtime import RealtimeProjection
from hotline.bus import EventBus
from hotline.crm.contact_events import InteractionDispositioned
from hotline.events import DomainEvent
from hotline.ids import AgentId, InteractionId
from hotline.interactions import ContactState, TransferTarget
from hotline.store.engine import WRITE
from hotline.store.eventlog import SqlEventReader, write_events
from hotline.store.interaction_projection import InteractionProjector
from hotline.store.tables import agent_segments, interactions, tenants, work_items, worklist
from tests.unit.interactions.harness import TENANT, World, hang_up, make_world, until


def dispose(world: World, contact: str, agent: str, code: str, notes: str) -> None:
    """What `POST /interactions/{id}/wrapup` does: tell the desk, append the wrap-up."""
    work = world.desk.disposition_saved(AgentId(agent), InteractionId(contact))
    world.sink.emit(
        InteractionDispositioned(
            tenant_id=TENANT, at=world.clock.now(), interaction_id=contact, agent_id=agent,
            disposition=code, category="resolved", sale=False, notes=notes,
            queue_id="support", ticket_id=None, work_id=work,
        )
    )  # fmt: skip


async def a_day(world: World) -> tuple[str, str]:
    """The conference contact, and the contact that gave up after 60 s."""
    world.login("a1", "1001")
    world.clock.advance(5)
    world.login("a2", "1002")
    call = await world.call()
    await world.heard(call, "售后服务请按2")
    await world.press(call, "2")
    first = await world.ring("1001")
    world.advance(4)
    first.answer()
    await until(lambda: call.state is ContactState.CONNECTED)
    world.advance(30)
    await world.desk.consult(AgentId("a1"), TransferTarget("agent", "a2"), note="三方确认")
    second = await world.ring("1002")
    world.advance(3)
    second.answer()
    await until(lambda: world.consulting("a1"))
    world.advance(20)
    await world.desk.conference(AgentId("a1"))
    world.advance(60)
    assert first.session is not None
    first.session.remote_hangup()  # a1 leaves; the customer and a2 go on
    await until(lambda: call.agent_id == "a2")
    dispose(world, call.interaction_id, "a1", "follow_up", "三方确认身份")
    world.advance(90)
    assert second.session is not None
    second.session.remote_hangup()  # a2 ends; the customer rates the call
    await world.heard(call, "请为本次服务评分")
    await world.press(call, "4")
    await until(lambda: call.ended.is_set())
    dispose(world, call.interaction_id, "a2", "complaint", "投诉已登记")
    await until(lambda: world.state("a2") == "available")

    for agent in ("a1", "a2"):
        world.desk.set_not_ready(AgentId(agent), "break")
    waiting = await world.call("13700137003")
    await world.heard(waiting, "售后服务请按2")
    await world.press(waiting, "2")
    await until(lambda: waiting.state is ContactState.QUEUED)
    for _ in range(6):
        world.advance(10)
    hang_up(waiting)
    await until(lambda: waiting.ended.is_set())
    return call.interaction_id, waiting.interaction_id


async def rows(engine: AsyncEngine, table: Any, **where: Any) -> list[dict[str, Any]]:
    query = select(table).where(*(table.c[k] == v for k, v in where.items()))
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(query)]


async def test_the_new_runtime_s_contacts_segments_worklist_and_figures(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    world = await make_world(tmp_path)
    conference, gave_up = await a_day(world)
    written: list[DomainEvent] = list(world.sink.events)
    async with engine.connect() as conn:
        conn = await conn.execution_options(**WRITE)
        async with conn.begin():
            await conn.execute(
                tenants.insert().values(
                    id=TENANT, slug="t1", name="t1", language="zh-CN", timezone="Asia/Shanghai",
                    region="CN", sip_domain="t1.test", created_at=0.0, updated_at=0.0,
                )
            )  # fmt: skip
            await write_events(conn, written)
    await InteractionProjector(engine, EventBus()).catch_up(TENANT)

    [contact] = await rows(engine, interactions, id=conference)
    assert (contact["segments"], contact["queues"], contact["consulted"]) == (2, ["support"], True)
    assert (contact["csat"], contact["csat_agent_id"]) == (4, "a2")
    work = sorted(await rows(engine, work_items, interaction_id=conference), key=lambda w: w["seq"])
    assert [(w["queue_id"], w["via"], w["outcome"], w["agent_id"]) for w in work] == [
        ("support", "flow", "answered", "a1"),
        ("@agent", "consult", "answered", "a2"),
    ]
    assert (work[1]["note"], work[1]["result"]) == ("三方确认", "conference")
    parts = sorted(
        await rows(engine, agent_segments, interaction_id=conference),
        key=lambda s: s["answered_at"],
    )
    assert [(s["agent_id"], s["disposition"], s["notes"], s["csat"]) for s in parts] == [
        ("a1", "follow_up", "三方确认身份", None),
        ("a2", "complaint", "投诉已登记", 4),
    ]

    [abandoned] = await rows(engine, interactions, id=gave_up)
    assert (abandoned["outcome"], abandoned["wait_s"], abandoned["abandoned"]) == (
        "abandoned",
        60.0,
        True,
    )
    [missed] = await rows(engine, worklist, interaction_id=gave_up)
    assert (missed["queue_id"], missed["reason"], missed["wait_s"]) == (
        "support",
        "abandoned",
        60.0,
    )
    assert len(await rows(engine, interactions)) == 2

    # The wallboard, rebuilt from the same log.
    board = RealtimeProjection(TENANT)
    records = await SqlEventReader(engine).read_since(TENANT, 0, limit=10_000)
    board.apply_all(records)
    figures = board.snapshot(records[-1].at)
    assert set(figures.queues) == {"support"}
    support, center = figures.queues["support"].today, figures.center["all"].today
    assert (support.offered, support.answered, support.abandoned) == (2, 1, 1)
    assert (center.offered, center.answered, center.abandoned) == (2, 1, 1)
    assert center.csat_answers == 1
    a1, a2 = figures.agents["a1"], figures.agents["a2"]
    assert (a1.handled, a2.handled) == (1, 1)
    assert (a1.csat_answers, a2.csat_answers, a2.csat) == (0, 1, 1.0)
    assert board.malformed == 0
