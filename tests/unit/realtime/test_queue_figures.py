"""Every queue figure against hand-computed values (GLOSSARY definitions)."""

from __future__ import annotations

import pytest

from hotline.analytics.realtime import Period, QueueSettings, RealtimeSettings
from hotline.routing.agent_state import AgentState

from .feed import MORNING, Feed


def busy_morning() -> Feed:
    """Queue q, SL 80/20, short abandons ≤ 5 s; waits noted per contact.

    i1  answered after 10 s (in SL)          i2  abandoned after 3 s (short)
    i3  abandoned after 30 s (after SL)      i4  abandoned after 12 s (neither)
    i5  answered after 30 s (out of SL)      i6  callback at 10 s, answered at 60 s (out of SL)
    i7  callback at 10 s, callback failed    r1  rejected at the door (closed)
    i9  exited at max wait                   i12 overflowed out to voicemail
    i10 still waiting (entered at +40)       i11 still waiting, ringing agent a2
    i13 callback kept in line
    """
    feed = Feed()
    feed.state("a1", AgentState.AVAILABLE)
    feed.state("a2", AgentState.AVAILABLE)
    feed.at(0).enter("i1")
    feed.at(1).enter("i2")
    feed.at(2).enter("i3")
    feed.at(3).enter("i4")
    feed.at(4).abandon("i2")  # 3 s
    feed.at(5).enter("i5")
    feed.at(6).enter("i6")
    feed.at(7).enter("i7")
    feed.at(9).enter("i9")
    feed.at(9.5).reject("r1")
    feed.at(10).offer("i1", "a1")
    feed.answer("i1", "a1")  # 10 s
    feed.at(15).abandon("i4")  # 12 s
    feed.at(16).callback("i6")
    feed.at(17).callback("i7")
    feed.at(20).enter("i12")
    feed.at(32).abandon("i3")  # 30 s
    feed.at(35).offer("i5", "a2")
    feed.answer("i5", "a2")  # 30 s
    feed.at(40).enter("i10")
    feed.at(50).overflow("i12", left=True)
    feed.enter("i11")
    feed.at(60).enter("i13")
    feed.at(62).hang_up("i1", "a1")
    feed.at(65).callback("i13")
    feed.at(66).end_wrap_up("i1", "a1")
    feed.offer("i6", "a1")
    feed.answer("i6", "a1", callback=True)  # 60 s since it first entered
    feed.at(70).exit("i9")
    feed.at(80).callback_failed("i7")
    feed.at(90).state("a3", AgentState.AVAILABLE)
    feed.offer("i11", "a3")
    return feed


EXPECTED = {
    "offered": 12,
    "rejected": 1,
    "answered": 3,
    "answered_in_sl": 1,
    "abandoned": 3,
    "short_abandoned": 1,
    "abandoned_after_sl": 1,
    "callbacks": 3,
    "callbacks_failed": 1,
    "exited": 2,
    "completed": 1,
    "service_level": 0.25,  # 1 in SL / (3 answered + 1 abandoned after SL)
    "asa_s": 33.3,  # (10 + 30 + 60) / 3
    "abandon_rate": round(2 / 11, 4),  # (3 − 1 short) / (12 − 1 short)
    "answer_rate": round(3 / 11, 4),  # 3 / (12 − 1 short)
    "aht_s": 56.0,  # i1: talk 52 + wrap 4
    "csat": None,
    "csat_answers": 0,
    "transferred": None,
    "transfer_rate": None,
}


def figures(period: Period) -> dict[str, object]:
    return {name: getattr(period, name) for name in EXPECTED}


def test_every_queue_figure_today_and_in_the_window() -> None:
    feed = busy_morning()
    queue = feed.projection.snapshot(MORNING + 100).queues["q"]
    assert figures(queue.today) == EXPECTED
    assert figures(queue.window) == EXPECTED  # everything happened in the last 30 minutes
    assert queue.waiting == 2  # i10, i11 (ringing) — callbacks are not callers on the line
    assert queue.ringing == 1
    assert queue.callbacks_waiting == 1  # i13
    assert queue.oldest_entered_at == MORNING + 40
    assert queue.longest_wait_s == 60.0
    assert (queue.sl_threshold_s, queue.sl_target, queue.short_abandon_s) == (20.0, 0.8, 5.0)
    agents = queue.agents
    assert (agents.logged_in, agents.available, agents.reserved, agents.busy) == (3, 0, 1, 2)
    assert (agents.wrap_up, agents.not_ready) == (0, 0)


def test_longest_wait_grows_with_time_alone() -> None:
    feed = busy_morning()
    assert feed.projection.snapshot(MORNING + 130.25).queues["q"].longest_wait_s == 90.2


