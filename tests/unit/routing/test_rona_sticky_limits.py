"""RONA, sticky agents, max length and max wait, closed hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from hotline.clock import FakeClock
from hotline.hours import ALWAYS, BusinessCalendar, InvalidHours, calendar_from_record
from hotline.ids import AgentId, CustomerId, QueueId, WorkId
from hotline.routing.agent_state import AgentState
from hotline.routing.decisions import (
    CancelOffer,
    Exited,
    ExitReason,
    OfferEnd,
    Rejected,
    RejectReason,
)
from hotline.routing.events import QueueExited, QueueOfferFailed, QueueRejected
from hotline.routing.queues import VOICEMAIL, Destination, DestinationKind
from tests.unit.routing.harness import Harness, of_type, offers


def test_no_answer_makes_the_agent_not_ready_and_the_caller_keeps_its_place() -> None:
    h = Harness()
    h.queue("q", ring_timeout_s=15.0)
    h.agent("a")
    h.call("first")
    h.advance(1)
    h.call("second")
    decisions = h.advance(15)
    assert of_type(decisions, CancelOffer) == [
        CancelOffer(WorkId("first"), AgentId("a"), OfferEnd.NO_ANSWER)
    ]
    snap = h.router.agent_snapshot(AgentId("a"), now=h.now)
    assert (snap.state, snap.reason) == (AgentState.NOT_READY, "missed")
    failed = h.events(QueueOfferFailed)[0]
    assert (failed.reason, failed.agent_not_ready, failed.wait_s) == ("no_answer", True, 15.0)
    # the RONA'd caller is still ahead of the later one
    assert offers(h.agent("b")) == [("first", "b")]


def test_a_rejection_does_not_come_back_to_the_same_agent() -> None:
    h = Harness()
    h.queue("q", rona_not_ready=False, wrap_up_s=0.0)
    h.agent("a")
    h.call("i1")
    decisions = h.keep(h.router.offer_rejected(WorkId("i1"), AgentId("a"), now=h.now))
    assert offers(decisions) == []  # a is free but declined i1
    assert h.state("a") is AgentState.AVAILABLE
    assert offers(h.call("i2")) == [("i2", "a")]  # a still takes others
    assert offers(h.agent("b")) == [("i1", "b")]


def test_an_unreachable_agent_goes_not_ready_and_its_offer_moves_on() -> None:
    h = Harness()
    h.queue("q")
    h.agent("a")
    h.agent("b")
    h.router.set_not_ready(AgentId("b"), "break", now=h.now)
    h.call("i1")
    decisions = h.keep(h.router.agent_unreachable(AgentId("a"), now=h.now))
    assert of_type(decisions, CancelOffer)[0].reason is OfferEnd.UNREACHABLE
    snap = h.router.agent_snapshot(AgentId("a"), now=h.now)
    assert (snap.state, snap.reason) == (AgentState.NOT_READY, "unreachable")
    assert offers(h.keep(h.router.set_available(AgentId("b"), now=h.now))) == [("i1", "b")]


def test_a_phone_reporting_the_agent_unreachable_makes_it_not_ready() -> None:
    h = Harness()
    h.queue("q")
    h.agent("a")
    h.call("i1")
    h.router.offer_rejected(WorkId("i1"), AgentId("a"), now=h.now, reason=OfferEnd.UNREACHABLE)
    snap = h.router.agent_snapshot(AgentId("a"), now=h.now)
    assert (snap.state, snap.reason) == (AgentState.NOT_READY, "unreachable")


def test_the_customers_last_agent_is_waited_for_up_to_the_sticky_time() -> None:
    h = Harness()
    h.queue("q", sticky_wait_s=30.0, wrap_up_s=0.0)
    h.agent("a")
    h.call("first", customer_id=CustomerId("c1"))
    h.answer("first", "a")
    h.agent("b")
    h.call("second", customer_id=CustomerId("c1"))  # a is busy; b is free but not preferred
    assert h.state("b") is AgentState.AVAILABLE
    h.advance(10)
    assert offers(h.hang_up("first")) == [("second", "a")]


def test_after_the_sticky_time_anyone_may_answer() -> None:
    h = Harness()
    h.queue("q", sticky_wait_s=30.0, wrap_up_s=0.0)
    h.agent("a")
    h.agent("b")
    h.router.set_not_ready(AgentId("b"), "x", now=h.now)
    h.call("first", customer_id=CustomerId("c1"))
    h.answer("first", "a")
    h.router.set_available(AgentId("b"), now=h.now)
    h.call("second", preferred_agent=AgentId("a"))
    assert offers(h.advance(29)) == []
    assert offers(h.advance(1)) == [("second", "b")]


def test_a_logged_out_preferred_agent_is_not_waited_for() -> None:
    h = Harness()
    h.queue("q", sticky_wait_s=30.0)
    h.agent("a", ready=False)
    h.agent("b")
    assert offers(h.call("i1", preferred_agent=AgentId("a"))) == [("i1", "b")]


def test_the_preferred_agent_logging_out_releases_its_callers() -> None:
    h = Harness()
    h.queue("q", sticky_wait_s=300.0, wrap_up_s=0.0)
    h.agent("a")
    h.agent("b")
    h.router.set_not_ready(AgentId("a"), "x", now=h.now)
    h.router.set_not_ready(AgentId("b"), "x", now=h.now)
    h.call("i1", preferred_agent=AgentId("a"))
    h.router.set_available(AgentId("b"), now=h.now)
    assert h.state("b") is AgentState.AVAILABLE
    decisions = h.keep(h.router.logout(AgentId("a"), now=h.now))
    assert offers(decisions) == [("i1", "b")]


def test_a_full_queue_turns_callers_away() -> None:
    h = Harness()
    h.queue("q", max_length=1, when_full=Destination(DestinationKind.QUEUE, "overflow"))
    h.call("i1")
    decisions = h.call("i2")
    assert decisions == [
        Rejected(
            WorkId("i2"),
            QueueId("q"),
            RejectReason.FULL,
            Destination(DestinationKind.QUEUE, "overflow"),
        )
    ]
    assert h.events(QueueRejected)[0].destination == "queue:overflow"


def test_max_wait_sends_the_caller_to_its_destination() -> None:
    h = Harness()
    h.queue("q", max_wait_s=120.0)
    h.call("i1")
    decisions = h.advance(120)
    assert decisions == [Exited(WorkId("i1"), QueueId("q"), ExitReason.MAX_WAIT, VOICEMAIL)]
    assert h.events(QueueExited)[0].wait_s == 120.0


def test_max_wait_while_ringing_waits_for_the_offer() -> None:
    h = Harness()
    h.queue("q", max_wait_s=10.0, ring_timeout_s=15.0)
    h.call("i1")
    h.advance(5)
    h.agent("a")  # rings from t=5 to t=20
    assert of_type(h.advance(10), Exited) == []
    assert of_type(h.advance(5), Exited)[0].reason is ExitReason.MAX_WAIT


def test_an_answered_call_never_hits_max_wait() -> None:
    h = Harness()
    h.queue("q", max_wait_s=10.0)
    h.agent("a")
    h.call("i1")
    h.answer("i1", "a")
    assert of_type(h.advance(60), Exited) == []


def epoch(day: date, hour: int, minute: int = 0, tz: timezone = UTC) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).timestamp()


MONDAY = date(2026, 11, 23)
CST = timezone(timedelta(hours=8))


def hours_of(
    weekly: dict[str, object], *, zone: str = "UTC", closed: tuple[date, ...] = ()
) -> BusinessCalendar:
    return calendar_from_record(
        {"timezone": zone, "weekly": weekly, "holidays": [{"date": d.isoformat()} for d in closed]}
    )


def test_opening_hours_answer_in_the_tenants_zone() -> None:
    hours = hours_of(
        {"mon-fri": "08:00-20:00", "sat": ["09:00-12:00", "13:00-17:00"]},
        zone="Asia/Shanghai",
        closed=(MONDAY + timedelta(days=3),),
    )
    assert hours.is_open(epoch(MONDAY, 8, 0, CST))
    assert not hours.is_open(epoch(MONDAY, 7, 59, CST))
    assert not hours.is_open(epoch(MONDAY, 20, 0, CST))
    assert not hours.is_open(epoch(MONDAY + timedelta(days=3), 10, 0, CST))  # holiday
    saturday = MONDAY + timedelta(days=5)
    assert not hours.is_open(epoch(saturday, 12, 30, CST))
    assert hours.next_change(epoch(saturday, 12, 30, CST)) == epoch(saturday, 13, 0, CST)
    # Wednesday 20:00 closes; Thursday is a holiday; Friday 08:00 opens
    wednesday = MONDAY + timedelta(days=2)
    assert hours.next_change(epoch(wednesday, 20, 0, CST)) == epoch(
        MONDAY + timedelta(days=4), 8, 0, CST
    )
    assert ALWAYS.is_open(0.0)
    assert ALWAYS.next_change(0.0) is None


@pytest.mark.parametrize(
    "spec",
    [{"moon": "08:00-20:00"}, {"mon": "8-20"}, {"mon": "20:00-08:00"}, {"mon": "08:00-25:00"}],
)
def test_bad_opening_hours_name_the_field(spec: dict[str, str]) -> None:
    with pytest.raises(InvalidHours) as info:
        hours_of(dict(spec))
    assert info.value.details["field"].startswith("weekly")


def test_a_closed_queue_rejects_and_may_flush_at_closing_time() -> None:
    clock = FakeClock(epoch(MONDAY, 19, 0))
    h = Harness(clock)
    hours = hours_of({"mon-fri": "08:00-20:00"})
    h.queue("keep", hours=hours)
    h.queue("flush", hours=hours, flush_when_closed=True)
    h.call("k1", "keep")
    h.call("f1", "flush")
    decisions = h.advance(3600)
    assert decisions == [
        Exited(
            WorkId("f1"),
            QueueId("flush"),
            ExitReason.CLOSED,
            Destination(DestinationKind.HANGUP),
        )
    ]
    assert of_type(h.call("late", "keep"), Rejected)[0].reason is RejectReason.CLOSED
    h.agent("a")  # those already waiting are still served after hours
    assert offers(h.decisions[-1:]) == [("k1", "a")]
