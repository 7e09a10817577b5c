"""The matching index: which free agents may take which waiting interactions, without scanning.

Agents and interactions meet through *groups*, one per distinct `Requirement` in use (a queue's
skills, an interaction's extra skills, an overflow's wider set). A group holds

- `members`: every agent meeting the requirement, found once through `SkillIndex`;
- `pools`: per (channel, strategy) the *free* members, best first (`AgentPool`);
- `buckets`: per channel the *routable* interactions needing it, best first by their key;
- counters of members by state and of staffed capacity, for snapshots and EWT.

An interaction arriving looks at the head of one pool per target; an agent freeing up looks at
the head of one bucket per group it belongs to. The invariant the router keeps after every
operation: no free agent meets the requirement of a routable interaction (except one who
declined it). After every change to an agent the router calls `reindex`, which updates only
what moved; `index_out` / `index_in` bracket a change of the agent's groups (a new profile).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from hotline.ids import AgentId, WorkId
from hotline.routing.agent_state import AgentState
from hotline.routing.agents import Agent
from hotline.routing.capacity import Channel
from hotline.routing.ordered import SortedMembers
from hotline.routing.skills import Requirement, SkillIndex
from hotline.routing.strategies import AgentPool, PoolSpec
from hotline.routing.waiting import Target, Waiting

__all__ = ["Dispatcher", "Group"]

_STAFFED = frozenset(
    {AgentState.AVAILABLE, AgentState.RESERVED, AgentState.BUSY, AgentState.WRAP_UP}
)


@dataclass(slots=True, eq=False)
class Group:
    requirement: Requirement
    members: set[AgentId]
    refs: int = 0
    pools: dict[PoolSpec, AgentPool] = field(default_factory=dict)
    buckets: dict[Channel, SortedMembers[WorkId]] = field(default_factory=dict)
    states: dict[AgentState, int] = field(default_factory=dict)
    staffed: dict[Channel, int] = field(default_factory=dict)  # sum of capacity, staffed members


@dataclass(frozen=True, slots=True)
class _Indexed:
    """What was counted for an agent, so that exactly that is taken back later."""

    state: AgentState
    staffed: tuple[tuple[Channel, int], ...]  # capacity counted as staffed (empty if not)

    @classmethod
    def of(cls, agent: Agent) -> _Indexed:
        staffed = tuple(agent.profile.capacity.items()) if agent.state in _STAFFED else ()
        return cls(agent.state, staffed)


class Dispatcher:
    def __init__(self, agents: Mapping[AgentId, Agent], rng: random.Random) -> None:
        self._agents = agents
        self._rng = rng
        self.skills = SkillIndex()
        self._groups: dict[Requirement, Group] = {}
        # groups by one of their skills (the alphabetically first), and those needing none:
        # a new agent is checked only against groups it could possibly meet
        self._by_skill: dict[str, set[Requirement]] = {}
        self._skill_free: set[Requirement] = set()
        self._agent_groups: dict[AgentId, list[Group]] = {}
        self._indexed: dict[AgentId, _Indexed] = {}
        self._sticky: dict[AgentId, SortedMembers[WorkId]] = {}

    # -- groups ---------------------------------------------------------------------------

    def group(self, requirement: Requirement) -> Group | None:
        return self._groups.get(requirement)

    def groups(self) -> Iterator[Group]:
        return iter(self._groups.values())

    def acquire(self, requirement: Requirement) -> Group:
        group = self._groups.get(requirement)
        if group is None:
            group = Group(requirement, self.skills.eligible(requirement))
            self._groups[requirement] = group
            self._index_group(requirement, add=True)
            for agent_id in group.members:
                self._agent_groups[agent_id].append(group)
                indexed = self._indexed.get(agent_id)
                if indexed is not None:
                    self._count(group, indexed, +1)
        group.refs += 1
        return group

    def release(self, requirement: Requirement) -> None:
        group = self._groups[requirement]
        group.refs -= 1
        if group.refs > 0:
            return
        del self._groups[requirement]
        self._index_group(requirement, add=False)
        for agent_id in group.members:
            self._agent_groups[agent_id].remove(group)

    def pool(self, group: Group, spec: PoolSpec) -> AgentPool:
        pool = group.pools.get(spec)
        if pool is None:
            pool = group.pools[spec] = AgentPool(spec, group.requirement)
            for agent_id in group.members:
                agent = self._agents[agent_id]
                if agent_id in self._indexed and agent.free_slots(spec.channel):
                    pool.add(agent)
        return pool

    # -- agents ---------------------------------------------------------------------------

    def add_agent(self, agent: Agent) -> None:
        """A new agent, or a changed profile (call `index_out` first in that case)."""
        agent_id = agent.agent_id
        for group in self._agent_groups.pop(agent_id, []):
            group.members.discard(agent_id)
        self.skills.put(agent.profile)
        candidates = set(self._skill_free)
        for skill in agent.profile.skills:
            candidates.update(self._by_skill.get(skill, ()))
        mine = [self._groups[r] for r in candidates if r.satisfied_by(agent.profile)]
        for group in mine:
            group.members.add(agent_id)
        self._agent_groups[agent_id] = mine

    def _index_group(self, requirement: Requirement, *, add: bool) -> None:
        if not requirement.skills:
            bucket = self._skill_free
        else:
            key = min(s.skill for s in requirement.skills)
            bucket = self._by_skill.setdefault(key, set())
        if add:
            bucket.add(requirement)
        else:
            bucket.discard(requirement)

    def remove_agent(self, agent_id: AgentId) -> None:
        for group in self._agent_groups.pop(agent_id, []):
            group.members.discard(agent_id)
        self.skills.remove(agent_id)
        self._sticky.pop(agent_id, None)

    def groups_of(self, agent_id: AgentId) -> list[Group]:
        return self._agent_groups.get(agent_id, [])

    def index_out(self, agent: Agent) -> None:
        indexed = self._indexed.pop(agent.agent_id, None)
        if indexed is None:
            return
        for group in self._agent_groups[agent.agent_id]:
            self._count(group, indexed, -1)
            for pool in group.pools.values():
                pool.discard(agent.agent_id)

    def reindex(self, agent: Agent) -> None:
        """Bring the counters and pools in line with the agent as it is now."""
        agent_id = agent.agent_id
        new = _Indexed.of(agent)
        old = self._indexed.get(agent_id)
        self._indexed[agent_id] = new
        groups = self._agent_groups[agent_id]
        if old != new:
            for group in groups:
                if old is not None:
                    self._count(group, old, -1)
                self._count(group, new, +1)
        free: dict[Channel, bool] = {}
        for group in groups:
            for spec, pool in group.pools.items():
                channel = spec.channel
                if channel not in free:
                    free[channel] = agent.free_slots(channel) > 0
                if free[channel]:
                    pool.add(agent)
                else:
                    pool.discard(agent_id)

    def index_in(self, agent: Agent) -> None:
        indexed = _Indexed.of(agent)
        self._indexed[agent.agent_id] = indexed
        for group in self._agent_groups[agent.agent_id]:
            self._count(group, indexed, +1)
            for spec, pool in group.pools.items():
                if agent.free_slots(spec.channel):
                    pool.add(agent)

    @staticmethod
    def _count(group: Group, indexed: _Indexed, sign: int) -> None:
        states = group.states
        states[indexed.state] = states.get(indexed.state, 0) + sign
        if indexed.staffed:
            staffed = group.staffed
            for channel, slots in indexed.staffed:
                staffed[channel] = staffed.get(channel, 0) + sign * slots

    # -- interactions ---------------------------------------------------------------------

    def add_routable(self, item: Waiting) -> None:
        for target in item.targets:
            group = self._groups[target.requirement]
            bucket = group.buckets.get(item.channel)
            if bucket is None:
                bucket = group.buckets[item.channel] = SortedMembers()
            bucket.add(item.work_id, item.key)

    def remove_routable(self, item: Waiting) -> None:
        for target in item.targets:
            group = self._groups.get(target.requirement)
            if group is None:
                continue
            bucket = group.buckets.get(item.channel)
            if bucket is not None and bucket.discard(item.work_id) and not bucket:
                del group.buckets[item.channel]

    def add_sticky(self, item: Waiting, agent_id: AgentId) -> None:
        self._sticky.setdefault(agent_id, SortedMembers()).add(item.work_id, item.key)

    def remove_sticky(self, item: Waiting, agent_id: AgentId) -> None:
        line = self._sticky.get(agent_id)
        if line is not None and line.discard(item.work_id) and not line:
            del self._sticky[agent_id]

    def sticky_for(self, agent_id: AgentId) -> list[WorkId]:
        return list(self._sticky.get(agent_id, ()))

    # -- matching -------------------------------------------------------------------------

    def best_agents(self, item: Waiting) -> tuple[Target, list[AgentId]] | None:
        """The agents to offer `item` to: the first target (home queue first) with any free."""
        for target in item.targets:
            pool = self.pool(self._groups[target.requirement], target.spec)
            picked = pool.pick(self._rng, exclude=item.declined_by, limit=target.limit)
            if picked:
                return target, picked
        return None

    def note_offered(self, target: Target, agent: Agent) -> None:
        group = self._groups.get(target.requirement)
        if group is not None and target.spec in group.pools:
            group.pools[target.spec].note_offered(agent)

    def best_item(
        self, agent: Agent, items: Mapping[WorkId, Waiting]
    ) -> tuple[Waiting, Target] | None:
        """The interaction `agent` should take next: its sticky callers first, then the best
        head among the buckets of its groups on channels it has room for."""
        agent_id = agent.agent_id
        sticky = self._sticky.get(agent_id)
        if sticky:
            for work_id in sticky:
                item = items[work_id]
                if agent_id not in item.declined_by and agent.free_slots(item.channel):
                    return item, item.targets[0]
        best: tuple[tuple[float, int], Waiting, Requirement] | None = None
        for group in self._agent_groups.get(agent_id, ()):
            for channel, bucket in group.buckets.items():
                if not agent.free_slots(channel):
                    continue
                for work_id in bucket:
                    item = items[work_id]
                    if agent_id in item.declined_by:
                        continue
                    if best is None or item.key < best[0]:
                        best = (item.key, item, group.requirement)
                    break
        if best is None:
            return None
        _, item, requirement = best
        target = next(t for t in item.targets if t.requirement == requirement)
        return item, target
