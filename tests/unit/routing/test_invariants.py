"""Random operation sequences, checking the router's indexes against brute force after each.

White-box on purpose: the dispatcher's pools, buckets and counters are what make a decision
cheap, so they must always equal what a full scan would find.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.ids import AgentId, QueueId, WorkId
from hotline.routing.agent_state import IDLE_STATES, AgentState, aggregate_phase
from hotline.routing.capacity import Channel
from hotline.routing.errors import RoutingError
from hotline.routing.overflow import OverflowAction, OverflowStep
from hotline.routing.queues import Strategy
from hotline.routing.router import Router
from hotline.routing.waiting import WaitState
from tests.unit.routing.harness import Harness

AGENTS = ["a0", "a1", "a2", "a3", "a4"]
SKILLS = [{"x": 5}, {"x": 2, "y": 7}, {"y": 3}, {"x": 9, "y": 9}, {}]

operation = st.one_of(
    st.tuples(st.just("call"), st.sampled_from(["qx", "qy", "qany", "chat"]), st.integers(0, 2)),
    st.tuples(st.just("answer"), st.integers(0, 50), st.integers(0, 4)),
    st.tuples(st.just("reject"), st.integers(0, 50), st.integers(0, 4)),
    st.tuples(st.just("hang_up"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("abandon"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("ready"), st.integers(0, 4), st.just(0)),
    st.tuples(st.just("break"), st.integers(0, 4), st.just(0)),
    st.tuples(st.just("logout"), st.integers(0, 4), st.just(0)),
    st.tuples(st.just("end_wrap"), st.integers(0, 4), st.just(0)),
    st.tuples(st.just("wait"), st.sampled_from([1.0, 5.0, 16.0, 31.0]), st.just(0)),
    st.tuples(st.just("callback"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("unreachable"), st.integers(0, 4), st.just(0)),
)


def check(router: Router) -> None:
    d = router._dispatch
    for agent in router._agents.values():
        phase = aggregate_phase(w.phase for w in agent.work.values())
        if phase is None:
            assert agent.state is agent.presence
        else:
            assert agent.state not in IDLE_STATES
    for group in d.groups():
        members = {
            a for a, ag in router._agents.items() if group.requirement.satisfied_by(ag.profile)
        }
        assert group.members == members
        counts = Counter(router._agents[a].state for a in members)
        assert {s: n for s, n in group.states.items() if n} == dict(counts)
        for spec, pool in group.pools.items():
            free = {a for a in members if router._agents[a].free_slots(spec.channel)}
            assert set(pool.members) == free
        for channel, bucket in group.buckets.items():
            for iid in bucket:
                item = router._items[iid]
                assert item.routable
                assert item.channel is channel
    for item in router._items.values():
        assert item.work_id in router._queues[item.queue_id].line
        assert (item.state is WaitState.RINGING) == bool(item.ringing)
        if not item.routable:
            continue
        for target in item.targets:
            group = d.group(target.requirement)
            assert group is not None
            assert item.work_id in group.buckets[item.channel]
        for agent in router._agents.values():
            if agent.agent_id in item.declined_by or not agent.free_slots(item.channel):
                continue
            eligible = any(t.requirement.satisfied_by(agent.profile) for t in item.targets)
            assert not eligible, f"{agent.agent_id} is free for waiting {item.work_id}"


@settings(max_examples=100)
@given(st.lists(operation, min_size=1, max_size=60), st.sampled_from(list(Strategy)))
def test_indexes_always_match_a_full_scan(
    ops: list[tuple[str, object, object]], strategy: Strategy
) -> None:
    h = Harness()
    h.queue("qy", skills={"y": 3}, strategy=strategy)  # so that qx may add it
    h.queue(
        "qx",
        skills={"x": 2},
        strategy=strategy,
        ring_timeout_s=15.0,
        wrap_up_s=5.0,
        overflow=(
            OverflowStep(20, OverflowAction.LOWER_PROFICIENCY, proficiency=1),
            OverflowStep(40, OverflowAction.ADD_QUEUE, queue_id=QueueId("qy")),
            OverflowStep(60, OverflowAction.WIDEN_SKILLS),
        ),
    )
    h.queue("qy", skills={"y": 3}, strategy=strategy, rona_not_ready=False, sticky_wait_s=10.0)
    h.queue(
        "qany",
        strategy=strategy,
        max_length=4,
        max_wait_s=90.0,
        announce_first_s=0.0,
        announce_every_s=20.0,
        overflow=(
            OverflowStep(10, OverflowAction.OFFER_CALLBACK),
            OverflowStep(50, OverflowAction.VOICEMAIL),
        ),
    )
    h.queue("chat", channel=Channel.CHAT, strategy=strategy, wrap_up_s=0.0)
    for name, skills in zip(AGENTS, SKILLS, strict=True):
        h.agent(name, skills, capacity={Channel.VOICE: 1, Channel.CHAT: 2})
    made = 0
    r = h.router
    for kind, a, b in ops:
        try:
            if kind == "call":
                made += 1
                h.call(f"i{made}", str(a), priority=int(b))  # type: ignore[call-overload]
            elif kind in ("answer", "reject", "hang_up", "abandon"):
                iid = WorkId(f"i{a}")
                if kind == "answer" and iid in r._items and r._items[iid].ringing:
                    agent = sorted(r._items[iid].ringing)[int(b) % len(r._items[iid].ringing)]  # type: ignore[call-overload]
                    h.answer(iid, agent)
                elif kind == "reject" and iid in r._items and r._items[iid].ringing:
                    r.offer_rejected(iid, sorted(r._items[iid].ringing)[0], now=h.now)
                elif kind == "hang_up" and iid in r._handling:
                    h.hang_up(iid)
                elif kind == "abandon" and iid in r._items:
                    r.abandon(iid, now=h.now)
            elif kind == "ready":
                r.set_available(AgentId(AGENTS[int(a)]), now=h.now)  # type: ignore[call-overload]
            elif kind == "break":
                r.set_not_ready(AgentId(AGENTS[int(a)]), "break", now=h.now)  # type: ignore[call-overload]
            elif kind == "logout":
                r.logout(AgentId(AGENTS[int(a)]), now=h.now)  # type: ignore[call-overload]
            elif kind == "end_wrap":
                r.end_wrap_up(AgentId(AGENTS[int(a)]), now=h.now)  # type: ignore[call-overload]
            elif kind == "callback" and WorkId(f"i{a}") in r._items:
                r.request_callback(WorkId(f"i{a}"), "100", now=h.now)
            elif kind == "unreachable":
                r.agent_unreachable(AgentId(AGENTS[int(a)]), now=h.now)  # type: ignore[call-overload]
            elif kind == "wait":
                h.advance(float(a))  # type: ignore[arg-type]
        except RoutingError:
            pass  # illegal for the state it is in: fine, as long as nothing half-changed
        check(r)
    for agent in r._agents.values():
        assert agent.state is not AgentState.RESERVED or any(
            agent.agent_id in item.ringing for item in r._items.values()
        )
