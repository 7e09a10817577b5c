"""Every agent-selection strategy, and the priority/aging order of waiting interactions."""

from __future__ import annotations

from collections import Counter

from hotline.ids import AgentId, WorkId
from hotline.routing.agent_state import AgentState
from hotline.routing.decisions import CancelOffer, OfferEnd
from hotline.routing.queues import ScoreWeights, Strategy
from tests.unit.routing.harness import Harness, of_type, offers


def serve(h: Harness, interaction: str, agent: str, talk_s: float = 60.0) -> None:
    """Answer, talk, hang up; the queue has no wrap-up so the agent is free at once."""
    h.answer(interaction, agent)
    h.advance(talk_s)
    h.hang_up(interaction)


def staffed(strategy: Strategy, names: list[str], **queue: object) -> Harness:
    h = Harness()
    h.queue("q", strategy=strategy, wrap_up_s=0.0, **queue)
    for name in names:
        h.agent(name, {"s": 5})
        h.advance(1)
    return h


def test_longest_idle_offers_the_agent_free_the_longest() -> None:
    h = staffed(Strategy.LONGEST_IDLE, ["a", "b", "c"])
    assert offers(h.call("i1")) == [("i1", "a")]
    serve(h, "i1", "a")  # a is free again, now the most recently
    assert offers(h.call("i2")) == [("i2", "b")]
    serve(h, "i2", "b")
    assert offers(h.call("i3")) == [("i3", "c")]
    serve(h, "i3", "c")
    assert offers(h.call("i4")) == [("i4", "a")]


def test_a_break_resets_idle_time() -> None:
    h = staffed(Strategy.LONGEST_IDLE, ["a", "b"])
    h.router.set_not_ready(AgentId("a"), "break", now=h.now)
    h.advance(5)
    h.router.set_available(AgentId("a"), now=h.now)
    assert offers(h.call("i1")) == [("i1", "b")]


def test_fewest_handled_today_goes_first() -> None:
    h = staffed(Strategy.FEWEST_HANDLED, ["a", "b"])
    assert offers(h.call("i1")) == [("i1", "a")]
    serve(h, "i1", "a")
    assert offers(h.call("i2")) == [("i2", "b")]
    serve(h, "i2", "b")
    assert offers(h.call("i3")) == [("i3", "a")]  # tie on handled: longest idle
    serve(h, "i3", "a")
    assert offers(h.call("i4")) == [("i4", "b")]


def test_handled_today_restarts_at_the_tenants_midnight() -> None:
    h = staffed(Strategy.FEWEST_HANDLED, ["a", "b"])
    for n in range(3):
        ((interaction, agent),) = offers(h.call(f"i{n}"))
        serve(h, interaction, agent)
    snap = h.router.agent_snapshot(AgentId("a"), now=h.now)
    assert snap.handled_today == 2
    h.advance(86_400)
    assert h.router.agent_snapshot(AgentId("a"), now=h.now).handled_today == 0


def test_round_robin_cycles_in_configuration_order() -> None:
    h = staffed(Strategy.ROUND_ROBIN, ["a", "b", "c"])
    picked = []
    for n in range(7):
        (offer,) = offers(h.call(f"i{n}"))
        picked.append(offer[1])
        serve(h, f"i{n}", offer[1], talk_s=1.0)
    assert picked == ["a", "b", "c", "a", "b", "c", "a"]


def test_round_robin_skips_agents_who_are_not_free() -> None:
    h = staffed(Strategy.ROUND_ROBIN, ["a", "b", "c"])
    assert offers(h.call("i1")) == [("i1", "a")]
    h.answer("i1", "a")  # a stays busy
    assert offers(h.call("i2")) == [("i2", "b")]
    serve(h, "i2", "b")
    assert offers(h.call("i3")) == [("i3", "c")]
    serve(h, "i3", "c")
    assert offers(h.call("i4")) == [("i4", "b")]  # wraps past busy a


def test_random_spreads_offers_over_all_free_agents() -> None:
    h = staffed(Strategy.RANDOM, ["a", "b", "c", "d"])
    counts: Counter[str] = Counter()
    for n in range(400):
        (offer,) = offers(h.call(f"i{n}"))
        counts[offer[1]] += 1
        serve(h, f"i{n}", offer[1], talk_s=1.0)
    assert set(counts) == {"a", "b", "c", "d"}
    assert all(70 <= c <= 130 for c in counts.values()), counts  # 100 ± 3 sd


