"""Rebuild after a restart gives the same numbers, and the numbers match the router's own state.

The live projection is fed each second's records and read every few seconds, as the server
does; the rebuilt one is fed the same records in one go (or a prefix, a read, and the tail; or
with redeliveries) and read once. Figures must be identical — not approximately: durations are
whole milliseconds, so nothing depends on when the window was trimmed.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from hotline.analytics.realtime import QueueSettings, RealtimeProjection, RealtimeSettings, Snapshot
from hotline.events import EventRecord
from hotline.ids import AgentId, QueueId

from .feed import MORNING, SHANGHAI, TENANT
from .router_run import MEMBERS, RouterRun

SETTINGS = RealtimeSettings(
    queues={queue: QueueSettings(queue, members=members) for queue, members in MEMBERS.items()}
)
BEFORE_MIDNIGHT = datetime(2026, 11, 23, 23, 40, tzinfo=SHANGHAI).timestamp()


def figures(snapshot: Snapshot) -> tuple[object, ...]:
    """Everything but the alerts (an evaluation over time: see ADR 0052) and the version."""
    return (snapshot.seq, snapshot.at, snapshot.day, snapshot.queues, snapshot.agents)


def live_run(start: float, seconds: int, seed: int) -> tuple[RouterRun, RealtimeProjection]:
    run = RouterRun(start, seed)
    live = RealtimeProjection(TENANT, SETTINGS)
    live.apply_all(run.records)
    ticks = 0

    def on_tick(fresh: list[EventRecord]) -> None:
        nonlocal ticks
        live.apply_all(fresh)
        ticks += 1
        if ticks % 7 == 0:
            live.changes_since(max(0, live.version - 1), run.now)

    run.run(seconds, on_tick)
    return run, live


@pytest.fixture(scope="module")
def morning() -> tuple[RouterRun, RealtimeProjection]:
    return live_run(MORNING, 2400, seed=3)


@pytest.fixture(scope="module")
def midnight() -> tuple[RouterRun, RealtimeProjection]:
    return live_run(BEFORE_MIDNIGHT, 2400, seed=5)


def test_the_run_exercises_every_path(morning: tuple[RouterRun, RealtimeProjection]) -> None:
    run, live = morning
    types = {r.type for r in run.records}
    for needed in [
        "queue.abandoned",
        "queue.callback_requested",
        "queue.callback_failed",
        "queue.offer_failed",
        "queue.exited",
        "agent.wrap_up_ended",
        "flow.survey_answered",
    ]:
        assert needed in types
    assert live.malformed == 0
    today = live.snapshot(run.now).queues["sales"].today
    assert today.offered > 30
    assert min(today.answered, today.abandoned, today.callbacks) > 0


@pytest.mark.parametrize("which", ["morning", "midnight"])
def test_replay_after_restart_gives_identical_figures(
    which: str, request: pytest.FixtureRequest
) -> None:
    run, live = request.getfixturevalue(which)
    rebuilt = RealtimeProjection(TENANT, SETTINGS)
    assert rebuilt.apply_all(run.records) == len(run.records)
    assert figures(rebuilt.snapshot(run.now)) == figures(live.snapshot(run.now))


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.9])
def test_snapshot_then_tail_gives_identical_figures(
    cut: float, midnight: tuple[RouterRun, RealtimeProjection]
) -> None:
    run, live = midnight
    k = int(len(run.records) * cut)
    rebuilt = RealtimeProjection(TENANT, SETTINGS)
    rebuilt.apply_all(run.records[:k])
    rebuilt.snapshot(run.records[k - 1].at)
    rebuilt.apply_all(run.records[k:])
    assert figures(rebuilt.snapshot(run.now)) == figures(live.snapshot(run.now))


def test_redelivered_records_are_ignored(morning: tuple[RouterRun, RealtimeProjection]) -> None:
    run, live = morning
    rebuilt = RealtimeProjection(TENANT, SETTINGS)
    half = len(run.records) // 2
    rebuilt.apply_all(run.records[:half])
    # the bus catching up from the table may hand over what was already delivered
    assert rebuilt.apply_all(run.records[half - 100 :]) == len(run.records) - half
    assert not rebuilt.apply(run.records[10])
    assert figures(rebuilt.snapshot(run.now)) == figures(live.snapshot(run.now))


def test_the_projection_agrees_with_the_router(
    morning: tuple[RouterRun, RealtimeProjection],
) -> None:
    run, live = morning
    snapshot = live.snapshot(run.now)
    for agent_id, row in snapshot.agents.items():
        truth = run.router.agent_snapshot(AgentId(agent_id), now=run.now)
        assert (row.state, row.reason, row.since) == (truth.state.value, truth.reason, truth.since)
        assert row.handled == truth.handled_today
    for queue_id, row in snapshot.queues.items():
        truth = run.router.queue_snapshot(QueueId(queue_id), now=run.now)
        assert row.waiting + row.callbacks_waiting == truth.waiting
        assert row.callbacks_waiting == truth.callbacks
        assert row.ringing == truth.ringing
        states = {s.value: n for s, n in truth.agents.items()}
        counts = row.agents
        assert counts.available == states.get("available", 0)
        assert counts.reserved == states.get("reserved", 0)
        assert counts.busy == states.get("busy", 0)
        assert counts.wrap_up == states.get("wrap_up", 0)
        assert counts.not_ready == states.get("not_ready", 0)


def test_midnight_restarts_today_but_not_the_window(
    midnight: tuple[RouterRun, RealtimeProjection],
) -> None:
    run, live = midnight
    snapshot = live.snapshot(run.now)
    assert snapshot.day == "2026-11-24"
    midnight_at = datetime(2026, 11, 24, tzinfo=SHANGHAI).timestamp()
    entered = [r for r in run.records if r.type == "queue.entered"]
    assert sum(1 for r in entered if r.at >= midnight_at) == sum(
        q.today.offered for q in snapshot.queues.values()
    )
    assert sum(1 for r in entered if r.at > run.now - 1800) == sum(
        q.window.offered for q in snapshot.queues.values()
    )
    handled = {
        a: sum(
            1
            for r in run.records
            if r.type == "queue.answered" and r.agent_id == a and r.at >= midnight_at
        )
        for a in snapshot.agents
    }
    assert {a: row.handled for a, row in snapshot.agents.items()} == handled
