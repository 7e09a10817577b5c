"""Thresholds raise alerts and clear them with hysteresis; each carries an Erlang C hint."""

from __future__ import annotations

import math

import pytest

from hotline.analytics.realtime import (
    AlertThresholds,
    QueueSettings,
    RealtimeSettings,
    UnknownQueue,
)
from hotline.routing.agent_state import AgentState

from .feed import MORNING, Feed

QUIET = AlertThresholds(waiting_above=None, longest_wait_above_s=None, sl_alert=False)


def alerts_at(feed: Feed, offset_s: float) -> dict[str, float]:
    """The alerts up at `offset_s`, as alert id → raised at (seconds after 09:00)."""
    snapshot = feed.projection.snapshot(MORNING + offset_s)
    return {key: alert.raised_at - MORNING for key, alert in snapshot.alerts.items()}


def test_waiting_raises_above_n_and_clears_at_the_lower_level_after_min_active() -> None:
    rules = AlertThresholds(
        waiting_above=3, waiting_clear_at=1, longest_wait_above_s=None, sl_alert=False
    )
    feed = Feed(RealtimeSettings(thresholds=rules))
    for n in range(4):
        feed.at(n).enter(f"i{n}")
        expected = {"q/waiting": 3.0} if n == 3 else {}
        assert alerts_at(feed, n) == expected  # 4 > 3 raises; 3 does not
    alert = feed.projection.snapshot(MORNING + 3).alerts["q/waiting"]
    assert (alert.kind, alert.threshold, alert.value_at_raise) == ("waiting", 3, 4)
    feed.at(10).abandon("i3")
    assert alerts_at(feed, 10) == {"q/waiting": 3.0}  # 3 waiting: above the clear level
    feed.at(20).abandon("i2")
    feed.at(25).abandon("i1")
    assert alerts_at(feed, 25) == {"q/waiting": 3.0}  # 1 waiting, but up only 22 s
    assert alerts_at(feed, 33) == {}  # up 30 s: clears


def test_longest_wait() -> None:
    feed = Feed(RealtimeSettings(thresholds=AlertThresholds(waiting_above=None, sl_alert=False)))
    feed.at(0).enter("i1")
    assert alerts_at(feed, 60) == {}  # 60 s is not above 60 s
    assert alerts_at(feed, 61) == {"q/longest_wait": 61.0}
    feed.at(70).answer("i1")
    assert alerts_at(feed, 90) == {"q/longest_wait": 61.0}
    assert alerts_at(feed, 91) == {}


def test_service_level_waits_for_enough_contacts_and_clears_above_target_plus_margin() -> None:
    rules = AlertThresholds(waiting_above=None, longest_wait_above_s=None, min_active_s=0.0)
    feed = Feed(RealtimeSettings(thresholds=rules))
    t = 0.0

    def call(wait: float) -> None:
        nonlocal t
        feed.at(t).enter(f"i{t}")
        feed.at(t + wait).answer(f"i{t}")
        t += wait + 1

    for _ in range(4):
        call(30)
    assert alerts_at(feed, t) == {}  # SL 0 %, but only 4 contacts
    call(30)
    assert list(alerts_at(feed, t)) == ["q/service_level"]  # 0 / 5 < 80 %
    for _ in range(28):
        call(1)
    snapshot = feed.projection.snapshot(MORNING + t)
    assert snapshot.queues["q"].window.service_level == round(28 / 33, 4)  # 0.8485 < 0.85
    assert list(snapshot.alerts) == ["q/service_level"]
    call(1)
    assert feed.projection.snapshot(MORNING + t).queues["q"].window.service_level == round(
        29 / 34, 4
    )
    assert alerts_at(feed, t) == {}  # 85.3 % ≥ 80 % + 5 points


def test_an_empty_window_clears_the_service_level_alert() -> None:
    rules = AlertThresholds(waiting_above=None, longest_wait_above_s=None, sl_min_contacts=1)
    feed = Feed(RealtimeSettings(thresholds=rules))
    feed.at(0).enter("i1")
    feed.at(30).answer("i1")
    assert list(alerts_at(feed, 30)) == ["q/service_level"]
    assert alerts_at(feed, 1831) == {}  # the answer left the window