def test_ring_all_rings_everyone_and_the_first_answer_wins() -> None:
    h = staffed(Strategy.RING_ALL, ["a", "b", "c"], ring_all_limit=2)
    assert offers(h.call("i1")) == [("i1", "a"), ("i1", "b")]
    assert h.state("c") is AgentState.AVAILABLE
    decisions = h.answer("i1", "b")
    assert of_type(decisions, CancelOffer) == [
        CancelOffer(WorkId("i1"), AgentId("a"), OfferEnd.ANSWERED_ELSEWHERE)
    ]
    assert (h.state("a"), h.state("b")) == (AgentState.AVAILABLE, AgentState.BUSY)


def test_ring_all_unanswered_blames_nobody() -> None:
    h = staffed(Strategy.RING_ALL, ["a", "b"], ring_timeout_s=10.0)
    h.call("i1")
    decisions = h.advance(10)
    assert len(of_type(decisions, CancelOffer)) == 2
    assert h.state("a") is AgentState.AVAILABLE
    assert h.state("b") is AgentState.AVAILABLE


def test_most_skilled_prefers_proficiency_then_idle_time() -> None:
    h = Harness()
    h.queue("q", strategy=Strategy.MOST_SKILLED, skills={"s": 1}, wrap_up_s=0.0)
    h.agent("low", {"s": 3})
    h.agent("high", {"s": 9})
    h.agent("high2", {"s": 9})
    assert offers(h.call("i1")) == [("i1", "high")]
    assert offers(h.call("i2")) == [("i2", "high2")]
    assert offers(h.call("i3")) == [("i3", "low")]


def test_weighted_trades_idle_time_against_proficiency_and_load() -> None:
    h = Harness()
    weights = ScoreWeights(proficiency_s=60.0, handled_s=30.0)
    h.queue("q", strategy=Strategy.WEIGHTED, weights=weights, skills={"s": 1}, wrap_up_s=0.0)
    h.agent("skilled", {"s": 9}, ready=False)
    h.agent("idle", {"s": 8}, ready=False)
    h.router.login(AgentId("idle"), now=h.now, ready=True)
    h.advance(59)  # idle: 59 s + 8 × 60 = 539; skilled: 0 + 9 × 60 = 540
    h.router.login(AgentId("skilled"), now=h.now, ready=True)
    assert offers(h.call("i1")) == [("i1", "skilled")]
    h.keep(h.router.abandon(WorkId("i1"), now=h.now))
    h.router.set_not_ready(AgentId("skilled"), "x", now=h.now)
    h.advance(2)
    h.router.set_available(AgentId("skilled"), now=h.now)  # skilled idle 0, idle now 61 s
    assert offers(h.call("i2")) == [("i2", "idle")]


def test_a_vip_overtakes_callers_who_waited_less_than_its_credit() -> None:
    h = Harness()
    h.queue("q", priority_credit_s=90.0, wrap_up_s=0.0)
    h.call("old")  # t = 0
    h.advance(60)
    h.call("normal")  # t = 60
    h.advance(10)
    h.call("vip", priority=1)  # t = 70, virtual arrival −20: ahead of both
    order = []
    h.agent("a", {})
    for _ in range(3):
        (offer,) = offers(h.decisions[-1:])
        order.append(offer[0])
        serve(h, offer[0], "a", talk_s=1.0)
    assert order == ["vip", "old", "normal"]


def test_aging_lets_a_long_waiting_caller_beat_a_new_vip() -> None:
    h = Harness()
    h.queue("q", priority_credit_s=90.0, wrap_up_s=0.0)
    h.call("old")
    h.advance(100)
    h.call("vip", priority=1)  # virtual arrival 10 s after "old"
    assert offers(h.agent("a", {})) == [("old", "a")]


def test_strict_priority_always_serves_vips_first() -> None:
    h = Harness()
    h.queue("q", priority_credit_s=None, wrap_up_s=0.0)
    h.call("old")
    h.advance(10_000)
    h.call("vip", priority=1)
    assert offers(h.agent("a", {})) == [("vip", "a")]


def test_an_agent_serving_two_queues_takes_the_oldest_caller_of_either() -> None:
    h = Harness()
    h.queue("sales", skills={"sales": 1})
    h.queue("billing", skills={"billing": 1})
    h.call("s1", "sales")
    h.advance(5)
    h.call("b1", "billing", priority=1)  # 90 s credit: ahead of s1
    h.advance(5)
    h.call("b2", "billing")
    assert offers(h.agent("a", {"sales": 1, "billing": 1})) == [("b1", "a")]
