"""Every agent figure against hand-computed values: state, time in state, current work, handled,
AHT (talk + hold + wrap-up), occupancy, utilization and CSAT, through not ready and logout."""

from __future__ import annotations

from hotline.analytics.realtime import Agent
from hotline.events import EventRecord
from hotline.flows.events import SurveyAnswered
from hotline.routing.agent_state import AgentState
from hotline.routing.capacity import Channel
from hotline.routing.events import AgentInteractionEnded, AgentWrapUpEnded

from .feed import MORNING, Feed


def shift() -> Feed:
    """a1's morning, seconds after 09:00.

    0 log in (not ready, "login") · 60 available · 100 offered i1 · 105 answers (wait 15)
    225 hangs up (talk 120) → wrap-up · 255 wrap-up ends (30) → available
    300 offered i2 · 310 answers (wait 20) · 370 hangs up (talk 60), no wrap-up → available
    400 not ready "break" · 700 available · 760 logs out
    """
    feed = Feed()
    feed.at(0).state("a1", AgentState.NOT_READY, reason="login")
    feed.at(60).state("a1", AgentState.AVAILABLE)
    feed.at(90).enter("i1")
    feed.at(100).offer("i1", "a1")
    feed.at(105).answer("i1", "a1")
    feed.at(225).hang_up("i1", "a1")
    feed.at(255).end_wrap_up("i1", "a1")
    feed.at(290).enter("i2")
    feed.at(300).offer("i2", "a1")
    feed.at(310).answer("i2", "a1")
    feed.at(370).hang_up("i2", "a1", wrap_up=False)
    feed.at(400).state("a1", AgentState.NOT_READY, reason="break")
    feed.at(700).state("a1", AgentState.AVAILABLE)
    feed.at(760).state("a1", AgentState.LOGGED_OUT)
    return feed


def agent_at(offset_s: float) -> Agent:
    """a1 as seen at `offset_s`, having been fed the shift up to then."""
    feed = Feed()
    feed.projection.apply_all(r for r in shift().records if r.at <= MORNING + offset_s)
    return feed.projection.snapshot(MORNING + offset_s).agents["a1"]


def test_mid_call() -> None:
    a1 = agent_at(150)
    assert (a1.state, a1.interaction_id, a1.queue_id) == ("busy", "i1", "q")
    assert (a1.since, a1.time_in_state_s) == (MORNING + 105, 45.0)
    assert (a1.handled, a1.completed, a1.aht_s) == (1, 0, None)  # handled at the answer
    # busy 45; available 40 + reserved 5; logged in 60 + 40 + 5 + 45
    assert (a1.handle_s, a1.available_s, a1.logged_in_s) == (45.0, 45.0, 150.0)
    assert (a1.occupancy, a1.utilization) == (0.5, 0.3)


def test_in_wrap_up_the_contact_is_not_complete_yet() -> None:
    a1 = agent_at(240)
    assert (a1.state, a1.interaction_id, a1.time_in_state_s) == ("wrap_up", "i1", 15.0)
    assert (a1.completed, a1.aht_s) == (0, None)
    assert a1.handle_s == 135.0  # busy 120 + wrap-up 15


def test_not_ready_shows_its_reason_and_no_work() -> None:
    a1 = agent_at(500)
    assert (a1.state, a1.reason, a1.time_in_state_s) == ("not_ready", "break", 100.0)
    assert (a1.interaction_id, a1.queue_id) == (None, None)


def test_after_logout() -> None:
    a1 = agent_at(1000)
    assert (a1.state, a1.since, a1.time_in_state_s) == ("logged_out", MORNING + 760, 240.0)
    assert (a1.handled, a1.completed) == (2, 2)
    assert a1.aht_s == 105.0  # (120 talk + 30 wrap-up + 60 talk) / 2
    # not ready 60 + 300; available 40 + 45 + 30 + 60; reserved 5 + 10; busy 120 + 60; wrap 30
    assert a1.handle_s == 210.0
    assert a1.available_s == 190.0
    assert a1.logged_in_s == 760.0  # logged out time is not logged-in time
    assert a1.occupancy == round(210 / 400, 4)  # handle / (handle + available idle)
    assert a1.utilization == round(210 / 760, 4)  # handle / logged-in


