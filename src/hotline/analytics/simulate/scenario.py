"""Scenario files: what to simulate — queues, agent groups, traffic — read from YAML.

The queues are real `hotline.routing.QueueConfig`s, so a scenario exercises the same options the
production router has. Every mistake is reported with the file, line and field path
(`scenario.yaml:14: queues[0].strategy: 'fastest' is not one of …`). `docs/simulation.md` is the
reference for the format, with examples in `examples/scenarios/`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from hotline.analytics.simulate.distributions import (
    ArrivalProfile,
    Distribution,
    Exponential,
    Fixed,
    LogNormal,
)
from hotline.errors import InvalidInput
from hotline.hours import InvalidHours, calendar_from_record
from hotline.ids import QueueId
from hotline.routing import (
    Channel,
    Destination,
    DestinationKind,
    OverflowAction,
    OverflowStep,
    QueueConfig,
    RoutingError,
    ScoreWeights,
    ServiceLevelTarget,
    Strategy,
)

__all__ = [
    "AgentGroup",
    "Scenario",
    "ScenarioError",
    "Staffing",
    "TrafficStream",
    "load_scenario",
    "parse_scenario",
]

DEFAULT_START = 1_767_571_200.0  # Monday 2026-01-05 00:00 UTC
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class ScenarioError(InvalidInput):
    """A scenario file is malformed; the message names the file, line and field."""

    code = "simulate.scenario.invalid"

    def __init__(self, problem: str, *, path: str, line: int | None, source: str) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(
            f"{where}: {path}: {problem}" if path else f"{where}: {problem}",
            details={"field": path, "line": line, "source": source},
        )


@dataclass(frozen=True, slots=True)
class Staffing:
    """How many of a group's agents are logged in, per interval, repeating every cycle."""

    counts: tuple[int, ...]
    interval_s: float = 3600.0

    def count_at(self, t: float) -> int:
        index = int((t % (self.interval_s * len(self.counts))) // self.interval_s)
        return self.counts[min(index, len(self.counts) - 1)]


@dataclass(frozen=True, slots=True)
class AgentGroup:
    name: str
    count: int
    skills: Mapping[str, int] = field(default_factory=dict)
    teams: frozenset[str] = frozenset()
    capacity: Mapping[Channel, int] = field(default_factory=lambda: {Channel.VOICE: 1})
    answer_delay_s: float = 0.0  # ringing time before the agent picks up
    no_answer_probability: float = 0.0  # share of offers the agent lets ring out (RONA)
    staffing: Staffing | None = None  # None: all `count` agents, all the time


@dataclass(frozen=True, slots=True)
class TrafficStream:
    name: str
    queue_id: QueueId
    arrivals: ArrivalProfile
    handle_time: Distribution  # talk + hold; the queue adds its wrap-up
    patience: Distribution | None = None  # None: callers never hang up
    priority: int = 0
    skills: Mapping[str, int] = field(default_factory=dict)
    accepts_callback: float = 0.0  # probability of saying yes to an offered callback


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    queues: tuple[QueueConfig, ...]
    agents: tuple[AgentGroup, ...]
    traffic: tuple[TrafficStream, ...]
    horizon_s: float  # measured time per replication, after the warm-up
    warmup_s: float = 0.0
    replications: int = 10
    seed: int = 1999
    start_epoch: float = DEFAULT_START
    confidence: float = 0.95
    short_abandon_s: float = 5.0
    description: str = ""


def load_scenario(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(
            f"cannot read: {exc.strerror}", path="", line=None, source=str(path)
        ) from None
    return parse_scenario(text, source=path.name)


def parse_scenario(text: str, *, source: str = "scenario") -> Scenario:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(f"not valid YAML ({exc})", path="", line=line, source=source) from None
    lines: dict[str, int] = {}
    if node is not None:
        _record_lines(node, "", lines)
    ctx = _Context(source, lines)
    root = _Reader(data if data is not None else {}, "", ctx)
    return _scenario(root, ctx)


# -- reading with paths and line numbers ---------------------------------------------------


def _record_lines(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            lines[child] = key.start_mark.line + 1
            _record_lines(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, f"{path}[{index}]", lines)


@dataclass(frozen=True, slots=True)
class _Context:
    source: str
    lines: dict[str, int]

    def error(self, path: str, problem: str) -> ScenarioError:
        line = self.lines.get(path)
        probe = path
        while line is None and probe:
            probe = probe.rpartition(".")[0] if "." in probe else probe.rpartition("[")[0]
            line = self.lines.get(probe)
        return ScenarioError(problem, path=path, line=line, source=self.source)


class _Reader:
    """One YAML mapping: typed getters that report the full path, and a check for strays."""

    def __init__(self, data: object, path: str, ctx: _Context) -> None:
        if not isinstance(data, Mapping):
            raise ctx.error(path, f"expected a mapping, not {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.path, self.ctx = path, ctx
        self._used: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, problem: str) -> ScenarioError:
        return self.ctx.error(self.at(key), problem)

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str) -> Any:
        self._used.add(key)
        return self.data.get(key)

    def required(self, key: str) -> Any:
        if not self.has(key):
            raise self.ctx.error(self.path, f"{key!r} is required")
        return self.raw(key)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw(key) if self.has(key) else default
        if not isinstance(value, str) or not value:
            raise self.error(key, f"must be a non-empty string, not {value!r}")
        return value

    def number(
        self,
        key: str,
        default: float | None = None,
        *,
        minimum: float = 0.0,
        duration: bool = False,
    ) -> float:
        value = self.raw(key) if self.has(key) else default
        if duration and isinstance(value, str):
            match = _DURATION.match(value)
            if match is None:
                raise self.error(key, f"{value!r} is not a duration like '90s', '30m' or '8h'")
            value = float(match.group(1)) * _UNITS[match.group(2)]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.error(key, f"must be a number, not {value!r}")
        if value < minimum:
            raise self.error(key, f"must be >= {minimum:g}, not {value}")
        return float(value)

    def optional_number(self, key: str, *, minimum: float = 0.0) -> float | None:
        return self.number(key, minimum=minimum, duration=True) if self.has(key) else None

    def integer(self, key: str, default: int | None = None, *, minimum: int = 0) -> int:
        value = self.raw(key) if self.has(key) else default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, not {value!r}")
        if value < minimum:
            raise self.error(key, f"must be >= {minimum}, not {value}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key) if self.has(key) else default
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {value!r}")
        return value

    def probability(self, key: str, default: float = 0.0) -> float:
        value = self.number(key, default)
        if value > 1:
            raise self.error(key, f"must be a probability in [0, 1], not {value}")
        return value

    def levels(self, key: str) -> dict[str, int]:
        """A skill map `{name: level}`; a bare list of names means level 1."""
        value = self.raw(key) if self.has(key) else {}
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return dict.fromkeys(value, 1)
        if not isinstance(value, Mapping):
            raise self.error(key, "must map skill names to levels, like {billing: 5}")
        for name, level in value.items():
            if isinstance(level, bool) or not isinstance(level, int):
                raise self.ctx.error(
                    f"{self.at(key)}.{name}", f"must be a whole level, not {level!r}"
                )
        return {str(k): v for k, v in value.items()}

    def strings(self, key: str) -> list[str]:
        value = self.raw(key) if self.has(key) else []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of names")
        return list(value)

    def items(self, key: str, *, required: bool = True) -> list[_Reader]:
        value = self.raw(key) if self.has(key) else None
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            raise self.error(key, "must be a non-empty list")
        return [_Reader(item, f"{self.at(key)}[{i}]", self.ctx) for i, item in enumerate(value)]

    def child(self, key: str) -> _Reader:
        return _Reader(self.raw(key), self.at(key), self.ctx)

    def choice(
        self, key: str, options: type[Strategy] | type[Channel] | type[OverflowAction], default: str
    ) -> str:
        value = self.raw(key) if self.has(key) else default
        allowed = [o.value for o in options]
        if value not in allowed:
            raise self.error(key, f"{value!r} is not one of {', '.join(allowed)}")
        return str(value)

    def done(self) -> None:
        for key in self.data:
            if key not in self._used:
                raise self.ctx.error(self.at(str(key)), "is not a known setting")


# -- the format ----------------------------------------------------------------------------


def _scenario(r: _Reader, ctx: _Context) -> Scenario:
    queues = tuple(_queue(q) for q in r.items("queues"))
    known = {q.queue_id for q in queues}
    if len(known) != len(queues):
        raise r.error("queues", "queue ids must be unique")
    for q in queues:
        for step in q.overflow:
            if step.queue_id is not None and step.queue_id not in known:
                raise r.error(
                    "queues", f"queue {q.queue_id!r} overflows to unknown {step.queue_id!r}"
                )
    agents = tuple(_group(g) for g in r.items("agents"))
    if len({g.name for g in agents}) != len(agents):
        raise r.error("agents", "group names must be unique")
    traffic = tuple(_stream(t, known, i) for i, t in enumerate(r.items("traffic")))
    start = DEFAULT_START
    if r.has("start"):
        try:
            start = datetime.fromisoformat(str(r.raw("start"))).timestamp()
        except ValueError:
            raise r.error(
                "start", "must be an ISO date-time like 2026-01-05T00:00:00+08:00"
            ) from None
    confidence = r.number("confidence", 0.95)
    if not 0.5 <= confidence < 1:
        raise r.error("confidence", "must be in [0.5, 1)")
    scenario = Scenario(
        name=r.text("name"),
        description=str(r.raw("description") or ""),
        queues=queues,
        agents=agents,
        traffic=traffic,
        horizon_s=r.number("horizon_s", minimum=1.0, duration=True)
        if r.has("horizon_s")
        else r.number("horizon", minimum=1.0, duration=True),
        warmup_s=r.number("warmup_s", 0.0, duration=True)
        if r.has("warmup_s")
        else r.number("warmup", 0.0, duration=True),
        replications=r.integer("replications", 10, minimum=2),
        seed=r.integer("seed", 1999),
        start_epoch=start,
        confidence=confidence,
        short_abandon_s=r.number("short_abandon_s", 5.0),
    )
    r.done()
    return scenario


def _destination(r: _Reader, key: str, default: Destination) -> Destination:
    if not r.has(key):
        return default
    text = r.text(key)
    kind, _, target = text.partition(":")
    try:
        return Destination(DestinationKind(kind), target or None)
    except (ValueError, RoutingError):
        raise r.error(
            key, f"{text!r} is not hangup, voicemail[:box], transfer:NUMBER or queue:ID"
        ) from None


def _service_level(r: _Reader) -> ServiceLevelTarget:
    if not r.has("sl"):
        return ServiceLevelTarget()
    value = r.raw("sl")
    if isinstance(value, str):
        percent, _, seconds = value.partition("/")
        try:
            return ServiceLevelTarget(float(percent) / 100, float(seconds))
        except (ValueError, RoutingError):
            raise r.error("sl", f"{value!r} is not like '80/20'") from None
    sl = r.child("sl")
    target = ServiceLevelTarget(sl.probability("fraction", 0.8), sl.number("threshold_s", 20.0))
    sl.done()
    return target


def _queue(r: _Reader) -> QueueConfig:
    hours = None
    if r.has("hours"):
        spec = r.raw("hours")
        if not isinstance(spec, Mapping):
            raise r.error("hours", "must map days to spans, like {mon-fri: '08:00-20:00'}")
        try:
            weekly = {str(k): [v] if isinstance(v, str) else list(v) for k, v in spec.items()}
            hours = calendar_from_record({"timezone": "UTC", "weekly": weekly})
        except InvalidHours as exc:
            raise r.error("hours", exc.message) from None
    weights = ScoreWeights()
    if r.has("weights"):
        w = r.child("weights")
        weights = ScoreWeights(w.number("proficiency_s", 60.0), w.number("handled_s", 30.0))
        w.done()
    credit: float | None = 90.0
    if "priority_credit_s" in r.data:
        credit = r.optional_number("priority_credit_s")
        r.raw("priority_credit_s")
    try:
        config = QueueConfig(
            queue_id=QueueId(r.text("id")),
            channel=Channel(r.choice("channel", Channel, "voice")),
            skills=r.levels("skills"),
            teams=frozenset(r.strings("teams")),
            strategy=Strategy(r.choice("strategy", Strategy, "longest_idle")),
            weights=weights,
            sl=_service_level(r),
            priority_credit_s=credit,
            ring_timeout_s=r.optional_number("ring_timeout_s"),
            wrap_up_s=r.optional_number("wrap_up_s"),
            rona_not_ready=r.flag("rona_not_ready", True),
            max_length=r.integer("max_length") if r.has("max_length") else None,
            max_wait_s=r.optional_number("max_wait_s"),
            when_full=_destination(r, "when_full", Destination(DestinationKind.HANGUP)),
            when_closed=_destination(r, "when_closed", Destination(DestinationKind.HANGUP)),
            when_max_wait=_destination(r, "when_max_wait", Destination(DestinationKind.VOICEMAIL)),
            hours=hours,
            flush_when_closed=r.flag("flush_when_closed", False),
            sticky_wait_s=r.number("sticky_wait_s", 0.0, duration=True),
            ring_all_limit=r.integer("ring_all_limit", 20, minimum=1),
            overflow=tuple(_step(s) for s in r.items("overflow", required=False)),
            callbacks=r.flag("callbacks", True),
            announce_first_s=r.optional_number("announce_first_s"),
            announce_every_s=r.optional_number("announce_every_s"),
            expected_aht_s=r.number("expected_aht_s", 180.0, duration=True),
        )
    except RoutingError as exc:
        raise r.error(str(exc.details.get("field", "")), exc.message) from None
    r.done()
    return config


def _step(r: _Reader) -> OverflowStep:
    try:
        step = OverflowStep(
            after_s=r.number("after_s", duration=True)
            if r.has("after_s")
            else r.number("after", duration=True),
            action=OverflowAction(r.choice("action", OverflowAction, "")),
            skills=tuple(r.strings("skills")),
            proficiency=r.integer("proficiency", minimum=1) if r.has("proficiency") else None,
            queue_id=QueueId(r.text("queue")) if r.has("queue") else None,
            target=r.text("target") if r.has("target") else None,
        )
    except RoutingError as exc:
        raise r.error(str(exc.details.get("field", "")), exc.message) from None
    r.done()
    return step


def _group(r: _Reader) -> AgentGroup:
    capacity: dict[Channel, int] = {Channel.VOICE: 1}
    if r.has("capacity"):
        raw = r.raw("capacity")
        if not isinstance(raw, Mapping):
            raise r.error("capacity", "must map channels to counts, like {voice: 1, chat: 3}")
        capacity = {}
        for channel, slots in raw.items():
            if channel not in {c.value for c in Channel} or not isinstance(slots, int):
                raise r.ctx.error(f"{r.at('capacity')}.{channel}", "must be a channel with a count")
            capacity[Channel(channel)] = slots
    staffing = None
    if r.has("staffing"):
        s = r.child("staffing")
        counts = s.raw("counts")
        if (
            not isinstance(counts, list)
            or not counts
            or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts)
        ):
            raise s.error("counts", "must be a list of whole numbers of agents")
        staffing = Staffing(
            tuple(counts), s.number("interval_s", 3600.0, minimum=1.0, duration=True)
        )
        s.done()
    group = AgentGroup(
        name=r.text("group"),
        count=r.integer("count", minimum=1),
        skills=r.levels("skills"),
        teams=frozenset(r.strings("teams")),
        capacity=capacity,
        answer_delay_s=r.number("answer_delay_s", 0.0, duration=True),
        no_answer_probability=r.probability("no_answer_probability"),
        staffing=staffing,
    )
    if staffing is not None and max(staffing.counts) > group.count:
        raise r.error("staffing", f"asks for more than the group's {group.count} agents")
    r.done()
    return group


def _distribution(r: _Reader, key: str) -> Distribution:
    d = r.child(key)
    kind = d.text("distribution")
    result: Distribution
    if kind == "exponential":
        result = Exponential(d.number("mean_s", minimum=1e-9, duration=True))
    elif kind == "lognormal":
        result = LogNormal(
            d.number("mean_s", minimum=1e-9, duration=True),
            d.number("sd_s", minimum=1e-9, duration=True),
        )
    elif kind == "fixed":
        result = Fixed(d.number("value_s", duration=True))
    else:
        raise d.error("distribution", f"{kind!r} is not exponential, lognormal or fixed")
    d.done()
    return result


def _stream(r: _Reader, queues: set[QueueId], index: int) -> TrafficStream:
    queue = QueueId(r.text("queue"))
    if queue not in queues:
        raise r.error("queue", f"{queue!r} is not one of the scenario's queues")
    a = r.child("arrivals")
    if a.has("rate_per_hour"):
        arrivals = ArrivalProfile((a.number("rate_per_hour"),), math.inf)
    else:
        rates = a.raw("rates_per_hour")
        if (
            not isinstance(rates, list)
            or not rates
            or not all(
                isinstance(x, int | float) and not isinstance(x, bool) and x >= 0 for x in rates
            )
        ):
            raise a.error("rates_per_hour", "must be a list of rates >= 0 (or give rate_per_hour)")
        arrivals = ArrivalProfile(
            tuple(float(x) for x in rates),
            a.number("interval_s", 3600.0, minimum=1.0, duration=True),
        )
    a.done()
    stream = TrafficStream(
        name=r.text("name", f"stream-{index}"),
        queue_id=queue,
        arrivals=arrivals,
        handle_time=_distribution(r, "handle_time"),
        patience=_distribution(r, "patience") if r.has("patience") else None,
        priority=r.integer("priority", 0, minimum=-1000),
        skills=r.levels("skills"),
        accepts_callback=r.probability("accepts_callback"),
    )
    r.raw("patience")
    r.done()
    return stream
