"""Make the golden version-1 event log: a day of calls through the version-1 runtime.

Run once, from a checkout whose runtime still writes version-1 events (commit a1ffdb2), with
`.venv/bin/python tests/data/events-v1/generate.py`. It drives the real tenant runtime (router,
flow interpreter, call control) on the unit tests' fakes through the calls listed in
`SCENARIOS`, adds the wrap-ups the API would have written, then writes every event through the
real event-log writer into a fresh SQLite database at that commit's newest revision and lets
that commit's interactions projector build its rows. It dumps:

- `day.jsonl`: the `events` table, one record per line, in seq order;
- `day.interactions.jsonl`: the `interactions` projection rows as that projector left them;
- `day.cursors.jsonl`: its cursor.

The fixture test loads these into a database at revision 0005, upgrades it and checks the
contact view. This script needs the version-1 runtime; once that is replaced it no longer runs,
and the files stay as they are.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from tests.unit.calls.fakes import FakeOutgoing, FakeSession  # noqa: E402
from tests.unit.interactions.harness import World, hang_up, make_world, until  # noqa: E402

from hotline.crm.contact_events import InteractionDispositioned  # noqa: E402
from hotline.ids import AgentId, QueueId  # noqa: E402
from hotline.interactions import InteractionState, TransferTarget, VoiceInteraction  # noqa: E402
from hotline.routing import OverflowAction, OverflowStep, QueueConfig  # noqa: E402
from hotline.store.engine import create_engine  # noqa: E402
from hotline.store.eventlog import write_events  # noqa: E402
from hotline.store.interaction_projection import InteractionProjector  # noqa: E402
from hotline.store.migrate import migrate  # noqa: E402
from hotline.store.tables import events, interactions, projection_cursors, tenants  # noqa: E402

OUT = Path(__file__).resolve().parent

CATEGORIES = {
    "resolved": "resolved",
    "follow_up": "unresolved",
    "sale": "sale",
    "complaint": "other",
}


def session(call: FakeOutgoing) -> FakeSession:
    assert call.session is not None
    return call.session


def dispose(
    world: World, interaction_id: str, agent: str, code: str, notes: str, queue: str
) -> None:
    """What `POST /api/v1/interactions/{id}/wrapup` appends (today's API)."""
    world.sink.emit(
        InteractionDispositioned(
            tenant_id="t1",
            at=world.clock.now(),
            interaction_id=interaction_id,
            agent_id=agent,
            disposition=code,
            category=CATEGORIES[code],
            sale=code == "sale",
            notes=notes,
            queue_id=queue,
            ticket_id=None,
        )
    )


async def to_queue(world: World, number: str, key: str) -> VoiceInteraction:
    interaction = await world.call(number)
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, key)
    return interaction


async def wrap(world: World, *agents: str) -> None:
    """Let the queue's wrap-up timer run out for the agents (support wraps up for 20 s)."""
    for _ in range(5):
        world.advance(10)
        await asyncio.sleep(0.01)
    for agent in agents:
        await until(lambda agent=agent: world.state(agent) == "available")


async def answered_with_survey(world: World) -> None:
    """10:00 — a VIP calls support, a1 answers, hangs up, the caller rates 5."""
    world.login("a1", "1001")
    interaction = await to_queue(world, "13900000001", "2")
    ringing = await world.ring("1001")
    world.advance(3)
    ringing.answer()
    await until(lambda: interaction.state is InteractionState.CONNECTED)
    world.advance(95)
    session(ringing).remote_hangup()
    await world.heard(interaction, "请为本次服务评分")
    await world.press(interaction, "5")
    await until(lambda: interaction.ended.is_set())
    world.advance(8)
    dispose(world, interaction.interaction_id, "a1", "resolved", "查询订单物流，已告知", "support")
    await wrap(world, "a1")


