"""The golden day (issue 16): 40 contacts with known outcomes, made by the real router, flow
interpreter and interaction core on fakes (tests/unit/interactions/harness.py) in virtual
time. Each contact's outcome is in `SCRIPT`; the hand-computed figures are in
test_golden_day.py. Dispositions are saved as the contact service saves them (the same event
class through the same sink).

Times: Wednesday 2026-11-25 from 10:00 in Shanghai; the last call starts at 23:58 and its
after-call work ends after midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from hotline.crm.contact_events import InteractionDispositioned
from hotline.events import DomainEvent
from hotline.flows import parse_flow
from hotline.ids import AgentId, InteractionId, QueueId
from hotline.interactions import ContactState, TransferTarget
from hotline.routing import OverflowAction, OverflowStep, QueueConfig
from tests.unit.interactions.harness import (
    DEMO_FLOW,
    VIP_NUMBER,
    WEDNESDAY_10AM_SHANGHAI,
    CallHandle,
    World,
    hang_up,
    make_world,
    until,
)

START = WEDNESDAY_10AM_SHANGHAI
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EXT = {"a1": "1001", "a2": "1002", "a3": "1003"}


@dataclass(frozen=True)
class Call:
    """One scripted contact. kind: answered | abandoned | transfer | callback | voicemail."""

    kind: str
    number: str
    wait: float = 0.0
    talk: float = 60.0
    rating: int | None = None  # the survey (None: the customer hangs up, no survey)
    agent: str = "a1"
    key: str = "2"  # 2 support, 1 sales
    disposition: tuple[str, str] | None = None  # (code, category)
    resolved: bool | None = None  # the agent's "resolved?" answer at wrap-up


def _numbers() -> list[Call]:
    calls: list[Call] = []
    # 20 answered in support by a1: 10 within 20 s, 4 at exactly 20 s, 6 over
    waits = [10.0] * 10 + [20.0] * 4 + [30.0] * 6
    ratings: list[int | None] = [5] * 10 + [4] * 3 + [2] * 2 + [1] + [None] * 4
    for n, (wait, rating) in enumerate(zip(waits, ratings, strict=True)):
        code = ("查询余额", "resolved") if n % 2 == 0 else ("修改套餐", "resolved")
        # the first one's agent answers "not resolved": with no repeat contact and no
        # transfer it is resolved all the same (GLOSSARY: "… not transferred, or marked")
        calls.append(
            Call("answered", f"1380000{n:04d}", wait=wait, rating=rating, disposition=code,
                 resolved=False if n == 0 else None)
        )  # fmt: skip
    # 7 abandoned in support: 3 short (3 s), 4 long (40 s)
    calls += [Call("abandoned", f"1381000{n:04d}", wait=3.0) for n in range(3)]
    calls += [Call("abandoned", f"1381100{n:04d}", wait=40.0) for n in range(4)]
    # 2 answered by a1 after 5 s, blind-transferred to sales, answered by a2 after 8 s
    # the first one's second agent marks it resolved: transferred, yet resolved
    calls += [
        Call("transfer", f"1382000{n:04d}", wait=5.0, talk=30.0, rating=5,
             disposition=("修改套餐", "resolved") if n == 0 else None,
             resolved=True if n == 0 else None)
        for n in range(2)
    ]  # fmt: skip
    # 1 callback kept in sales, called back by a2
    calls.append(Call("callback", "13830000000", wait=10.0, agent="a2", key="1"))
    # 2 voicemails: nobody answers support within its 120 s
    calls += [Call("voicemail", f"1384000{n:04d}", wait=120.0) for n in range(2)]
    # 3 customers who call back the same day: their first contacts are not resolved, but
    # for the first, which its agent marked resolved at wrap-up (after the call ended)
    for n in range(3):
        calls.append(
            Call("answered", f"1385000{n:04d}", wait=10.0, rating=4,
                 disposition=("查询余额", "resolved") if n == 0 else None,
                 resolved=True if n == 0 else None)
        )  # fmt: skip
    for n in range(3):
        calls.append(Call("answered", f"1385000{n:04d}", wait=10.0, rating=5))
    # the VIP twice: answered after 10 s (within her 15 s) and after 18 s (over it)
    calls.append(Call("answered", VIP_NUMBER, wait=10.0, rating=5))
    calls.append(Call("answered", VIP_NUMBER, wait=18.0, rating=3))
    # 2 sales answered by a2, sold
    calls += [
        Call("answered", f"1386000{n:04d}", wait=6.0, talk=90.0, agent="a2", key="1",
             rating=5, disposition=("开通新套餐", "sale"))
        for n in range(2)
    ]  # fmt: skip
    return calls


SCRIPT = _numbers()
MIDNIGHT_CALL = Call("answered", "13870000000", wait=10.0, talk=60.0, rating=None)


class GoldenDay:
    def __init__(self, world: World) -> None:
        self.world = world

    def agent(self, name: str) -> AgentId:
        return AgentId(name)

    async def queued(self, call: Call) -> CallHandle:
        world = self.world
        handle = await world.call(call.number)
        await world.heard(handle, "售后服务请按2")
        await world.press(handle, call.key)
        await until(lambda: handle.state is ContactState.QUEUED)
        return handle

    async def answer(self, call: Call, handle: CallHandle, agent: str) -> object:
        world = self.world
        world.advance(call.wait)
        world.desk.set_available(self.agent(agent))
        ringing = await world.ring(EXT[agent])
        ringing.answer()  # type: ignore[attr-defined]
        await until(lambda: handle.state is ContactState.CONNECTED)
        return ringing

    async def finish(self, call: Call, handle: CallHandle, ringing: object, agent: str) -> None:
        world = self.world
        world.advance(call.talk)
        if call.rating is None:
            hang_up(handle)
        else:
            ringing.session.remote_hangup()  # type: ignore[attr-defined]
            await world.heard(handle, "请为本次服务评分")
            await world.press(handle, str(call.rating))
        await until(lambda: handle.ended.is_set())
        if call.disposition is not None:
            self.dispose(handle, agent, *call.disposition, resolved=call.resolved)

    def dispose(
        self, handle: CallHandle, agent: str, code: str, category: str, *, resolved: bool | None
    ) -> None:
        world = self.world
        segment = world.desk.disposition_saved(
            self.agent(agent), InteractionId(handle.interaction_id)
        )
        world.sink.emit(
            InteractionDispositioned(
                tenant_id=world.desk.tenant_id, at=world.clock.now(),
                interaction_id=handle.interaction_id, agent_id=agent, disposition=code,
                category=category, sale=category == "sale", notes="", queue_id=None,
                work_id=segment or None, resolved=resolved,
            )
        )  # fmt: skip

    async def rest(self, agent: str) -> None:
        """After the call: the wrap-up timer runs out, then a break until the next call."""
        world = self.world
        world.advance(10.0)
        await until(lambda: world.state(agent) == "available")
        world.desk.set_not_ready(self.agent(agent), "break")
        world.advance(60.0)

    async def play(self, call: Call) -> None:
        world = self.world
        handle = await self.queued(call)
        if call.kind == "answered":
            ringing = await self.answer(call, handle, call.agent)
            await self.finish(call, handle, ringing, call.agent)
            await self.rest(call.agent)
        elif call.kind == "abandoned":
            world.advance(call.wait)
            hang_up(handle)
            await until(lambda: handle.ended.is_set())
            world.advance(60.0)
        elif call.kind == "transfer":
            await self.answer(call, handle, "a1")
            world.advance(call.talk)
            await world.desk.transfer(self.agent("a1"), TransferTarget("queue", "sales"), note=None)
            world.advance(10.0)  # a1's after-call work; the caller waits in sales meanwhile
            await until(lambda: world.state("a1") == "available")
            world.desk.set_not_ready(self.agent("a1"), "break")
            second = await self.answer(Call("answered", call.number), handle, "a2")
            await until(lambda: handle.agent_id == "a2")
            await self.finish(call, handle, second, "a2")
            await self.rest("a2")
        elif call.kind == "callback":
            world.advance(call.wait)  # the sales queue offers the callback at 10 s
            await world.heard(handle, "保留排队位置并由我们回电")
            await world.press(handle, "1")
            await world.heard(handle, "我们将回拨")
            await world.press(handle, "1")
            await until(lambda: handle.state is ContactState.CALLBACK)
            world.advance(50.0)
            world.desk.set_available(self.agent("a2"))
            (await world.ring("1002")).answer()  # type: ignore[attr-defined]
            customer = await world.ring(call.number)
            customer.answer()
            await until(lambda: handle.state is ContactState.CONNECTED)
            world.advance(20.0)
            assert customer.session is not None
            customer.session.remote_hangup()
            await until(lambda: handle.ended.is_set())
            await self.rest("a2")
        elif call.kind == "voicemail":
            world.advance(call.wait)
            await world.heard(handle, "请在提示音后留言")
            await self.leave_message(handle)
            world.advance(60.0)

    async def leave_message(self, handle: CallHandle) -> None:
        world = self.world
        frames = None

        def tap_ready() -> bool:
            nonlocal frames
            frames = next(
                (e for e in world.media.endpoints.values() if e.frame_port and not e.released), None
            )
            return frames is not None

        await until(tap_ready)
        assert frames is not None
        assert frames.frame_port is not None
        t = np.arange(8000) / 8000
        pcm = (6000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
        for i in range(0, len(pcm), 160):
            frames.frame_port.deliver(pcm[i : i + 160])
        await world.press(handle, "#")
        await until(lambda: handle.ended.is_set())

    async def midnight(self) -> None:
        """23:58: a call whose after-call work (extended by 2 minutes) ends after midnight."""
        world = self.world
        world.advance(START + 13 * 3600 + 58 * 60 - world.clock.now())
        call = MIDNIGHT_CALL
        handle = await self.queued(call)
        ringing = await self.answer(call, handle, "a1")
        await self.finish(call, handle, ringing, "a1")
        world.desk.extend_wrap_up(self.agent("a1"), 120.0)
        world.advance(130.0)  # 00:00:10 + 2 min 10 s: the timer (10 s + 120 s) ran out
        await until(lambda: world.state("a1") == "available")
        world.desk.logout(self.agent("a1"))
        world.desk.logout(self.agent("a2"))


async def golden_day(tmp: Path) -> list[DomainEvent]:
    """Play the whole day; every event the live system wrote, in order."""
    support = QueueConfig(QueueId("support"), wrap_up_s=10.0, max_wait_s=120.0)
    sales = QueueConfig(
        QueueId("sales"),
        skills={"售前": 1},
        overflow=(OverflowStep(10, OverflowAction.OFFER_CALLBACK),),
        wrap_up_s=10.0,
    )
    world = await make_world(tmp, support=support, sales=sales)
    # the center is open around the clock on this day (the demo calendar closes at 18:00)
    flow = yaml.safe_load(DEMO_FLOW.read_text(encoding="utf-8"))
    flow["calendars"]["business"] = {"weekly": {key: ["00:00-24:00"] for key in DAYS}}
    await world.telephony.flows.publish(world.desk.tenant_id, parse_flow(flow))
    world.login("a1", "1001", ready=False)
    world.login("a2", "1002", ready=False)
    day = GoldenDay(world)
    for call in SCRIPT:
        await day.play(call)
    await day.midnight()
    return list(world.sink.events)
