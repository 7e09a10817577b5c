"""A campaign's figures from its attempts: the abandon rate over the rolling window (Ofcom's
24 hours, the FTC's 30 days) moves as the clock does, the lifetime rate does not."""

from __future__ import annotations

from hotline.clock import FakeClock
from hotline.dialer.figures import Attempt, abandon_window, campaign_figures
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
    assert figures.penetration == 22 / 26
    out = figures.as_dict()
    assert out["abandon_window_s"] == DAY
    assert out["by_outcome"]["busy"] == 1
    assert (out["amd_machine"], out["amd_human"], out["amd_unsure"]) == (1, 1, 1)
    assert out["amd_mean_decision_s"] == 1.5
    assert out["machine_messages"] == 1


def test_no_staffed_time_and_no_records_give_zero_not_an_error() -> None:
    figures = campaign_figures([], {}, 0.0, window_s=DAY, cap=0.03, staffed_s=0.0)
    assert (figures.talk_occupancy, figures.penetration, figures.window.rate) == (0.0, 0.0, 0.0)


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
    assert got.talk_occupancy == 0.1  # to date: what ended by the period's end
    assert got.as_dict()["abandon_rate_period"] == 0.5
    assert (
        "abandon_rate_period"
        not in campaign_figures(done, {}, 2 * day, window_s=day, cap=0.03, staffed_s=0.0).as_dict()
    )
