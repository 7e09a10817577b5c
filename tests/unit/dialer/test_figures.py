"""A campaign's figures from its attempts: the abandon rate over the rolling window (Ofcom's
24 hours, the FTC's 30 days) moves as the clock does, the lifetime rate does not."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.analytics.reports.periods import period_of
from hotline.clock import FakeClock
from hotline.dialer.figures import (
    STAFFED_SLICE_S,
    Attempt,
    ListSize,
    abandon_window,
    campaign_figures,
    list_penetration,
    staffed_slices,
    talk_occupancy,
)
from hotline.dialer.outcomes import Outcome

HOUR = 3600.0
DAY = 24 * HOUR


def attempts_at(clock: FakeClock) -> list[Attempt]:
    """Day 0: 2 abandons in 10 answers; day 1 (25 h later): 10 answers, none abandoned."""
    start = clock.now()
    out = []
    for n in range(10):
        at = start + n * 60.0
        outcome = Outcome.ABANDONED if n < 2 else Outcome.CONNECTED
        out.append(Attempt(at + 30.0, outcome, answered_at=at, handle_s=100.0))
    later = start + 25 * HOUR
    for n in range(10):
        at = later + n * 60.0
        out.append(Attempt(at + 30.0, Outcome.CONNECTED, answered_at=at, handle_s=100.0))
    # Detection's verdicts as the live dialer logs them: a machine (not a person), a person.
    out.append(
        Attempt(later, Outcome.MACHINE, answered_at=later, amd_verdict="machine",
                amd_decision_s=2.0, machine_message_left=True)
    )  # fmt: skip
    out[-2] = Attempt(
        out[-2].at, Outcome.CONNECTED, out[-2].answered_at, 100.0, amd_verdict="human",
        amd_sure=False, amd_decision_s=1.0,
    )  # fmt: skip
    out.append(Attempt(later, Outcome.BUSY))
    return out


def test_the_24_hour_window_drops_abandons_older_than_a_day() -> None:
    clock = FakeClock()
    log = attempts_at(clock)
    clock.advance(20 * 60.0)
    first = abandon_window(log, clock.now(), DAY, 0.03)
    assert (first.answered, first.abandoned) == (10, 2)
    assert first.rate == 0.2
    assert first.over_cap
    clock.advance(26 * HOUR)
    second = abandon_window(log, clock.now(), DAY, 0.03)
    assert (second.answered, second.abandoned) == (10, 0)
    assert second.rate == 0.0
    assert not second.over_cap
    month = abandon_window(log, clock.now(), 30 * DAY, 0.03)
    assert (month.answered, month.abandoned) == (20, 2)


def test_a_call_answered_exactly_a_window_ago_is_out_and_a_future_one_not_counted() -> None:
    clock = FakeClock()
    log = [Attempt(clock.now() + 10, Outcome.ABANDONED, answered_at=clock.now())]
    assert abandon_window(log, clock.now() + DAY, DAY, 0.03).answered == 0
    assert abandon_window(log, clock.now() - 1, DAY, 0.03).answered == 0
    assert abandon_window(log, clock.now(), DAY, 0.03).abandoned == 1


def test_figures_count_dials_connects_dispositions_machines_and_occupancy() -> None:
    clock = FakeClock()
    log = attempts_at(clock)
    log.append(Attempt(clock.now() + 99, Outcome.CONNECTED, clock.now() + 90, 50.0, True, True))
    clock.advance(30 * HOUR)
    figures = campaign_figures(
        log, {"done": 21, "pending": 4, "retry": 1}, clock.now(),
        window_s=DAY, cap=0.03, staffed_s=4200.0,
    )  # fmt: skip
    assert (figures.dials, figures.connects) == (23, 19)
    assert (figures.right_party, figures.conversions) == (1, 1)
    # Only calls the detector listened to are judged; the rest were put through undetected.
    assert figures.amd.verdicts == {"human": 1, "machine": 1}
    assert (figures.amd.unsure, figures.amd.messages_left) == (1, 1)
    assert figures.amd.mean_decision_s == 1.5
    assert figures.window.rate == 0.0
    assert round(figures.lifetime.rate, 4) == round(2 / 21, 4)
    assert figures.talk_occupancy == 2050.0 / 4200.0
    assert figures.records == 26
    assert figures.penetration == 0.0  # the log names no record: none dialed
    out = figures.as_dict()
    assert out["abandon_window_s"] == DAY
    assert out["by_outcome"]["busy"] == 1
    assert (out["amd_machine"], out["amd_human"], out["amd_unsure"]) == (1, 1, 1)
    assert out["amd_mean_decision_s"] == 1.5
    assert out["machine_messages"] == 1


def test_no_staffed_time_and_no_records_give_nothing_not_an_error() -> None:
    figures = campaign_figures([], {}, 0.0, window_s=DAY, cap=0.03, staffed_s=0.0)
    assert (figures.talk_occupancy, figures.penetration, figures.window.rate) == (None, None, 0.0)
    assert figures.as_dict()["talk_occupancy"] is None  # shown "—"
    assert talk_occupancy(300.0, 0.0) is None
    assert talk_occupancy(300.0, 200.0) == 1.0  # a call spanning the period's start


def test_a_periods_figures_count_its_attempts_with_the_window_ending_at_its_end() -> None:
    day = 86_400.0
    done = [
        Attempt(50.0, Outcome.ABANDONED, 40.0),  # before the period
        Attempt(day + 10, Outcome.CONNECTED, day + 5, 100.0, True, True, "human"),
        Attempt(day + 20, Outcome.ABANDONED, day + 15),
        Attempt(day + 30, Outcome.BUSY),
        Attempt(2 * day + 10, Outcome.CONNECTED, 2 * day + 5, 50.0, True, True),  # after it
    ]
    got = campaign_figures(
        done, {"done": 4}, 2 * day, window_s=30 * day, cap=0.03, staffed_s=1000.0, since=day
    )
    assert (got.dials, got.connects, got.right_party, got.conversions) == (3, 1, 1, 1)
    assert got.period is not None
    assert (got.period.answered, got.period.abandoned) == (2, 1)
    assert (got.window.answered, got.window.abandoned) == (3, 2)  # the day before is in
    assert (got.lifetime.answered, got.lifetime.abandoned) == (3, 2)  # the day after is not
    assert got.amd.verdicts == {"human": 1}
    assert got.talk_occupancy == 0.1  # the period's 100 agent seconds over its staffed time
    assert got.as_dict()["abandon_rate_period"] == 0.5
    assert (
        "abandon_rate_period"
        not in campaign_figures(done, {}, 2 * day, window_s=day, cap=0.03, staffed_s=0.0).as_dict()
    )


def test_staffed_seconds_fall_in_their_fifteen_minute_slices() -> None:
    edge = 100 * STAFFED_SLICE_S
    assert staffed_slices(edge + 2.0, 0.5, 3) == {edge: 1.5}
    split = staffed_slices(edge + 1.0, 2.5, 2)  # 1.5 s before the edge, 1 s after
    assert split == {edge - STAFFED_SLICE_S: 3.0, edge: 2.0}
    assert staffed_slices(edge, 1.0, 4) == {edge - STAFFED_SLICE_S: 4.0}  # (end − s, end]
    assert staffed_slices(edge, 1.0, 0) == {}
    assert staffed_slices(edge, 0.0, 5) == {}


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Kolkata", "Asia/Kathmandu", "UTC"])
@pytest.mark.parametrize("kind", ["day", "week", "month"])
def test_every_report_period_is_whole_slices_in_any_zone(zone: str, kind: str) -> None:
    """Every zone's offset is a multiple of 15 minutes (Kathmandu: +05:45), so a local day,
    week or month starts and ends on a slice's edge, summer time or not."""
    for first in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 12, 31)):
        for day in (first, first + timedelta(days=1)):
            period = period_of(kind, day.isoformat(), ZoneInfo(zone))
            assert period.start % STAFFED_SLICE_S == 0
            assert period.end % STAFFED_SLICE_S == 0


