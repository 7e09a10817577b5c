"""Time edges: the tenant's midnight, the 30-minute window's edge, records that come late."""

from __future__ import annotations

from datetime import datetime

from hotline.analytics.realtime import RealtimeProjection, RealtimeSettings, replay_start
from hotline.events import EventRecord
from hotline.routing.agent_state import AgentState

from .feed import MORNING, SHANGHAI, TENANT, Feed

MIDNIGHT = datetime(2026, 11, 24, 0, 0, tzinfo=SHANGHAI).timestamp()


def across_midnight() -> Feed:
    """Seconds relative to midnight in Shanghai (16:00 UTC).

    −600 a1, a2 available · −300 i1 enters, rings a1 · −290 a1 answers (wait 10)
    −120 i2 enters · +55 i2 rings a2 · +60 a2 answers (wait 180)
    +120 a1 hangs up (talk 410) · +180 a1's wrap-up ends (60)
    """
    feed = Feed(start=MIDNIGHT - 600)
    feed.state("a1", AgentState.AVAILABLE)
    feed.state("a2", AgentState.AVAILABLE)
    feed.at(-300, MIDNIGHT).enter("i1")
    feed.offer("i1", "a1")
    feed.at(-290, MIDNIGHT).answer("i1", "a1")
    feed.at(-120, MIDNIGHT).enter("i2")
    feed.at(55, MIDNIGHT).offer("i2", "a2")
    feed.at(60, MIDNIGHT).answer("i2", "a2")
    feed.at(120, MIDNIGHT).hang_up("i1", "a1")
    feed.at(180, MIDNIGHT).end_wrap_up("i1", "a1")
    return feed


def test_before_midnight_it_is_still_yesterday() -> None:
    feed = Feed(start=MIDNIGHT - 600)
    feed.projection.apply_all(r for r in across_midnight().records if r.at < MIDNIGHT)
    snapshot = feed.projection.snapshot(MIDNIGHT - 60)
    assert (snapshot.day, snapshot.day_start) == ("2026-11-23", MIDNIGHT - 86_400)
    today = snapshot.queues["q"].today
    assert (today.offered, today.answered, today.service_level) == (2, 1, 1.0)


def test_after_midnight_today_restarts_and_the_window_reaches_back() -> None:
    snapshot = across_midnight().projection.snapshot(MIDNIGHT + 600)
    assert (snapshot.day, snapshot.day_start) == ("2026-11-24", MIDNIGHT)
    queue = snapshot.queues["q"]
    today, window = queue.today, queue.window
    # today: both entered yesterday; i2 answered today (180 s: out of SL); i1 completed today
    assert (today.offered, today.answered, today.answered_in_sl) == (0, 1, 0)
    assert (today.service_level, today.asa_s, today.answer_rate) == (0.0, 180.0, None)
    assert (today.completed, today.aht_s) == (1, 470.0)  # talk 410 + wrap-up 60
    # the window (since 23:50) holds everything
    assert (window.offered, window.answered, window.answered_in_sl) == (2, 2, 1)
    assert (window.service_level, window.asa_s, window.answer_rate) == (0.5, 95.0, 1.0)
    a1, a2 = snapshot.agents["a1"], snapshot.agents["a2"]
    # a1: busy since −290 but only the 120 s after midnight are today's, then 60 s wrap-up
    assert (a1.handled, a1.completed, a1.aht_s) == (0, 1, 470.0)
    assert (a1.handle_s, a1.available_s, a1.logged_in_s) == (180.0, 420.0, 600.0)
    assert (a1.occupancy, a1.utilization) == (0.3, 0.3)
    # a2: available to +55, ringing 5 s, busy since +60
    assert (a2.handled, a2.handle_s, a2.available_s, a2.logged_in_s) == (1, 540.0, 60.0, 600.0)
    assert a2.occupancy == 0.9
    assert a2.time_in_state_s == 540.0  # time in state is not cut at midnight


def test_a_snapshot_alone_crosses_midnight() -> None:
    feed = Feed(start=MIDNIGHT - 600)
    feed.at(-300, MIDNIGHT).enter("i1")
    feed.at(-200, MIDNIGHT).abandon("i1")
    assert feed.projection.snapshot(MIDNIGHT - 1).queues["q"].today.abandoned == 1
    snapshot = feed.projection.snapshot(MIDNIGHT + 1)
    assert snapshot.queues["q"].today.abandoned == 0
    assert snapshot.queues["q"].window.abandoned == 1