def test_queue_aht_and_csat_follow_the_same_contacts() -> None:
    feed = shift()
    feed.at(800).survey("i1", 5)
    feed.at(810).survey("i2", 3)
    snapshot = feed.projection.snapshot(MORNING + 1000)
    q, a1 = snapshot.queues["q"], snapshot.agents["a1"]
    assert (q.today.completed, q.today.aht_s) == (2, 105.0)
    assert (q.today.csat, q.today.csat_answers) == (0.5, 2)
    assert (a1.csat, a1.csat_answers) == (0.5, 2)
    assert q.today.asa_s == 17.5  # (15 + 20) / 2


def test_a_survey_naming_its_agent_counts_for_that_agent() -> None:
    feed = Feed()
    feed.at(0).state("a9", AgentState.AVAILABLE)
    feed.emit(
        SurveyAnswered,
        interaction_id="elsewhere",
        agent_id="a9",
        node="survey",
        rating=9,
        scale=9,
    )
    snapshot = feed.projection.snapshot(feed.now)
    assert (snapshot.agents["a9"].csat, snapshot.agents["a9"].csat_answers) == (1.0, 1)
    assert snapshot.queues == {}  # no queue known for that interaction


def test_wrap_up_then_break_completes_the_contact_at_wrap_up_end() -> None:
    feed = Feed()
    feed.at(0).state("a1", AgentState.AVAILABLE)
    feed.at(10).enter("i1")
    feed.offer("i1", "a1")
    feed.at(12).answer("i1", "a1")
    feed.at(72).hang_up("i1", "a1")
    feed.at(80).end_wrap_up("i1", "a1", then=AgentState.NOT_READY, reason="lunch")
    a1 = feed.projection.snapshot(MORNING + 100).agents["a1"]
    assert (a1.state, a1.reason, a1.completed, a1.aht_s) == ("not_ready", "lunch", 1, 68.0)


def test_an_unknown_agent_state_is_malformed_and_skipped() -> None:
    feed = Feed()
    feed.at(0).state("a1", AgentState.AVAILABLE)
    broken = feed.records[0]
    bad = EventRecord(
        tenant_id=broken.tenant_id,
        seq=2,
        at=broken.at + 1,
        type=broken.type,
        interaction_id=None,
        leg_id=None,
        agent_id="a1",
        payload={**broken.payload, "state": "dancing"},
    )
    assert feed.projection.apply(bad) is True
    assert feed.projection.malformed == 1
    assert "dancing" in (feed.projection.last_malformed or "")
    assert feed.projection.snapshot(feed.now + 1).agents["a1"].state == "available"


def test_the_routers_zero_wrap_up_completes_the_contact_once() -> None:
    """The router ends every handled interaction with one `agent.wrap_up_ended`, 0 s when the
    queue has no wrap-up, before the agent's state changes."""
    feed = Feed()
    feed.at(0).state("a1", AgentState.AVAILABLE)
    feed.at(10).enter("i1")
    feed.offer("i1", "a1")
    feed.at(12).answer("i1", "a1")
    feed.at(72).emit(
        AgentInteractionEnded,
        interaction_id="i1",
        agent_id="a1",
        queue_id="q",
        channel=Channel.VOICE,
        talk_s=60.0,
    )
    feed.emit(
        AgentWrapUpEnded,
        interaction_id="i1",
        agent_id="a1",
        queue_id="q",
        channel=Channel.VOICE,
        wrap_up_s=0.0,
        by_agent=False,
    )
    feed.state("a1", AgentState.AVAILABLE, interaction="i1", queue="q")
    snapshot = feed.projection.snapshot(feed.now)
    assert (snapshot.agents["a1"].completed, snapshot.agents["a1"].aht_s) == (1, 60.0)
    assert (snapshot.queues["q"].today.completed, snapshot.queues["q"].today.aht_s) == (1, 60.0)
