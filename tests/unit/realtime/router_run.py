"""A seeded stretch of a contact center's day driven through the real `Router`.

Callers arrive, wait, ring agents, get answered or rejected, give up, book callbacks; agents
talk, wrap up, take breaks, log out and in; some callers answer a survey. The router's events
(plus the surveys) become the records the projection is fed, exactly as in the server. Tests
use it for replay determinism and to compare the projection with the router's own state.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from hotline.clock import FakeClock
from hotline.events import EventRecord, ListSink
from hotline.flows.events import SurveyAnswered
from hotline.ids import AgentId, QueueId, TenantId, WorkId
from hotline.routing import Router
from hotline.routing.agent_state import AgentState
from hotline.routing.agents import AgentProfile
from hotline.routing.core import RouterSettings
from hotline.routing.decisions import (
    CancelOffer,
    Decision,
    DialCallback,
    Exited,
    Offer,
    Overflow,
    Rejected,
)
from hotline.routing.errors import CallbackRefused, NotWaiting
from hotline.routing.queues import QueueConfig

from .feed import SHANGHAI, TENANT, record

AGENT_SKILLS = {
    "a0": ("sales",),
    "a1": ("sales",),
    "a2": ("sales", "support"),
    "a3": ("support",),
    "a4": ("support",),
    "a5": ("sales", "support"),
}

MEMBERS = {
    queue: frozenset(a for a, skills in AGENT_SKILLS.items() if queue in skills)
    for queue in ("sales", "support")
}


@dataclass
class RouterRun:
    """Drives the router second by second; `on_tick` sees the records of each second."""

    start: float
    seed: int = 1
    clock: FakeClock = field(init=False)
    sink: ListSink = field(default_factory=ListSink)
    records: list[EventRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clock = FakeClock(self.start)
        self.rng = random.Random(self.seed)
        settings = RouterSettings(tz=SHANGHAI)
        self.router = Router(TenantId(TENANT), self.sink, settings=settings, rng=self.rng)
        now = self.start
        self.router.configure_queue(
            QueueConfig(QueueId("sales"), skills={"sales": 1}, wrap_up_s=20.0, max_wait_s=100.0),
            now=now,
        )
        self.router.configure_queue(
            QueueConfig(QueueId("support"), skills={"support": 1}, wrap_up_s=0.0), now=now
        )
        for agent, skills in AGENT_SKILLS.items():
            profile = AgentProfile(AgentId(agent), skills=dict.fromkeys(skills, 5))
            self.router.configure_agent(profile, now=now)
            self.router.login(AgentId(agent), now=now, ready=True)
        self._ringing: dict[tuple[str, str], float] = {}  # (interaction, agent) → answer at
        self._callers: dict[str, float] = {}  # interaction → gives up at
        self._talking: dict[str, float] = {}  # interaction → hangs up at
        self._breaks: dict[str, float] = {}  # agent → back at
        self._next = 0
        self._flush()

    @property
    def now(self) -> float:
        return self.clock.now()

    def run(self, seconds: int, on_tick: Callable[[list[EventRecord]], None] | None = None) -> None:
        for _ in range(seconds):
            self.clock.advance(1.0)
            self._tick()
            fresh = self._flush()
            if on_tick is not None:
                on_tick(fresh)

    def _flush(self) -> list[EventRecord]:
        fresh = []
        for event in self.sink.events[len(self.records) :]:
            fresh.append(record(event, len(self.records) + len(fresh) + 1))
        self.records.extend(fresh)
        return fresh

    def _do(self, decisions: list[Decision]) -> None:
        rng, now = self.rng, self.now
        for d in decisions:
            if isinstance(d, Offer | DialCallback):
                self._ringing[(d.work_id, d.agent_id)] = now + rng.uniform(1, 20)
            elif isinstance(d, CancelOffer):
                self._ringing.pop((d.work_id, d.agent_id), None)
            elif isinstance(d, Exited | Rejected) or (isinstance(d, Overflow) and d.left_queue):
                self._callers.pop(d.work_id, None)

    def _tick(self) -> None:
        rng, now, router = self.rng, self.now, self.router
        timer = router.next_timer()
        if timer is not None and timer <= now:
            self._do(router.on_timer(now=now))
        if rng.random() < 0.04:
            self._next += 1
            interaction = f"i{self._next}"
            queue = rng.choice(["sales", "support"])
            self._callers[interaction] = now + rng.expovariate(1 / 90)
            self._do(router.enqueue(WorkId(interaction), QueueId(queue), now=now))
        for (interaction, agent), at in sorted(self._ringing.items()):
            if at > now or (interaction, agent) not in self._ringing:
                continue
            del self._ringing[(interaction, agent)]
            self._answer_or_not(interaction, agent)
        for interaction, at in sorted(self._callers.items()):
            if at <= now and interaction in self._callers:
                self._give_up(interaction)
        for interaction, at in sorted(self._talking.items()):
            if at <= now:
                del self._talking[interaction]
                self._do(router.interaction_ended(WorkId(interaction), now=now))
                if rng.random() < 0.5:
                    self.sink.emit(
                        SurveyAnswered(
                            tenant_id=TENANT,
                            at=now,
                            interaction_id=interaction,
                            node="survey",
                            rating=rng.randint(1, 5),
                            scale=5,
                        )
                    )
        self._agents_move()

    def _answer_or_not(self, interaction: str, agent: str) -> None:
        rng, now, router = self.rng, self.now, self.router
        callback = interaction not in self._callers
        if callback and rng.random() < 0.2:
            self._do(router.callback_failed(WorkId(interaction), now=now))
        elif not callback and rng.random() < 0.1:
            self._do(router.offer_rejected(WorkId(interaction), AgentId(agent), now=now))
            self._breaks.setdefault(agent, now + 30.0)  # RONA made it not ready: back soon
        else:
            self._callers.pop(interaction, None)
            self._do(router.offer_answered(WorkId(interaction), AgentId(agent), now=now))
            self._talking[interaction] = now + rng.expovariate(1 / 100)

    def _give_up(self, interaction: str) -> None:
        rng, now, router = self.rng, self.now, self.router
        ringing = any(i == interaction for i, _ in self._ringing)
        del self._callers[interaction]
        if not ringing and rng.random() < 0.3:
            try:
                self._do(router.request_callback(WorkId(interaction), "138", now=now))
                return
            except (CallbackRefused, NotWaiting):
                pass
        self._do(router.abandon(WorkId(interaction), now=now))
        for key in [k for k in self._ringing if k[0] == interaction]:
            del self._ringing[key]

    def _agents_move(self) -> None:
        rng, now, router = self.rng, self.now, self.router
        for agent, back in sorted(self._breaks.items()):
            if back <= now:
                del self._breaks[agent]
                snapshot = router.agent_snapshot(AgentId(agent), now=now)
                if snapshot.state is AgentState.LOGGED_OUT:
                    self._do(router.login(AgentId(agent), now=now, ready=True))
                else:
                    self._do(router.set_available(AgentId(agent), now=now))
        if rng.random() < 0.01:
            agent = rng.choice(sorted(AGENT_SKILLS))
            if agent not in self._breaks:
                self._breaks[agent] = now + rng.uniform(60, 400)
                if rng.random() < 0.3:
                    self._do(router.logout(AgentId(agent), now=now))
                else:
                    self._do(router.set_not_ready(AgentId(agent), "break", now=now))
