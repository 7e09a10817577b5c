"""The center's configuration as the router sees it: queues → `QueueConfig`, agents →
`AgentProfile` (DESIGN §10: the router owns agent state and queues; the configuration comes
from the admin pages).

Routing keys are names an admin recognises and flows use: a queue's code (`support`), skill
names (`售后`), team names. Queue `options` (JSON) carry the routing extras the admin form does
not show yet: `ring_timeout_s`, `sticky_wait_s`, `announce_first_s`, `announce_every_s`,
`priority_credit_s`, `expected_aht_s`, `flush_when_closed`, `callbacks`, `overflow` (a list of
`{"after_s": 60, "action": "voicemail", …}`), `teams` (names). A queue's business hours are
its calendar compiled by `hotline.hours` — the same shared object the flows' hours node asks
(docs/hours.md): holidays, make-up workdays and days with their own hours mean the same in both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hotline.auth.model import Principal
from hotline.directory.ports import Repos
from hotline.directory.service import DirectoryService
from hotline.hours import BusinessCalendar, calendar_from_record
from hotline.ids import AgentId, QueueId
from hotline.routing import (
    AgentProfile,
    Blend,
    Channel,
    OverflowAction,
    OverflowStep,
    QueueConfig,
    ServiceLevelTarget,
    Strategy,
)

__all__ = [
    "RoutingConfig",
    "agent_profile",
    "holiday_entries",
    "load_routing_config",
    "opening_hours",
    "queue_config",
]

_DAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DAY_NAMES = tuple(_DAY_INDEX)


@dataclass(frozen=True, slots=True)
class RoutingConfig:
    """One tenant's queues and agents, keyed by the router's ids."""

    queues: dict[QueueId, QueueConfig]
    agents: dict[AgentId, AgentProfile]
    # Agents' phones: extension per agent and phone mode ("sip" | "browser").
    extensions: dict[AgentId, str | None]
    phone_modes: dict[AgentId, str]
    # Database id → router id of each queue, for `config.changed` events.
    queue_keys: dict[str, QueueId]

    def members(self, queue_id: QueueId) -> frozenset[AgentId]:
        """The agents the router may offer this queue's contacts to: the router's own rule
        (`Requirement`: skills at their proficiency, and teams), never a copy of it."""
        requirement = self.queues[queue_id].requirement
        return frozenset(a for a, p in self.agents.items() if requirement.satisfied_by(p))

    def queues_of(self, agent_id: AgentId) -> list[QueueId]:
        """The queues whose contacts the router may offer this agent ("my queues")."""
        profile = self.agents.get(agent_id)
        if profile is None:
            return []
        return sorted(q for q, c in self.queues.items() if c.requirement.satisfied_by(profile))


def opening_hours(
    calendar: Mapping[str, Any],
    holiday_sets: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> BusinessCalendar:
    """A stored calendar (with its linked holiday calendars' entries) as the engine."""
    return calendar_from_record(calendar, holiday_sets)


def _overflow(steps: Sequence[Mapping[str, Any]]) -> tuple[OverflowStep, ...]:
    out = []
    for step in steps:
        out.append(
            OverflowStep(
                after_s=float(step["after_s"]),
                action=OverflowAction(step["action"]),
                skills=tuple(step.get("skills", ())),
                proficiency=step.get("proficiency"),
                queue_id=QueueId(step["queue"]) if step.get("queue") else None,
                target=step.get("target"),
            )
        )
    return tuple(sorted(out, key=lambda s: s.after_s))


def queue_config(
    row: Mapping[str, Any],
    skill_names: Mapping[str, str],
    calendar: Mapping[str, Any] | None,
    holiday_sets: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> QueueConfig:
    options: Mapping[str, Any] = row.get("options") or {}
    optional = {
        key: options[key]
        for key in (
            "ring_timeout_s",
            "sticky_wait_s",
            "announce_first_s",
            "announce_every_s",
            "priority_credit_s",
            "expected_aht_s",
            "flush_when_closed",
            "callbacks",
        )
        if key in options
    }
    return QueueConfig(
        queue_id=QueueId(row["name"]),
        channel=Channel(row.get("channel") or Channel.VOICE),
        skills={skill_names[s["skill_id"]]: int(s["min_proficiency"]) for s in row["skills"]},
        teams=frozenset(options.get("teams", ())),
        strategy=Strategy(row["strategy"]),
        sl=ServiceLevelTarget(float(row["sl_target_pct"]) / 100.0, float(row["sl_threshold_s"])),
        wrap_up_s=float(row["wrap_up_s"]),
        disposition_required=bool(row.get("disposition_required")),
        max_length=row.get("max_length"),
        max_wait_s=float(row["max_wait_s"]) if row.get("max_wait_s") else None,
        hours=opening_hours(calendar, holiday_sets) if calendar else None,
        overflow=_overflow(options.get("overflow", ())),
        **optional,
    )


def agent_profile(view: Mapping[str, Any]) -> AgentProfile:
    return AgentProfile(
        agent_id=AgentId(view["id"]),
        skills={str(s["name"]): int(s["proficiency"]) for s in view["skills"]},
        teams=frozenset(str(t) for t in view["teams"]),
        capacity={
            Channel.VOICE: int(view["voice_capacity"]),
            Channel.CHAT: int(view["chat_capacity"]),
            Channel.EMAIL: int(view["email_capacity"]),
            Channel.SMS: int(view["chat_capacity"]),  # an SMS conversation counts as a chat
        },
        blend=Blend(
            text_during_call=bool(view.get("text_during_call")),
            call_during_text=bool(view.get("call_during_text")),
        ),
    )


async def load_routing_config(repos: Repos, tenant_id: str) -> RoutingConfig:
    """Read one tenant's queues and agents (with their skills, teams and calendars)."""
    reader = DirectoryService(
        repos,
        actor=Principal(
            tenant_id=tenant_id,
            tenant_slug="",
            user_id="system",
            username="system",
            display_name="system",
            roles=("admin",),
            language="en",
            via="token",
        ),
        clock=_NoClock(),
        emit=lambda _e: None,
        sip_realm="",
    )
    skills, _ = await repos.table("skills").list(tenant_id, limit=100_000)
    skill_names = {s["id"]: s["name"] for s in skills}
    calendars, _ = await repos.table("calendars").list(tenant_id, limit=100_000)
    calendars_by_id = {c["id"]: c for c in calendars}
    holiday_sets = await holiday_entries(repos, tenant_id)
    queue_rows, _ = await reader.list_queues(search=None, limit=100_000, offset=0)
    agent_views, _ = await reader.list_agents(search=None, skill_id=None, limit=100_000, offset=0)
    queues = {}
    queue_keys = {}
    for row in queue_rows:
        config = queue_config(
            row, skill_names, calendars_by_id.get(row.get("calendar_id") or ""), holiday_sets
        )
        queues[config.queue_id] = config
        queue_keys[str(row["id"])] = config.queue_id
    agents = {AgentId(v["id"]): agent_profile(v) for v in agent_views}
    return RoutingConfig(
        queues=queues,
        agents=agents,
        extensions={AgentId(v["id"]): v["extension"] for v in agent_views},
        phone_modes={AgentId(v["id"]): str(v["phone_mode"]) for v in agent_views},
        queue_keys=queue_keys,
    )


async def holiday_entries(repos: Repos, tenant_id: str) -> dict[str, list[dict[str, Any]]]:
    """A tenant's holiday calendars: id → entries."""
    rows, _ = await repos.table("holiday_calendars").list(tenant_id, limit=100_000)
    return {str(r["id"]): list(r["entries"]) for r in rows}


class _NoClock:
    """Reading configuration needs no time."""

    def now(self) -> float:
        return 0.0

    def monotonic(self) -> float:
        return 0.0
