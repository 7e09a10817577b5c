"""Scenario files: every example loads, and mistakes are reported by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.analytics.simulate import (
    Exponential,
    LogNormal,
    ScenarioError,
    load_scenario,
    parse_scenario,
)
from hotline.routing import Channel, DestinationKind, OverflowAction, Strategy

EXAMPLES = sorted((Path(__file__).parents[3] / "examples" / "scenarios").glob("*.yaml"))

MINIMAL = """\
name: tiny
horizon: 2h
queues:
  - id: q
agents:
  - group: a
    count: 2
traffic:
  - queue: q
    arrivals: {rate_per_hour: 10}
    handle_time: {distribution: exponential, mean_s: 60}
"""


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.queues
    assert scenario.traffic


def test_a_minimal_scenario_gets_the_defaults() -> None:
    s = parse_scenario(MINIMAL)
    assert (s.horizon_s, s.warmup_s, s.replications, s.seed, s.confidence) == (
        7200,
        0,
        10,
        1999,
        0.95,
    )
    assert s.queues[0].strategy is Strategy.LONGEST_IDLE
    assert s.traffic[0].handle_time == Exponential(60)
    assert s.traffic[0].patience is None
    assert s.agents[0].capacity == {Channel.VOICE: 1}


def test_the_full_format_round_trips_into_routing_types() -> None:
    s = load_scenario(
        Path(__file__).parents[3] / "examples" / "scenarios" / "languages-overflow-callbacks.yaml"
    )
    english = next(q for q in s.queues if q.queue_id == "english")
    assert [step.action for step in english.overflow] == [
        OverflowAction.LOWER_PROFICIENCY,
        OverflowAction.OFFER_CALLBACK,
        OverflowAction.VOICEMAIL,
    ]
    assert english.when_max_wait.kind is DestinationKind.VOICEMAIL
    chat = next(q for q in s.queues if q.queue_id == "chat")
    assert chat.channel is Channel.CHAT
    assert next(g for g in s.agents if g.name == "chat").capacity == {Channel.CHAT: 3}
    assert isinstance(s.traffic[0].handle_time, LogNormal)
    assert s.start_epoch == 1767542400.0  # 2026-01-05 00:00 +08:00


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        ("queues:\n  - id: q\n    strategy: fastest\n", 5, "queues[0].strategy", "is not one of"),
        ("queues:\n  - id: q\n    colour: red\n", 5, "queues[0].colour", "not a known setting"),
        ("queues:\n  - id: q\n    wrap_up_s: -3\n", 5, "queues[0].wrap_up_s", "must be >= 0"),
        ("queues:\n  - id: q\n    sl: eighty\n", 5, "queues[0].sl", "like '80/20'"),
        ("queues:\n  - id: q\n    when_full: moon\n", 5, "queues[0].when_full", "hangup"),
        (
            "queues:\n  - id: q\n    overflow:\n      - {after: 5s, action: add_queue, queue: x}\n",
            3,
            "queues",
            "unknown 'x'",
        ),
        ("queues:\n  - id: q\n    hours: {mon: '8-20'}\n", 5, "queues[0].hours", "time range"),
    ],
)
def test_mistakes_name_the_line_and_the_field(
    change: str, line: int, field: str, words: str
) -> None:
    text = MINIMAL.replace("queues:\n  - id: q\n", change)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="s.yaml")
    assert info.value.details["field"] == field
    assert info.value.details["line"] == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"s.yaml:{line}: {field}: ")
    assert info.value.code == "simulate.scenario.invalid"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("mean_s: 60", "mean_s: fast", "traffic[0].handle_time.mean_s"),
        ("distribution: exponential", "distribution: gamma", "traffic[0].handle_time.distribution"),
        ("  - queue: q\n", "  - queue: nope\n", "traffic[0].queue"),
        ("count: 2", "count: 0", "agents[0].count"),
        ("horizon: 2h", "horizon: 2 weeks", "horizon"),
        ("name: tiny\n", "", "name"),
    ],
)
def test_more_mistakes(old: str, new: str, field: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(MINIMAL.replace(old, new))
    assert info.value.details["field"] == field


def test_broken_yaml_and_missing_files_are_reported_cleanly(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario("name: [unclosed\n", source="b.yaml")
    assert "not valid YAML" in str(info.value)
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")
