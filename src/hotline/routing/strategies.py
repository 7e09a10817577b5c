"""Agent-selection strategies: which of several free agents gets the interaction.

Each strategy is a sort key over the agent's own figures, so the free agents of one requirement
and channel sit in a `SortedMembers` pool ordered best-first and a decision is a look at the
head, not a scan. Keys that depend on time use a figure fixed until the agent changes: "idle the
longest" is "became available the earliest" (`idle_since`), and the weighted score's idle term
is `−weight × idle_since`, since every agent's score moves with the clock at the same rate.

On channels with capacity above one (chat, email) the least loaded agents come first, then the
strategy's order. `random` draws uniformly from the pool; `round_robin` takes the next agent after
the last one offered, in configuration order; `ring_all` takes everyone, up to a limit.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Container
from dataclasses import dataclass
from itertools import chain
from typing import Any

from hotline.ids import AgentId
from hotline.routing.agents import Agent
from hotline.routing.capacity import EXCLUSIVE_CHANNELS, Channel
from hotline.routing.ordered import SortedMembers
from hotline.routing.queues import ScoreWeights, Strategy
from hotline.routing.skills import Requirement

__all__ = ["AgentPool", "PoolSpec"]

_BY_CONFIG_ORDER = frozenset({Strategy.RANDOM, Strategy.ROUND_ROBIN, Strategy.RING_ALL})


@dataclass(frozen=True, slots=True)
class PoolSpec:
    """What makes two pools the same: channel, strategy and (for `weighted`) the weights."""

    channel: Channel
    strategy: Strategy
    weights: ScoreWeights | None = None


def _key_function(spec: PoolSpec, requirement: Requirement) -> Callable[[Agent], tuple[Any, ...]]:
    strategy, weights = spec.strategy, spec.weights or ScoreWeights()
    if strategy in _BY_CONFIG_ORDER:
        return lambda a: (a.ordinal,)
    if strategy is Strategy.LONGEST_IDLE:
        return lambda a: (a.idle_since, a.ordinal)
    if strategy is Strategy.FEWEST_HANDLED:
        return lambda a: (a.handled, a.idle_since, a.ordinal)
    if strategy is Strategy.MOST_SKILLED:
        return lambda a: (-requirement.score(a.profile), a.idle_since, a.ordinal)

    def weighted(a: Agent) -> tuple[Any, ...]:
        score = (
            -a.idle_since
            + weights.proficiency_s * requirement.score(a.profile)
            - weights.handled_s * a.handled
        )
        return (-score, a.ordinal)

    return weighted


class AgentPool:
    """The free agents of one requirement on one channel, best first by one strategy."""

    __slots__ = ("_key", "_load_first", "last_offered", "members", "spec")

    def __init__(self, spec: PoolSpec, requirement: Requirement) -> None:
        self.spec = spec
        self.members: SortedMembers[AgentId] = SortedMembers()
        self.last_offered = -1  # ordinal, for round robin
        base = _key_function(spec, requirement)
        self._load_first = (
            spec.channel not in EXCLUSIVE_CHANNELS and spec.strategy not in _BY_CONFIG_ORDER
        )
        channel = spec.channel
        if self._load_first:
            self._key: Callable[[Agent], tuple[Any, ...]] = lambda a: (
                a.load.get(channel, 0),
                *base(a),
            )
        else:
            self._key = base

    def add(self, agent: Agent) -> None:
        self.members.add(agent.agent_id, self._key(agent))

    def discard(self, agent_id: AgentId) -> None:
        self.members.discard(agent_id)

    def __len__(self) -> int:
        return len(self.members)

    def pick(
        self, rng: random.Random, *, exclude: Container[AgentId] = (), limit: int = 1
    ) -> list[AgentId]:
        """Up to `limit` agents to offer to, best first (for `ring_all`, `limit` of them)."""
        members = self.members
        if not members:
            return []
        strategy = self.spec.strategy
        if strategy is Strategy.RANDOM:
            choice = members.at(rng.randrange(len(members)))
            if choice not in exclude:
                return [choice]
            allowed = [a for a in members if a not in exclude]
            return [rng.choice(allowed)] if allowed else []
        if strategy is Strategy.ROUND_ROBIN:
            # the next ordinal after the last one offered, wrapping round to the start
            for agent_id in chain(members.iter_from((self.last_offered + 1,)), members):
                if agent_id not in exclude:
                    return [agent_id]
            return []
        picked: list[AgentId] = []
        for agent_id in members:
            if agent_id not in exclude:
                picked.append(agent_id)
                if len(picked) >= (limit if strategy is Strategy.RING_ALL else 1):
                    break
        return picked

    def note_offered(self, agent: Agent) -> None:
        self.last_offered = agent.ordinal
