"""The admission rule for new calls and the event-loop lag meter, with a fake clock."""

from __future__ import annotations

import pytest

from hotline.clock import FakeClock
from hotline.sip.admission import AdmissionLimits, CallLoad, LoopLag, Shed, refusal

LIMITS = AdmissionLimits(
    max_dialogs=100, max_setups=10, max_loop_lag_s=0.1, min_pool_free=2, busy_setups=3
)


def test_a_call_within_every_limit_is_taken() -> None:
    load = CallLoad(dialogs=50, setups=9, loop_lag_s=0.05, pool_free=2)
    assert refusal(LIMITS, load) is None


@pytest.mark.parametrize(
    ("load", "reason"),
    [
        (CallLoad(dialogs=95, setups=5), Shed.DIALOGS),
        (CallLoad(dialogs=45, setups=5, known_source=False), Shed.DIALOGS),
        (CallLoad(dialogs=10, setups=10), Shed.SETUPS),
        (CallLoad(dialogs=10, setups=3, loop_lag_s=0.15), Shed.LOOP_LAG),
        (CallLoad(dialogs=10, setups=3, pool_free=1), Shed.POOL),
    ],
)
def test_each_overload_sheds_with_its_reason(load: CallLoad, reason: Shed) -> None:
    assert refusal(LIMITS, load) is reason


def test_a_late_loop_or_a_busy_pool_sheds_only_while_calls_pile_up() -> None:
    """A pause of the machine or a report holding the pool, with two calls being set up, is
    not overload of calls: the caller is taken."""
    assert refusal(LIMITS, CallLoad(dialogs=10, setups=2, loop_lag_s=2.0)) is None
    assert refusal(LIMITS, CallLoad(dialogs=10, setups=2, pool_free=0)) is None
    assert refusal(LIMITS, CallLoad(dialogs=10, setups=3, loop_lag_s=2.0)) is Shed.LOOP_LAG


def test_an_unknown_source_fills_only_half_the_dialog_table() -> None:
    assert refusal(LIMITS, CallLoad(dialogs=49, setups=0, known_source=False)) is None
    assert refusal(LIMITS, CallLoad(dialogs=50, setups=0, known_source=False)) is Shed.DIALOGS
    assert refusal(LIMITS, CallLoad(dialogs=50, setups=0)) is None


def test_the_lag_meter_reports_late_ticks_then_forgets_them() -> None:
    clock = FakeClock()
    meter = LoopLag(window_s=0.5)
    meter.expect(clock.monotonic() + 0.05)
    clock.advance(0.05)
    assert meter.ran(clock.monotonic()) == pytest.approx(0.0)
    meter.expect(clock.monotonic() + 0.05)
    clock.advance(0.25)  # the loop was busy: the tick ran 200 ms late
    assert meter.ran(clock.monotonic()) == pytest.approx(0.2)
    assert meter.current(clock.monotonic()) == pytest.approx(0.2)
    meter.expect(clock.monotonic() + 0.05)
    clock.advance(0.05)
    meter.ran(clock.monotonic())
    clock.advance(0.6)  # the window has passed
    assert meter.current(clock.monotonic()) == pytest.approx(0.0)


def test_a_tick_still_waiting_counts_as_late_now() -> None:
    clock = FakeClock()
    meter = LoopLag()
    meter.expect(clock.monotonic() + 0.05)
    clock.advance(0.35)  # blocked: the tick has not run yet
    assert meter.current(clock.monotonic()) == pytest.approx(0.3)