def test_a_ringing_offer_that_fails_is_waiting_again() -> None:
    feed = busy_morning()
    feed.at(95).offer_failed("i11", "a3")
    queue = feed.projection.snapshot(feed.now).queues["q"]
    assert (queue.waiting, queue.ringing) == (2, 0)


def test_short_abandon_threshold_is_inclusive_and_configurable() -> None:
    feed = Feed(RealtimeSettings(queues={"q": QueueSettings("q", short_abandon_s=10.0)}))
    for n, wait in enumerate([5.0, 10.0, 10.001, 25.0]):
        feed.at(100 * n).enter(f"i{n}")
        feed.at(100 * n + wait).abandon(f"i{n}")
    today = feed.projection.snapshot(feed.now).queues["q"].today
    assert (today.abandoned, today.short_abandoned, today.abandoned_after_sl) == (4, 2, 1)
    assert today.abandon_rate == 1.0  # (4 − 2) / (4 − 2)
    assert today.answer_rate == 0.0
    assert today.service_level == 0.0  # 0 in SL / (0 answered + 1 abandoned after 20 s)


def test_sl_uses_the_threshold_each_event_carried() -> None:
    feed = Feed()
    feed.at(0).enter("i1")
    feed.at(15).answer("i1", sl_threshold_s=20.0)  # in
    feed.at(20).enter("i2")
    feed.at(35).answer("i2", sl_threshold_s=10.0)  # out: the queue changed to 10 s
    feed.at(40).enter("i3")
    feed.at(50).answer("i3", sl_threshold_s=10.0)  # exactly 10 s: within
    queue = feed.projection.snapshot(feed.now).queues["q"]
    assert queue.today.service_level == round(2 / 3, 4)
    assert queue.sl_threshold_s == 10.0


def test_nothing_counted_means_none_not_zero() -> None:
    feed = Feed(RealtimeSettings(queues={"q": QueueSettings("q", sl_threshold_s=30.0)}))
    queue = feed.projection.snapshot(MORNING).queues["q"]
    today = queue.today
    assert (today.offered, today.service_level, today.asa_s) == (0, None, None)
    assert (today.abandon_rate, today.answer_rate, today.aht_s, today.csat) == (None,) * 4
    assert queue.longest_wait_s is None
    assert queue.sl_threshold_s == 30.0  # configured, until an event carries one


def test_only_short_abandons_leave_no_denominator() -> None:
    feed = Feed()
    feed.at(0).enter("i1")
    feed.at(2).abandon("i1")
    today = feed.projection.snapshot(feed.now).queues["q"].today
    assert (today.abandon_rate, today.answer_rate, today.service_level) == (None, None, None)


def test_a_queue_keeps_its_own_figures() -> None:
    feed = Feed()
    feed.at(0).enter("i1", queue="sales")
    feed.at(1).enter("i2", queue="support")
    feed.at(4).answer("i1", queue="sales")
    snapshot = feed.projection.snapshot(feed.now)
    assert snapshot.queues["sales"].today.answered == 1
    assert snapshot.queues["support"].today.answered == 0
    assert snapshot.queues["support"].waiting == 1


def test_configured_members_decide_the_agent_counts() -> None:
    settings = RealtimeSettings(
        queues={
            "sales": QueueSettings("sales", members=frozenset({"a1", "a2"})),
            "support": QueueSettings("support", members=frozenset({"a2", "a3", "a4"})),
        }
    )
    feed = Feed(settings)
    feed.state("a1", AgentState.AVAILABLE)
    feed.state("a2", AgentState.NOT_READY, reason="lunch")
    feed.state("a3", AgentState.AVAILABLE)
    feed.at(5).enter("i1", queue="support")
    feed.offer("i1", "a3", queue="support")
    snapshot = feed.projection.snapshot(feed.now)
    sales, support = snapshot.queues["sales"].agents, snapshot.queues["support"].agents
    assert (sales.logged_in, sales.available, sales.not_ready) == (2, 1, 1)
    assert (support.logged_in, support.reserved, support.not_ready) == (2, 1, 1)
    assert snapshot.agents["a4"].state == "logged_out"  # configured, never seen
    assert snapshot.agents["a4"].since is None


@pytest.mark.parametrize(("rating", "satisfied"), [(5, 1), (4, 1), (3, 0), (1, 0)])
def test_csat_on_one_to_five(rating: int, satisfied: int) -> None:
    feed = Feed()
    feed.at(0).enter("i1")
    feed.state("a1", AgentState.AVAILABLE)
    feed.offer("i1", "a1")
    feed.at(3).answer("i1", "a1")
    feed.at(60).hang_up("i1", "a1", wrap_up=False)
    feed.at(70).survey("i1", rating)
    snapshot = feed.projection.snapshot(feed.now)
    assert snapshot.queues["q"].today.csat == satisfied
    assert snapshot.queues["q"].today.csat_answers == 1
    assert snapshot.agents["a1"].csat == satisfied
