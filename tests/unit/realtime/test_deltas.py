"""Snapshots then deltas: versions, what makes a row change, resets, and the JSON shapes."""

from __future__ import annotations

import json
from typing import Any

from hotline.analytics.realtime import (
    AlertThresholds,
    Delta,
    QueueSettings,
    RealtimeProjection,
    RealtimeSettings,
    Snapshot,
)
from hotline.routing.agent_state import AgentState

from .feed import MORNING, TENANT, Feed
from .router_run import RouterRun


def two_agents() -> Feed:
    feed = Feed()
    feed.state("a1", AgentState.AVAILABLE)
    feed.state("a2", AgentState.AVAILABLE)
    feed.at(5).enter("i1")
    return feed


def delta(feed: Feed, version: int) -> Delta:
    out = feed.projection.changes_since(version, feed.now)
    assert isinstance(out, Delta)
    return out


def test_an_empty_projection_is_at_version_zero() -> None:
    snapshot = RealtimeProjection(TENANT).snapshot(MORNING)
    assert (snapshot.version, snapshot.seq, snapshot.queues, snapshot.agents) == (0, 0, {}, {})


def test_a_delta_carries_only_the_rows_that_changed() -> None:
    feed = two_agents()
    v1 = feed.projection.snapshot(feed.now).version
    assert v1 == 1
    feed.at(20).state("a1", AgentState.NOT_READY, reason="break")
    d = delta(feed, v1)
    assert (d.from_version, d.version) == (1, 2)
    assert list(d.agents) == ["a1"]
    assert d.agents["a1"].reason == "break"
    assert list(d.queues) == ["q"]  # its agent counts changed
    assert d.queues["q"].agents.not_ready == 1
    assert d.alerts == {}
    assert all(keys == () for keys in d.removed.values())


def test_time_alone_makes_no_delta_but_refreshes_ticking_fields() -> None:
    feed = two_agents()
    v1 = feed.projection.snapshot(feed.now).version
    feed.clock.advance(50)  # under the 60 s longest-wait alert
    d = delta(feed, v1)
    assert d.is_empty
    assert (d.queues, d.agents) == ({}, {})
    later = feed.projection.snapshot(feed.now)
    assert later.version == v1
    assert later.queues["q"].longest_wait_s == 50.0
    assert later.agents["a1"].time_in_state_s == 55.0


def test_a_client_at_an_older_version_gets_everything_since() -> None:
    feed = two_agents()
    v1 = feed.projection.snapshot(feed.now).version
    feed.at(20).state("a1", AgentState.NOT_READY, reason="break")
    v2 = delta(feed, v1).version
    feed.at(30).state("a2", AgentState.NOT_READY, reason="lunch")
    assert list(delta(feed, v2).agents) == ["a2"]
    assert list(delta(feed, v1).agents) == ["a1", "a2"]
    assert delta(feed, v2 + 1).is_empty


def test_the_window_sliding_is_a_change() -> None:
    feed = two_agents()
    v1 = feed.projection.snapshot(feed.now).version
    feed.at(1805)
    d = delta(feed, v1)
    assert d.queues["q"].window.offered == 0
    assert d.queues["q"].today.offered == 1


def test_alerts_are_raised_and_cleared_through_deltas() -> None:
    rules = AlertThresholds(waiting_above=1, waiting_clear_at=0, min_active_s=0.0)
    feed = Feed(RealtimeSettings(thresholds=rules))
    feed.at(0).enter("i1")
    v1 = feed.projection.snapshot(feed.now).version
    feed.at(1).enter("i2")
    raised = delta(feed, v1)
    assert list(raised.alerts) == ["q/waiting"]
    feed.at(2).abandon("i1")
    feed.at(3).abandon("i2")
    cleared = delta(feed, raised.version)
    assert cleared.removed["alerts"] == ("q/waiting",)
    assert cleared.alerts == {}


def test_a_removed_queue_is_listed_as_removed() -> None:
    feed = two_agents()
    v1 = feed.projection.snapshot(feed.now).version
    feed.projection.remove_queue("q")
    d = delta(feed, v1)
    assert d.removed["queues"] == ("q",)
    feed.projection.configure_queue(QueueSettings("q"))
    assert list(delta(feed, v1).queues) == ["q"]
    assert delta(feed, v1).removed["queues"] == ()


def test_unknown_versions_and_other_instances_get_a_snapshot() -> None:
    projection = RealtimeProjection(TENANT, instance="boot-2")
    feed = Feed(projection=projection)
    feed.at(0).enter("i1")
    version = projection.snapshot(feed.now).version
    assert isinstance(projection.changes_since(version, feed.now, instance="boot-2"), Delta)
    assert isinstance(projection.changes_since(version, feed.now, instance="boot-1"), Snapshot)
    assert isinstance(projection.changes_since(version + 5, feed.now), Snapshot)
    assert isinstance(projection.changes_since(-1, feed.now), Snapshot)


def test_a_page_applying_deltas_sees_what_a_fresh_snapshot_shows() -> None:
    run = RouterRun(MORNING, seed=11)
    projection = RealtimeProjection(TENANT)
    projection.apply_all(run.records)
    first = projection.snapshot(run.now)
    page: dict[str, dict[str, Any]] = {
        "queues": dict(first.queues),
        "agents": dict(first.agents),
        "alerts": dict(first.alerts),
        "center": dict(first.center),
    }
    version, sizes = first.version, []

    def on_tick(fresh: list[Any]) -> None:
        nonlocal version
        projection.apply_all(fresh)
        d = projection.changes_since(version, run.now)
        assert isinstance(d, Delta)
        for section in ("queues", "agents", "alerts", "center"):
            page[section].update(getattr(d, section))
            for key in d.removed[section]:
                del page[section][key]
        sizes.append(len(d.agents))
        version = d.version

    run.run(1200, on_tick)
    truth = projection.snapshot(run.now)
    for section in ("queues", "agents", "alerts", "center"):
        mine = {k: row.stable() for k, row in page[section].items()}
        assert mine == {k: row.stable() for k, row in getattr(truth, section).items()}
    assert sum(sizes) < len(sizes) * len(truth.agents) / 2  # deltas are much smaller


def test_json_shapes() -> None:
    feed = two_agents()
    feed.at(6).offer("i1", "a1")
    snapshot = feed.projection.snapshot(feed.now).to_json()
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["type"] == "wallboard.snapshot"
    assert set(snapshot) == {
        "type",
        "tenant_id",
        "instance",
        "version",
        "seq",
        "at",
        "day",
        "day_start",
        "time_zone",
        "window_s",
        "malformed",
        "queues",
        "agents",
        "alerts",
        "center",
    }
    assert snapshot["queues"]["q"]["today"]["offered"] == 1
    assert snapshot["center"]["all"]["today"]["offered"] == 1
    assert snapshot["center"]["all"]["waiting"] == 1
    assert snapshot["queues"]["q"]["agents"]["reserved"] == 1
    assert snapshot["agents"]["a1"]["state"] == "reserved"
    assert snapshot["agents"]["a1"]["interaction_id"] == "i1"
    d = feed.projection.changes_since(0, feed.now).to_json()
    assert d["type"] == "wallboard.delta"
    assert d["removed"] == {"queues": [], "agents": [], "alerts": [], "center": []}
    assert set(d) - set(snapshot) == {"from_version", "removed"}
