"""The small parts: sorted members, timers, requirements, the EWT estimator, the public surface."""

from __future__ import annotations

import hotline.routing
from hotline.events import registered_event_types
from hotline.ids import AgentId
from hotline.routing.agents import AgentProfile
from hotline.routing.ewt import HandleTimeAverage, queue_length_ewt
from hotline.routing.ordered import SortedMembers
from hotline.routing.skills import Requirement, SkillIndex, SkillRequirement
from hotline.routing.timers import TimerKind, Timers


def test_sorted_members_keep_order_rank_and_replace_keys() -> None:
    s: SortedMembers[str] = SortedMembers()
    s.add("c", (3.0,))
    s.add("a", (1.0,))
    s.add("b", (2.0,))
    assert list(s) == ["a", "b", "c"]
    assert (s.first(), s.rank("c"), s.count_before((2.5,)), s.at(1)) == ("a", 2, 2, "b")
    s.add("a", (9.0,))
    assert list(s) == ["b", "c", "a"]
    assert list(s.iter_from((3.0,))) == ["c", "a"]
    assert s.discard("c")
    assert not s.discard("c")
    assert "c" not in s
    assert s.key("a") == (9.0,)


def test_timers_fire_in_order_replace_and_cancel() -> None:
    t = Timers()
    t.schedule(30.0, TimerKind.MAX_WAIT, "i1")
    t.schedule(10.0, TimerKind.RING_TIMEOUT, "i1")
    t.schedule(20.0, TimerKind.RING_TIMEOUT, "i1")  # replaces 10.0
    t.schedule(5.0, TimerKind.ANNOUNCE, "i2")
    t.cancel(TimerKind.ANNOUNCE, "i2")
    assert t.next_at() == 20.0
    assert t.deadline(TimerKind.MAX_WAIT, "i1") == 30.0
    assert list(t.pop_due(25.0)) == [(20.0, TimerKind.RING_TIMEOUT, "i1")]
    assert len(t) == 1
    for n in range(500):  # many replacements trigger a compaction without losing the live one
        t.schedule(float(n), TimerKind.OVERFLOW, "x")
    assert len(t) == 2
    assert [k for _, k, _ in t.pop_due(1e9)] == [TimerKind.MAX_WAIT, TimerKind.OVERFLOW]


def test_requirements_merge_widen_and_lower() -> None:
    queue = Requirement.of({"billing": 5}, teams=["a", "b"])
    own = Requirement.of(["en", SkillRequirement("billing", 7)], teams=["b", "c"])
    merged = queue.merged(own)
    assert merged.labels() == ("billing>=7", "en>=1")
    assert merged.teams == frozenset({"b"})
    assert merged.without(["en"]).labels() == ("billing>=7",)
    assert merged.without().labels() == ()
    assert merged.lowered(3).labels() == ("billing>=3", "en>=1")
    assert merged.lowered(3, ["en"]).labels() == ("billing>=7", "en>=1")
    profile = AgentProfile(AgentId("x"), skills={"billing": 8, "en": 2}, teams=frozenset({"b"}))
    assert merged.satisfied_by(profile)
    assert merged.score(profile) == 5.0


def test_the_skill_index_intersects_postings() -> None:
    index = SkillIndex()
    index.put(AgentProfile(AgentId("a"), skills={"x": 5, "y": 1}))
    index.put(AgentProfile(AgentId("b"), skills={"x": 9}, teams=frozenset({"t"})))
    index.put(AgentProfile(AgentId("c"), skills={}))
    assert index.eligible(Requirement.of({"x": 5})) == {"a", "b"}
    assert index.eligible(Requirement.of({"x": 6})) == {"b"}
    assert index.eligible(Requirement.of({"x": 1, "y": 1})) == {"a"}
    assert index.eligible(Requirement.of({}, teams=["t"])) == {"b"}
    assert index.eligible(Requirement()) == {"a", "b", "c"}
    index.remove(AgentId("b"))
    assert index.eligible(Requirement.of({"x": 6})) == set()


def test_queue_length_ewt_and_the_handle_time_average() -> None:
    assert queue_length_ewt(3, 2, 180.0) == 270.0
    assert queue_length_ewt(1, 0, 180.0) is None
    average = HandleTimeAverage(100.0, smoothing=0.1)
    average.observe(200.0)  # the first observation weighs 1/2
    assert average.value_s == 150.0
    average.observe(-1.0)
    assert average.count == 1


def test_the_public_surface_is_complete_and_the_events_are_registered() -> None:
    for name in hotline.routing.__all__:
        assert getattr(hotline.routing, name) is not None
    types = registered_event_types()
    for name in (
        "agent.state_changed",
        "agent.interaction_ended",
        "agent.wrap_up_ended",
        "agent.wrap_up_extended",
        "queue.entered",
        "queue.rejected",
        "queue.offered",
        "queue.offer_failed",
        "queue.answered",
        "queue.abandoned",
        "queue.overflowed",
        "queue.callback_requested",
        "queue.callback_failed",
        "queue.exited",
    ):
        assert name in types