def test_a_late_record_from_yesterday_counts_in_the_window_only() -> None:
    feed = across_midnight()
    feed.projection.snapshot(MIDNIGHT + 600)
    late = EventRecord(
        tenant_id=TENANT,
        seq=len(feed.records) + 1,
        at=MIDNIGHT - 0.5,
        type="queue.rejected",
        interaction_id="r1",
        leg_id=None,
        agent_id=None,
        payload={"queue_id": "q", "channel": "voice", "priority": 0, "reason": "full"}
        | {"destination": "hangup"},
    )
    assert feed.projection.apply(late)
    queue = feed.projection.snapshot(MIDNIGHT + 600).queues["q"]
    assert (queue.today.rejected, queue.window.rejected) == (0, 1)


def test_the_window_edge_is_exclusive() -> None:
    feed = Feed()
    feed.at(0).enter("i1")
    feed.at(10).answer("i1")
    inside = feed.projection.snapshot(MORNING + 1809.999).queues["q"].window
    assert (inside.offered, inside.answered, inside.asa_s) == (0, 1, 10.0)
    assert inside.answer_rate is None  # no offered left in the window to divide by
    gone = feed.projection.snapshot(MORNING + 1810).queues["q"].window
    assert (gone.offered, gone.answered, gone.asa_s) == (0, 0, None)
    today = feed.projection.snapshot(MORNING + 1810).queues["q"].today
    assert (today.offered, today.answered) == (1, 1)


def test_a_record_older_than_the_window_is_not_counted_in_it() -> None:
    feed = Feed()
    feed.projection.snapshot(MORNING + 3600)
    stale = EventRecord(
        tenant_id=TENANT,
        seq=1,
        at=MORNING + 1800,  # exactly one window before the latest time seen
        type="queue.entered",
        interaction_id="i1",
        leg_id=None,
        agent_id=None,
        payload={"queue_id": "q", "channel": "voice", "priority": 0, "skills": []},
    )
    feed.projection.apply(stale)
    queue = feed.projection.snapshot(MORNING + 3600).queues["q"]
    assert (queue.today.offered, queue.window.offered) == (1, 0)
    assert queue.longest_wait_s == 1800.0


def test_snapshot_time_never_goes_backwards() -> None:
    feed = Feed()
    feed.at(100).enter("i1")
    snapshot = feed.projection.snapshot(MORNING + 50)  # a reader whose clock is behind
    assert snapshot.at == MORNING + 100
    assert snapshot.queues["q"].longest_wait_s == 0.0


def test_other_time_zones_have_other_midnights() -> None:
    utc = RealtimeProjection(TENANT, RealtimeSettings(time_zone="UTC"))
    shanghai = RealtimeProjection(TENANT)
    at = datetime(2026, 11, 23, 20, 0, tzinfo=SHANGHAI).timestamp()  # 12:00 UTC
    assert utc.snapshot(at).day == "2026-11-23"
    assert shanghai.snapshot(at + 5 * 3600).day == "2026-11-24"  # 01:00 in Shanghai
    assert utc.snapshot(at + 5 * 3600).day == "2026-11-23"  # 17:00 UTC


def test_replay_starts_at_yesterdays_midnight() -> None:
    assert replay_start(MIDNIGHT + 600) == MIDNIGHT - 86_400
    assert replay_start(MIDNIGHT - 600) == MIDNIGHT - 2 * 86_400


def test_records_slightly_out_of_time_order_leave_the_window_on_time() -> None:
    feed = Feed()
    feed.at(100).enter("i1")
    late = EventRecord(
        tenant_id=TENANT,
        seq=2,
        at=MORNING + 50,  # stamped earlier by another producer, committed later
        type="queue.entered",
        interaction_id="i0",
        leg_id=None,
        agent_id=None,
        payload={"queue_id": "q", "channel": "voice", "priority": 0, "skills": []},
    )
    feed.projection.apply(late)
    assert feed.projection.snapshot(MORNING + 1849).queues["q"].window.offered == 2
    assert feed.projection.snapshot(MORNING + 1850).queues["q"].window.offered == 1
    assert feed.projection.snapshot(MORNING + 1900).queues["q"].window.offered == 0


def test_a_survey_after_midnight_finds_the_agent_who_answered_before_it() -> None:
    feed = Feed(start=MIDNIGHT - 600)
    feed.state("a1", AgentState.AVAILABLE)
    feed.at(-120, MIDNIGHT).enter("i1")
    feed.offer("i1", "a1")
    feed.at(-110, MIDNIGHT).answer("i1", "a1")
    feed.at(-10, MIDNIGHT).hang_up("i1", "a1", wrap_up=False)
    feed.at(30, MIDNIGHT).survey("i1", 4)
    snapshot = feed.projection.snapshot(feed.now)
    assert (snapshot.agents["a1"].csat, snapshot.agents["a1"].handled) == (1.0, 0)
    assert snapshot.queues["q"].today.csat_answers == 1
