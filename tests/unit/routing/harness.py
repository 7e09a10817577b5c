"""A router on a fake clock with a list sink, and short helpers to drive it in tests."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from hotline.clock import FakeClock
from hotline.events import DomainEvent, ListSink
from hotline.ids import AgentId, QueueId, TenantId, WorkId
from hotline.routing.agent_state import AgentState
from hotline.routing.agents import AgentProfile
from hotline.routing.capacity import Channel
from hotline.routing.decisions import Decision, Offer
from hotline.routing.queues import QueueConfig
from hotline.routing.router import Router, RouterSettings

E = TypeVar("E", bound=DomainEvent)
D = TypeVar("D")


class Harness:
    def __init__(
        self,
        clock: FakeClock | None = None,
        *,
        settings: RouterSettings | None = None,
        seed: int = 7,
    ) -> None:
        self.clock = clock or FakeClock()
        self.sink = ListSink()
        self.router = Router(TenantId("t1"), self.sink, settings=settings, rng=random.Random(seed))
        self.decisions: list[Decision] = []

    @property
    def now(self) -> float:
        return self.clock.now()

    def keep(self, decisions: list[Decision]) -> list[Decision]:
        self.decisions.extend(decisions)
        return decisions

    def queue(self, queue_id: str = "q", **kwargs: Any) -> QueueConfig:
        config = QueueConfig(QueueId(queue_id), **kwargs)
        self.keep(self.router.configure_queue(config, now=self.now))
        return config

    def agent(
        self,
        agent_id: str,
        skills: Mapping[str, int] | None = None,
        *,
        ready: bool = True,
        teams: Iterable[str] = (),
        capacity: Mapping[Channel, int] | None = None,
    ) -> list[Decision]:
        profile = AgentProfile(
            AgentId(agent_id),
            skills=dict(skills or {}),
            teams=frozenset(teams),
            **({"capacity": capacity} if capacity is not None else {}),
        )
        out = self.keep(self.router.configure_agent(profile, now=self.now))
        if ready:
            out += self.keep(self.router.login(AgentId(agent_id), now=self.now, ready=True))
        return out

    def call(self, work_id: str, queue_id: str = "q", **kwargs: Any) -> list[Decision]:
        return self.keep(
            self.router.enqueue(WorkId(work_id), QueueId(queue_id), now=self.now, **kwargs)
        )

    def answer(self, work_id: str, agent_id: str) -> list[Decision]:
        return self.keep(
            self.router.offer_answered(WorkId(work_id), AgentId(agent_id), now=self.now)
        )

    def hang_up(self, work_id: str) -> list[Decision]:
        return self.keep(self.router.interaction_ended(WorkId(work_id), now=self.now))

    def advance(self, seconds: float) -> list[Decision]:
        """Move the clock, firing router timers at their exact times on the way."""
        target = self.now + seconds
        out: list[Decision] = []
        while (due := self.router.next_timer()) is not None and due <= target:
            self.clock.set(max(due, self.now))
            out += self.router.on_timer(now=self.now)
        self.clock.set(target)
        return self.keep(out)

    def state(self, agent_id: str) -> AgentState:
        return self.router.agent_snapshot(AgentId(agent_id), now=self.now).state

    def events(self, cls: type[E]) -> list[E]:
        return self.sink.of_type(cls)


def offers(decisions: Iterable[Decision]) -> list[tuple[str, str]]:
    """(interaction, agent) of every `Offer` in order."""
    return [(d.work_id, d.agent_id) for d in decisions if isinstance(d, Offer)]


def of_type(decisions: Iterable[Any], cls: type[D]) -> list[D]:
    return [d for d in decisions if isinstance(d, cls)]