async def abandoned_after_a_long_wait(world: World) -> None:
    """10:20 — everyone on a break; the caller waits 60 s in support and hangs up."""
    world.desk.set_not_ready(AgentId("a1"), "break")
    interaction = await to_queue(world, "13700137003", "2")
    await until(lambda: interaction.state is InteractionState.QUEUED)
    for _ in range(6):
        world.advance(10)
        await asyncio.sleep(0.01)
    hang_up(interaction)
    await until(lambda: interaction.ended.is_set())
    world.desk.set_available(AgentId("a1"))


async def voicemail(world: World) -> None:
    """10:40 — nobody logged in to sales; the caller leaves a voicemail."""
    world.desk.logout(AgentId("a1"))
    await until(lambda: world.state("a1") == "logged_out")
    interaction = await world.call("13600136005")
    await world.heard(interaction, "售前咨询请按1")
    await world.press(interaction, "1")
    await world.heard(interaction, "请在提示音后留言")
    frames = None

    def tap_ready() -> bool:
        nonlocal frames
        frames = next((e for e in world.media.endpoints.values() if e.frame_port), None)
        return frames is not None

    await until(tap_ready)
    assert frames is not None
    assert frames.frame_port is not None
    t = np.arange(int(3.0 * 8000)) / 8000
    pcm = (6000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    for i in range(0, len(pcm), 160):
        frames.frame_port.deliver(pcm[i : i + 160])
    await world.press(interaction, "#")
    await until(lambda: interaction.ended.is_set())
    await until(lambda: bool(world.of("voicemail.notified")))
    frames.frame_port = None  # the next voicemail finds its own tap


async def callbacks(world: World) -> None:
    """11:00 — two callers book callbacks in sales; a2 calls the first back, the second never
    picks up."""
    world.login("a2", "1002", ready=False)
    booked: list[VoiceInteraction] = []
    for number in ("13812345678", "13500135006"):
        interaction = await world.call(number)
        booked.append(interaction)
        await world.heard(interaction, "售前咨询请按1")
        await world.press(interaction, "1")
        await until(lambda i=interaction: i.state is InteractionState.QUEUED)
        world.advance(10)
        await world.heard(interaction, "保留排队位置并由我们回电")
        await world.press(interaction, "1")
        await world.heard(interaction, "我们将回拨")
        await world.press(interaction, "1")
        await world.heard(interaction, "已为您保留排队位置")
        await until(lambda i=interaction: i.state is InteractionState.CALLBACK)
        world.advance(30)
    world.desk.set_available(AgentId("a2"))
    agent = await world.ring("1002")
    agent.answer()
    customer = await world.ring("13812345678")
    world.advance(4)
    customer.answer()
    first, second = booked
    await until(lambda: first.state is InteractionState.CONNECTED)
    world.advance(120)
    session(customer).remote_hangup()
    await until(lambda: first.ended.is_set())
    world.advance(10)
    dispose(world, first.interaction_id, "a2", "sale", "回呼成交：年度套餐", "sales")
    await wrap(world)  # then the router offers a2 the second callback
    # The second callback: a2 answers, the customer's phone rings out.
    agent = await world.ring("1002")
    agent.answer()
    customer = await world.ring("13500135006")
    customer.fail(480)
    await until(lambda: second.ended.is_set())
    await until(lambda: world.state("a2") in ("available", "not_ready", "wrap_up"))
    await wrap(world)
    if world.state("a2") != "available":
        world.desk.set_available(AgentId("a2"))


async def connected(
    world: World, number: str, agent: str, extension: str
) -> tuple[VoiceInteraction, FakeOutgoing]:
    interaction = await to_queue(world, number, "2")
    ringing = await world.ring(extension)
    world.advance(5)
    ringing.answer()
    await until(
        lambda: interaction.state is InteractionState.CONNECTED and interaction.agent_id == agent
    )
    world.advance(40)
    return interaction, ringing


async def blind_to_agent(world: World) -> None:
    """13:00 — a1 answers support and transfers by REFER to a2, who completes the call."""
    world.desk.set_not_ready(AgentId("a2"), "lunch")
    world.login("a1", "1001")
    interaction, first = await connected(world, "13400134007", "a1", "1001")
    world.desk.set_available(AgentId("a2"))
    session(first).remote_refer("sip:1002@hotline")
    second = await world.ring("1002")
    world.advance(6)
    second.answer()
    await until(lambda: interaction.agent_id == "a2")
    world.advance(60)
    dispose(world, interaction.interaction_id, "a1", "follow_up", "转给王经理处理退款", "support")
    session(second).remote_hangup()
    await world.heard(interaction, "请为本次服务评分")
    await world.press(interaction, "3")
    await until(lambda: interaction.ended.is_set())
    world.advance(5)
    dispose(world, interaction.interaction_id, "a2", "resolved", "退款已办理", "support")
    await wrap(world, "a1", "a2")


async def blind_to_queue(world: World) -> None:
    """13:30 — a1 answers support and sends the caller to sales; a2 answers there."""
    world.desk.set_not_ready(AgentId("a2"), "break")
    interaction, _ = await connected(world, "13300133008", "a1", "1001")
    world.desk.set_not_ready(AgentId("a1"), "break")
    world.desk.set_available(AgentId("a2"))
    await world.desk.transfer(AgentId("a1"), TransferTarget("queue", "sales"), note="想买年卡")
    again = await world.ring("1002")
    world.advance(7)
    again.answer()
    await until(lambda: interaction.agent_id == "a2")
    world.advance(80)
    session(again).remote_hangup()
    await world.heard(interaction, "请为本次服务评分")
    await world.press(interaction, "4")
    await until(lambda: interaction.ended.is_set())
    world.advance(5)
    dispose(world, interaction.interaction_id, "a2", "sale", "年卡成交", "sales")
    await wrap(world, "a2")
    world.desk.set_available(AgentId("a1"))
    await wrap(world, "a1")


async def consult_then_complete(world: World) -> None:
    """14:00 — a1 consults a2 with a note and hands the caller over; both wrap up."""
    world.desk.set_not_ready(AgentId("a2"), "break")
    interaction, _ = await connected(world, "13200132009", "a1", "1001")
    world.desk.set_available(AgentId("a2"))
    await world.desk.consult(AgentId("a1"), TransferTarget("agent", "a2"), note="账单有疑问")
    second = await world.ring("1002")
    world.advance(4)
    second.answer()
    seat = world.desk.seats[AgentId("a1")]
    await until(
        lambda: seat.consult is not None and seat.consult.leg is not None and seat.consult.leg.is_up
    )
    world.advance(30)
    await world.desk.complete_transfer(AgentId("a1"))
    await until(lambda: interaction.agent_id == "a2")
    world.advance(10)
    dispose(world, interaction.interaction_id, "a1", "follow_up", "账单问题转二线", "support")
    world.advance(90)
    session(second).remote_hangup()
    await world.heard(interaction, "请为本次服务评分")
    await world.press(interaction, "5")
    await until(lambda: interaction.ended.is_set())
    world.advance(5)
    dispose(world, interaction.interaction_id, "a2", "resolved", "账单已更正", "support")
    await wrap(world, "a1", "a2")


async def consult_then_conference(world: World) -> None:
    """15:00 — a1 consults a2, makes it a three-way call and leaves; a2 finishes; CSAT 4."""
    world.desk.set_not_ready(AgentId("a2"), "break")
    interaction, first = await connected(world, "13100131010", "a1", "1001")
    world.desk.set_available(AgentId("a2"))
    await world.desk.consult(AgentId("a1"), TransferTarget("agent", "a2"), note="三方确认")
    second = await world.ring("1002")
    world.advance(5)
    second.answer()
    seat = world.desk.seats[AgentId("a1")]
    await until(
        lambda: seat.consult is not None and seat.consult.leg is not None and seat.consult.leg.is_up
    )
    world.advance(20)
    await world.desk.conference(AgentId("a1"))
    world.advance(60)
    session(first).remote_hangup()
    await until(lambda: interaction.agent_id == "a2")
    world.advance(5)
    dispose(world, interaction.interaction_id, "a1", "resolved", "三方通话已确认身份", "support")
    world.advance(70)
    session(second).remote_hangup()
    await world.heard(interaction, "请为本次服务评分")
    await world.press(interaction, "4")
    await until(lambda: interaction.ended.is_set())
    world.advance(5)
    dispose(world, interaction.interaction_id, "a2", "complaint", "客户投诉已登记", "support")
    await wrap(world, "a1", "a2")


async def ended_in_the_ivr(world: World) -> None:
    """16:00 — a caller hangs up during the menu."""
    interaction = await world.call("15800158012")
    await world.heard(interaction, "售后服务请按2")
    hang_up(interaction)
    await until(lambda: interaction.ended.is_set())


async def answered_last(world: World) -> None:
    """17:00 — a3 answers support; the caller hangs up first (no survey)."""
    world.login("a3", "1003")
    world.desk.set_not_ready(AgentId("a1"), "break")
    world.desk.set_not_ready(AgentId("a2"), "break")
    interaction, _ = await connected(world, "13800138001", "a3", "1003")
    world.advance(60)
    hang_up(interaction)
    await until(lambda: interaction.ended.is_set())
    world.advance(10)
    dispose(world, interaction.interaction_id, "a3", "resolved", "已解答", "support")
    await wrap(world, "a3")
    for agent in ("a1", "a2", "a3"):
        world.desk.logout(AgentId(agent))


SCENARIOS: list[tuple[float, Callable[[World], Awaitable[None]]]] = [
    (0, answered_with_survey),
    (20 * 60, abandoned_after_a_long_wait),
    (40 * 60, voicemail),
    (60 * 60, callbacks),
    (3 * 3600, blind_to_agent),
    (3.5 * 3600, blind_to_queue),
    (4 * 3600, consult_then_complete),
    (5 * 3600, consult_then_conference),
    (6 * 3600, ended_in_the_ivr),
    (7 * 3600, answered_last),
]


async def run_day(tmp: Path) -> World:
    sales = QueueConfig(
        QueueId("sales"),
        skills={"售前": 1},
        wrap_up_s=15,
        overflow=(OverflowStep(10, OverflowAction.OFFER_CALLBACK),),
    )
    world = await make_world(
        tmp, support=QueueConfig(QueueId("support"), wrap_up_s=20), sales=sales
    )
    start = world.clock.now()
    for offset, scenario in SCENARIOS:
        if world.clock.now() < start + offset:
            world.clock.advance(start + offset - world.clock.now())
            world.desk.fire_due()
        await scenario(world)
        await asyncio.sleep(0.05)
    return world


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world = await run_day(Path(tmp))
        engine = create_engine(f"sqlite+aiosqlite:///{tmp}/demo.db")
        await migrate(engine)
        async with engine.begin() as conn:
            await conn.execute(
                insert(tenants).values(
                    id="t1", slug="demo", name="演示中心", language="zh-CN",
                    timezone="Asia/Shanghai", region="CN", sip_domain="demo.hotline",
                    created_at=world.clock.now(), updated_at=world.clock.now(),
                )
            )  # fmt: skip
            batch = list(world.sink.events)
            for i in range(0, len(batch), 100):
                await write_events(conn, batch[i : i + 100])
        projector = InteractionProjector(engine, bus=None)  # type: ignore[arg-type]
        await projector.catch_up("t1")
        async with engine.connect() as conn:
            logged = _rows(await conn.execute(select(events).order_by(events.c.seq)))
            rows = _rows(
                await conn.execute(select(interactions).order_by(interactions.c.started_at))
            )
            cursors = _rows(await conn.execute(select(projection_cursors)))
        await engine.dispose()
    for name, items in (
        ("day.jsonl", logged),
        ("day.interactions.jsonl", rows),
        ("day.cursors.jsonl", cursors),
    ):
        with (OUT / name).open("w", encoding="utf-8") as f:
            for item in items:
                f.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(logged)} events, {len(rows)} interactions")


if __name__ == "__main__":
    asyncio.run(main())
