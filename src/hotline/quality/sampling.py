"""QA sampling rules (抽检规则): which contacts of a center's week become QA evaluation tasks,
and who evaluates each (ADR 0214–0216). Pure: the job (`hotline.quality.sampling_job`) reads
the week's agent segments and the open tasks, asks `select` and `assign`, and writes the tasks.

Rules are applied in the center's order; the first rule that picks a contact owns it, and a
contact that has a task already (from any earlier run) is never picked again. The random rule
is deterministic: a segment's draw is a hash of the center, the ISO week, the rule and the
segment, so a re-run of a week picks the same segments (ADR 0215).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from hotline.quality.errors import QualityInvalid

__all__ = [
    "WEEK_S",
    "Candidate",
    "Pick",
    "RuleKind",
    "SamplingRule",
    "SamplingRules",
    "assign",
    "draw",
    "iso_week",
    "parse_rules",
    "previous_week",
    "select",
    "week_bounds",
]

WEEK_S = 7 * 24 * 3600.0


class RuleKind(StrEnum):
    RANDOM = "random"  # N % of each agent's contacts of the week, at least one
    LOW_RATING = "low_rating"  # every contact rated at or under `at_most` (on 1–5, scaled)
    LONGER_THAN = "longer_than"  # handled longer than `seconds`
    SHORTER_THAN = "shorter_than"  # handled shorter than `seconds`
    DISPOSITION = "disposition"  # wrapped up with one of `dispositions`
    NEW_AGENT = "new_agent"  # every contact of an agent in her first `weeks` weeks


Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]


class SamplingRule(BaseModel):
    """One rule; the fields its kind needs are required (`QualityInvalid` names the one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    kind: RuleKind
    enabled: bool = True
    percent: float | None = Field(default=None, gt=0, le=100)
    at_most: int | None = Field(default=None, ge=1, le=4)
    seconds: float | None = Field(default=None, gt=0, le=86400)
    dispositions: tuple[Annotated[str, StringConstraints(min_length=1, max_length=32)], ...] = ()
    weeks: int | None = Field(default=None, ge=1, le=52)

    @model_validator(mode="after")
    def _needs(self) -> SamplingRule:
        need: dict[RuleKind, str] = {
            RuleKind.RANDOM: "percent",
            RuleKind.LONGER_THAN: "seconds",
            RuleKind.SHORTER_THAN: "seconds",
            RuleKind.DISPOSITION: "dispositions",
            RuleKind.NEW_AGENT: "weeks",
        }
        field = need.get(self.kind)
        if field is not None and not getattr(self, field):
            raise ValueError(f"quality.sampling.{field}_required")
        return self


class SamplingRules(BaseModel):
    """A center's rules in the order they are applied."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: tuple[SamplingRule, ...] = Field(default=(), max_length=20)

    @model_validator(mode="after")
    def _unique(self) -> SamplingRules:
        keys = [r.key for r in self.rules]
        if len(set(keys)) != len(keys):
            raise ValueError("quality.sampling.keys_duplicate")
        return self


# A value out of range names its field: which code says what the field takes.
_FIELD_CODES = {
    "percent": "quality.sampling.percent_range",
    "seconds": "quality.sampling.seconds_range",
    "at_most": "quality.sampling.at_most_range",
    "weeks": "quality.sampling.weeks_range",
    "key": "quality.sampling.key_invalid",
    "dispositions": "quality.sampling.dispositions_invalid",
}


def parse_rules(body: object) -> SamplingRules:
    """The rules, or the first problem as `QualityInvalid` naming the field ("rules.0.percent"):
    nothing is saved from a body with one bad value."""
    try:
        return SamplingRules.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ())]
        message = str(first.get("msg", ""))
        said = [c for c in QualityInvalid.MESSAGES if c.startswith("quality.sampling.")]
        code = next((c for c in said if c in message), None)
        named = next((p for p in reversed(loc) if p in _FIELD_CODES), None)
        if code is None:
            code = _FIELD_CODES[named] if named else "quality.sampling.invalid"
        if named == "dispositions":
            loc = loc[: loc.index("dispositions") + 1]  # the field, not the item
        raise QualityInvalid(code, ".".join(loc) or "rules") from None


@dataclass(frozen=True, slots=True)
class Candidate:
    """An agent segment that ended in the week (a contact handled by one agent)."""

    interaction_id: str
    work_id: str
    agent_id: str
    answered_at: float
    duration_s: float  # answered to ended: talk and hold, no wrap-up
    disposition: str | None = None
    csat: int | None = None
    csat_scale: int | None = None


@dataclass(frozen=True, slots=True)
class Pick:
    candidate: Candidate
    rule: str  # the key of the rule that picked it


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str, timezone: str) -> tuple[float, float]:
    """Monday 00:00 to the next Monday 00:00 of an ISO week ("2026-W49") in the center's
    time zone, as epoch seconds."""
    try:
        year, number = week.split("-W")
        monday = date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        raise ValueError("quality.sampling.week_invalid") from None
    tz = ZoneInfo(timezone)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    nxt = monday + timedelta(days=7)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return start.timestamp(), end.timestamp()


def previous_week(now: float, timezone: str) -> str:
    """The last whole ISO week before `now` in the center's time zone."""
    today = datetime.fromtimestamp(now, ZoneInfo(timezone)).date()
    return iso_week(today - timedelta(days=7))


def draw(tenant_id: str, week: str, rule: str, work_id: str) -> str:
    """The segment's place in the random rule's order (lowest first)."""
    return hashlib.sha256(f"{tenant_id}|{week}|{rule}|{work_id}".encode()).hexdigest()


def _low(c: Candidate, at_most: int) -> bool:
    if c.csat is None:
        return False
    scale = c.csat_scale or 5
    # at_most is on 1–5: scaled like the forced reviews' threshold (2 of 5 → 4 of 10)
    return c.csat <= math.floor(at_most * scale / 5)


def _matches(
    rule: SamplingRule, c: Candidate, agent_since: Mapping[str, float], week_start: float
) -> bool:
    match rule.kind:
        case RuleKind.LOW_RATING:
            return _low(c, rule.at_most or 2)
        case RuleKind.LONGER_THAN:
            return c.duration_s > (rule.seconds or 0)
        case RuleKind.SHORTER_THAN:
            return c.duration_s < (rule.seconds or 0)
        case RuleKind.DISPOSITION:
            return c.disposition is not None and c.disposition in rule.dispositions
        case RuleKind.NEW_AGENT:
            since = agent_since.get(c.agent_id)
            return since is not None and week_start < since + (rule.weeks or 0) * WEEK_S
        case _:
            return False


def select(
    rules: SamplingRules,
    candidates: Iterable[Candidate],
    *,
    tenant_id: str,
    week: str,
    week_start: float,
    agent_since: Mapping[str, float],
    sampled: Iterable[str] = (),
) -> list[Pick]:
    """The week's picks in rule order. `agent_since`: when each agent started (her first
    week counts from it); `sampled`: contacts with a task already. A new agent's week is in
    her first K weeks when it starts before her start plus K weeks."""
    pool = sorted(candidates, key=lambda c: (c.answered_at, c.work_id))
    taken: set[str] = set()
    picks: list[Pick] = []
    for rule in rules.rules:
        if not rule.enabled:
            continue
        if rule.kind is RuleKind.RANDOM:
            chosen = _random(rule, pool, taken, tenant_id, week)
        else:
            chosen = [
                c for c in pool
                if c.interaction_id not in taken
                and _matches(rule, c, agent_since, week_start)
            ]  # fmt: skip
        for c in chosen:
            if c.interaction_id in taken:
                continue  # a transferred contact: both segments matched; the first one counts
            taken.add(c.interaction_id)
            picks.append(Pick(c, rule.key))
    # The week is chosen as if nothing were sampled, then what has a task already is left out:
    # a re-run of the week draws the same contacts and so adds nothing (ADR 0215).
    before = set(sampled)
    return [p for p in picks if p.candidate.interaction_id not in before]


def _random(
    rule: SamplingRule, pool: Sequence[Candidate], taken: set[str], tenant_id: str, week: str
) -> list[Candidate]:
    by_agent: dict[str, list[Candidate]] = {}
    for c in pool:
        by_agent.setdefault(c.agent_id, []).append(c)
    chosen: list[Candidate] = []
    for agent_id in sorted(by_agent):
        mine = by_agent[agent_id]
        want = math.ceil(len(mine) * (rule.percent or 0) / 100)
        free = [c for c in mine if c.interaction_id not in taken]
        free.sort(key=lambda c: draw(tenant_id, week, rule.key, c.work_id))
        picked: set[str] = set()
        for c in free:
            if len(picked) >= want:
                break
            if c.interaction_id not in picked:
                picked.add(c.interaction_id)
                chosen.append(c)
    chosen.sort(key=lambda c: (c.answered_at, c.work_id))
    return chosen


def assign(
    picks: Sequence[Pick],
    evaluators: Sequence[str],
    open_tasks: Mapping[str, int],
    evaluator_agent: Mapping[str, str | None] | None = None,
) -> list[tuple[Pick, str | None]]:
    """Each pick with its evaluator: the one with the fewest open tasks at that moment (ties by
    id), never the agent evaluated herself. None when the center has no one who may take it."""
    load = {e: open_tasks.get(e, 0) for e in evaluators}
    own = evaluator_agent or {}
    out: list[tuple[Pick, str | None]] = []
    for pick in picks:
        able = [e for e in sorted(load) if own.get(e) != pick.candidate.agent_id]
        if not able:
            out.append((pick, None))
            continue
        chosen = min(able, key=lambda e: (load[e], e))
        load[chosen] += 1
        out.append((pick, chosen))
    return out