def test_per_queue_thresholds_and_sl_below() -> None:
    settings = RealtimeSettings(
        thresholds=QUIET,
        queues={
            "vip": QueueSettings(
                "vip",
                sl_target=0.9,
                thresholds=AlertThresholds(
                    waiting_above=None, longest_wait_above_s=None, sl_min_contacts=1
                ),
            ),
        },
    )
    feed = Feed(settings)
    for base, queue in ((0, "vip"), (100, "q")):
        feed.at(base).enter(f"{queue}-1", queue=queue)
        feed.at(base + 1).answer(f"{queue}-1", queue=queue)
        feed.at(base + 2).enter(f"{queue}-2", queue=queue)
        feed.at(base + 28).answer(f"{queue}-2", queue=queue)
    alerts = feed.projection.snapshot(feed.now).alerts
    assert list(alerts) == ["vip/service_level"]  # 50 % < 90 %; q's rules are all off
    assert alerts["vip/service_level"].threshold == 0.9


def erlang_c(agents: int, erlangs: float) -> float:
    """The textbook formula, independent of hotline.analytics.wfm."""
    top = erlangs**agents / math.factorial(agents) * agents / (agents - erlangs)
    bottom = sum(erlangs**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


def test_staffing_hint_from_the_last_30_minutes() -> None:
    """60 calls in the window: 120/h; AHT 180 s (talk 150 + wrap-up 30) → A = 6 Erlangs.

    80/20 needs the fewest N with 1 − C(N, 6)·e^(−(N − 6)·20/180) ≥ 0.8; 3 logged in.
    """
    feed = Feed(RealtimeSettings(thresholds=QUIET))
    for agent in ("a1", "a2", "a3"):
        feed.state(agent, AgentState.AVAILABLE)
    for n in range(3):
        feed.at(n).enter(f"i{n}")
        feed.offer(f"i{n}", f"a{n + 1}")
        feed.answer(f"i{n}", f"a{n + 1}")
    for n in range(3):
        feed.at(150 + n).hang_up(f"i{n}", f"a{n + 1}")
    for n in range(3):
        feed.at(180 + n).end_wrap_up(f"i{n}", f"a{n + 1}")
    for n in range(3, 60):
        feed.at(200 + 25 * n).enter(f"i{n}")
        feed.answer(f"i{n}")
    needed = next(
        n for n in range(7, 30) if 1 - erlang_c(n, 6.0) * math.exp(-(n - 6) * 20 / 180) >= 0.8
    )
    assert needed == 9
    hint = feed.projection.staffing("q", MORNING + 1700)
    assert (hint.arrival_per_hour, hint.aht_s, hint.aht_source) == (120.0, 180.0, "window")
    assert (hint.offered_erlangs, hint.sl_target, hint.sl_threshold_s) == (6.0, 0.8, 20.0)
    assert (hint.agents_needed, hint.shrinkage) == (needed, 0.3)
    assert hint.scheduled_needed == math.ceil(needed / (1 - 0.3))  # 13
    assert (hint.logged_in, hint.add_agents) == (3, 13 - 3)


def test_staffing_falls_back_to_todays_aht_then_the_default() -> None:
    feed = Feed(RealtimeSettings(thresholds=QUIET, default_aht_s=240.0))
    feed.at(0).enter("i0")
    hint = feed.projection.staffing("q", feed.now)
    assert (hint.aht_s, hint.aht_source, hint.arrival_per_hour) == (240.0, "default", 2.0)
    feed.state("a1", AgentState.AVAILABLE)
    feed.offer("i0", "a1")
    feed.answer("i0", "a1")
    feed.at(100).hang_up("i0", "a1", wrap_up=False)
    hint = feed.projection.staffing("q", MORNING + 2000)  # that call left the window
    assert (hint.aht_s, hint.aht_source, hint.arrival_per_hour) == (100.0, "today", 0.0)
    assert (hint.agents_needed, hint.add_agents) == (0, 0)


def test_an_alert_carries_the_hint() -> None:
    rules = AlertThresholds(waiting_above=1, waiting_clear_at=0)
    feed = Feed(RealtimeSettings(thresholds=rules))
    feed.at(0).enter("i1")
    feed.at(1).enter("i2")
    alert = feed.projection.snapshot(feed.now).alerts["q/waiting"]
    assert alert.staffing == feed.projection.staffing("q", feed.now)
    assert alert.staffing.add_agents == alert.staffing.scheduled_needed  # nobody logged in


def test_staffing_of_an_unknown_queue() -> None:
    with pytest.raises(UnknownQueue) as caught:
        Feed().projection.staffing("nope", MORNING)
    assert caught.value.code == "realtime.queue.unknown"
