"""Skill requirements and the inverted index that finds the agents meeting them.

A `Requirement` is what an interaction needs from an agent: every listed skill at or above its
minimum proficiency, and (if any teams are named) membership of one of those teams. Requirements
are values: overflow steps derive wider ones (`without`, `lowered`), and the dispatcher keeps one
group of eligible agents per distinct requirement, found through `SkillIndex` by intersecting
per-skill postings rather than scanning every agent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hotline.ids import AgentId
from hotline.routing.agents import MAX_PROFICIENCY, MIN_PROFICIENCY, AgentProfile
from hotline.routing.errors import InvalidRoutingConfig

__all__ = ["Requirement", "SkillIndex", "SkillRequirement"]


@dataclass(frozen=True, slots=True, order=True)
class SkillRequirement:
    skill: str
    min_proficiency: int = MIN_PROFICIENCY

    def __post_init__(self) -> None:
        if not self.skill:
            raise InvalidRoutingConfig("a required skill needs a name", field="skills")
        if not MIN_PROFICIENCY <= self.min_proficiency <= MAX_PROFICIENCY:
            raise InvalidRoutingConfig(
                f"minimum proficiency of {self.skill!r} must be "
                f"{MIN_PROFICIENCY}–{MAX_PROFICIENCY}, not {self.min_proficiency}",
                field=f"skills.{self.skill}",
            )

    def __str__(self) -> str:
        return f"{self.skill}>={self.min_proficiency}"


@dataclass(frozen=True, slots=True)
class Requirement:
    """All of `skills`, and one of `teams` when `teams` is not empty."""

    skills: frozenset[SkillRequirement] = frozenset()
    teams: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        skills: Mapping[str, int] | Iterable[str | SkillRequirement] = (),
        teams: Iterable[str] = (),
    ) -> Requirement:
        """Build from `{"billing": 5}`, `["billing"]` (any proficiency) or `SkillRequirement`s.

        A skill named twice keeps its highest minimum.
        """
        items: list[SkillRequirement] = []
        if isinstance(skills, Mapping):
            items = [SkillRequirement(name, level) for name, level in skills.items()]
        else:
            for entry in skills:
                items.append(
                    entry if isinstance(entry, SkillRequirement) else SkillRequirement(entry)
                )
        best: dict[str, int] = {}
        for item in items:
            best[item.skill] = max(best.get(item.skill, 0), item.min_proficiency)
        return cls(
            frozenset(SkillRequirement(name, level) for name, level in best.items()),
            frozenset(teams),
        )

    def satisfied_by(self, profile: AgentProfile) -> bool:
        if self.teams and not (self.teams & profile.teams):
            return False
        return all(profile.skills.get(s.skill, 0) >= s.min_proficiency for s in self.skills)

    def merged(self, other: Requirement) -> Requirement:
        """Both requirements at once (an interaction's own skills on top of its queue's)."""
        both = bool(self.teams and other.teams)
        teams = self.teams & other.teams if both else self.teams | other.teams
        return Requirement.of([*self.skills, *other.skills], teams)

    def without(self, skills: Iterable[str] = ()) -> Requirement:
        """Widen: drop the named skills (all of them when none are named)."""
        names = frozenset(skills)
        kept = frozenset(s for s in self.skills if names and s.skill not in names)
        return Requirement(kept, self.teams)

    def lowered(self, to: int, skills: Iterable[str] = ()) -> Requirement:
        """Lower the minimum proficiency of the named skills (all when none named) to `to`."""
        names = frozenset(skills)
        return Requirement(
            frozenset(
                SkillRequirement(s.skill, min(s.min_proficiency, to))
                if not names or s.skill in names
                else s
                for s in self.skills
            ),
            self.teams,
        )

    def score(self, profile: AgentProfile) -> float:
        """Mean proficiency over the required skills (0 when none are required)."""
        if not self.skills:
            return 0.0
        return sum(profile.skills.get(s.skill, 0) for s in self.skills) / len(self.skills)

    def labels(self) -> tuple[str, ...]:
        return tuple(sorted(str(s) for s in self.skills))


class SkillIndex:
    """Postings skill → {agent: proficiency} and team → {agents}, kept as profiles change."""

    def __init__(self) -> None:
        self._profiles: dict[AgentId, AgentProfile] = {}
        self._by_skill: dict[str, dict[AgentId, int]] = {}
        self._by_team: dict[str, set[AgentId]] = {}

    def put(self, profile: AgentProfile) -> None:
        self.remove(profile.agent_id)
        self._profiles[profile.agent_id] = profile
        for skill, level in profile.skills.items():
            self._by_skill.setdefault(skill, {})[profile.agent_id] = level
        for team in profile.teams:
            self._by_team.setdefault(team, set()).add(profile.agent_id)

    def remove(self, agent_id: AgentId) -> None:
        old = self._profiles.pop(agent_id, None)
        if old is None:
            return
        for skill in old.skills:
            posting = self._by_skill[skill]
            del posting[agent_id]
            if not posting:
                del self._by_skill[skill]
        for team in old.teams:
            members = self._by_team[team]
            members.discard(agent_id)
            if not members:
                del self._by_team[team]

    def eligible(self, requirement: Requirement) -> set[AgentId]:
        """Every agent meeting `requirement`, starting from its rarest skill's posting."""
        candidates: Iterable[AgentId]
        if requirement.skills:
            postings: list[dict[AgentId, int]] = [
                self._by_skill.get(s.skill, {}) for s in requirement.skills
            ]
            rarest = min(postings, key=len)
            candidates = rarest
        elif requirement.teams:
            candidates = set().union(*(self._by_team.get(t, set()) for t in requirement.teams))
        else:
            candidates = self._profiles
        return {a for a in candidates if requirement.satisfied_by(self._profiles[a])}