def test_a_periods_occupancy_is_its_calls_over_its_staffed_time() -> None:
    day = 86_400.0
    log = [
        Attempt(day - 10, Outcome.CONNECTED, day - 200, 190.0, record_id="a"),  # before it
        Attempt(day + 500, Outcome.CONNECTED, day + 300, 240.0, record_id="b"),
        Attempt(day + 900, Outcome.NO_ANSWER, record_id="c"),
        Attempt(2 * day + 1, Outcome.CONNECTED, 2 * day - 100, 120.0, record_id="d"),  # after
    ]
    got = campaign_figures(
        log, {"done": 3, "pending": 1}, 2 * day, window_s=day, cap=0.03,
        staffed_s=1200.0, since=day,
    )  # fmt: skip
    assert got.talk_occupancy == 240.0 / 1200.0
    assert (got.handle_s, got.staffed_s) == (240.0, 1200.0)
    nobody = campaign_figures(log, {}, 2 * day, window_s=day, cap=0.03, staffed_s=0.0, since=day)
    assert nobody.talk_occupancy is None


def test_penetration_is_the_records_dialed_by_the_end_over_those_to_work() -> None:
    log = [
        Attempt(10.0, Outcome.BUSY, record_id="r1"),
        Attempt(700.0, Outcome.CONNECTED, 650.0, 60.0, record_id="r1"),  # once, however often
        Attempt(20.0, Outcome.NO_ANSWER, record_id="r2"),
        Attempt(30.0, Outcome.INVALID, record_id="dnc-late"),  # dialed, then put on DNC
        Attempt(900.0, Outcome.CONNECTED, 850.0, 60.0, record_id="r3"),  # after the end
    ]
    size = ListSize(10, frozenset({"dnc-early", "dnc-late"}))
    # Dialed by 800: r1, r2, dnc-late; to work: 10 less dnc-early (never dialed).
    assert list_penetration(log, size, 800.0) == 3 / 9
    assert list_penetration(log, size, 1000.0) == 4 / 9
    assert list_penetration(log, size, None) == 4 / 9  # to date: every dial logged
    assert list_penetration(log, ListSize(0), 1000.0) is None
    assert list_penetration([], ListSize(2, frozenset({"x", "y"})), 1000.0) is None
    got = campaign_figures(
        log, {"done": 10}, 800.0, window_s=DAY, cap=0.03, staffed_s=0.0, size=size, since=0.0
    )
    assert (got.penetration, got.records_dialed) == (3 / 9, 3)
