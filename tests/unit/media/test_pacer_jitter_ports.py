from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.clock import FakeClock
from hotline.media.errors import PortPoolExhausted
from hotline.media.jitter import JitterBuffer
from hotline.media.pacer import Pacer
from hotline.media.ports import PortPool


def test_pacer_deadlines_do_not_drift_when_ticks_run_late(clock: FakeClock) -> None:
    pacer = Pacer(clock.monotonic())
    ran = []
    for _ in range(1000):
        clock.advance(0.0203)  # every wake-up 0.3 ms later than the last
        ran += pacer.due(clock.monotonic())
    # Ticks follow the deadlines, not the wake-ups: 20.3 s hold ticks 0..1015.
    assert len(ran) == 1016
    assert [t for t, _ in ran] == list(range(len(ran)))
    assert pacer.max_lateness < 0.0204  # never more than one wake-up behind


def test_pacer_counts_late_ticks_and_bounds_the_catch_up(clock: FakeClock) -> None:
    pacer = Pacer(clock.monotonic(), max_burst=5)
    assert pacer.due(clock.monotonic()) == [(0, 0.0)]
    clock.advance(0.035)  # tick 1 was due at 20 ms: 15 ms late
    due = pacer.due(clock.monotonic())
    assert [t for t, _ in due] == [1]
    assert due[0][1] == pytest.approx(0.015)
    assert pacer.late == 1
    assert pacer.late_over_period == 0  # late, but within the period
    clock.advance(0.030)  # tick 2 was due at 40 ms: 25 ms late, more than a period
    assert [t for t, _ in pacer.due(clock.monotonic())] == [2, 3]
    assert pacer.late == 2  # tick 3 (due at 60 ms) runs 5 ms late: on time
    assert pacer.late_over_period == 1
    clock.advance(1.0)  # a stall: ticks 4..53 are due; run the last 5, skip 45
    assert [t for t, _ in pacer.due(clock.monotonic())] == [49, 50, 51, 52, 53]
    assert pacer.skipped == 45
    assert pacer.next_deadline > clock.monotonic()


def test_pacer_accepts_a_wake_up_slightly_early(clock: FakeClock) -> None:
    pacer = Pacer(clock.monotonic())
    pacer.due(clock.monotonic())
    clock.advance(0.0195)
    assert [t for t, _ in pacer.due(clock.monotonic())] == [1]


def test_jitter_buffer_reorders_fills_gaps_and_delays_by_its_depth() -> None:
    jitter = JitterBuffer(fill=0xFF, delay=160)
    assert jitter.pull(160) is None
    jitter.put(1000, b"\x01" * 160)
    jitter.put(1320, b"\x03" * 160)  # arrives before ...
    jitter.put(1160, b"\x02" * 160)  # ... the packet before it
    assert jitter.pull(160) == b"\xff" * 160  # the initial delay
    assert jitter.pull(160) == b"\x01" * 160
    assert jitter.pull(160) == b"\x02" * 160
    assert jitter.pull(160) == b"\x03" * 160
    assert jitter.pull(160) == b"\xff" * 160  # lost: fill
    assert jitter.underruns == 1


def test_jitter_buffer_drops_late_packets_and_accepts_30ms_packets() -> None:
    jitter = JitterBuffer(fill=0, delay=0)
    jitter.put(0, b"\x01" * 240)
    jitter.put(240, b"\x02" * 240)
    assert jitter.pull(160) == b"\x01" * 160
    assert jitter.pull(160) == b"\x01" * 80 + b"\x02" * 80
    jitter.put(0, b"\x09" * 240)  # long gone
    assert jitter.late == 1
    assert jitter.pull(160) == b"\x02" * 160


def test_jitter_buffer_follows_fast_and_restarted_senders() -> None:
    jitter = JitterBuffer(fill=0, delay=160, max_delay=480)
    for i in range(10):  # a sender 10 frames ahead of us
        jitter.put(i * 160, bytes([i]) * 160)
    assert jitter.depth <= 480  # trimmed back to its delay whenever it overflowed
    assert jitter.discarded > 0
    assert jitter.pull(160) in (bytes([8]) * 160, bytes([9]) * 160)  # the newest audio stays
    jitter.put(5_000_000, b"\x07" * 160)  # a timestamp jump: re-anchor
    assert jitter.resyncs == 1
    assert jitter.pull(160) == b"\x00" * 160
    assert jitter.pull(160) == b"\x07" * 160
    # A sender that falls behind: its late packet, arriving to an empty buffer, re-anchors.
    jitter.pull(160)
    jitter.put(4_000_000, b"\x08" * 160)
    assert jitter.resyncs == 2
    jitter.pull(160)
    assert jitter.pull(160) == b"\x08" * 160


def test_port_pool_hands_out_even_pairs_and_reuses_last() -> None:
    pool = PortPool(30001, 30008)
    ports = [pool.allocate() for _ in range(3)]
    assert ports == [30002, 30004, 30006]
    with pytest.raises(PortPoolExhausted):
        pool.allocate()
    pool.release(30002)
    pool.release(30002)  # twice is harmless
    assert pool.allocate() == 30002
    assert (pool.capacity, pool.in_use) == (3, 3)
    with pytest.raises(ValueError, match="no RTP/RTCP pair"):
        PortPool(30001, 30002)


@given(
    order=st.permutations(list(range(12))),
    lost=st.sets(st.integers(0, 11), max_size=4),
)
def test_any_reordering_within_the_delay_plays_out_in_order(
    order: list[int], lost: set[int]
) -> None:
    # 12 packets of 20 ms, arriving in any order but all before their turn (delay 240 ms).
    jitter = JitterBuffer(fill=0, delay=160 * 12, max_delay=160 * 30)
    jitter.put(10_000, bytes([100]) * 160)  # anchors the stream
    for i in order:
        if i not in lost:
            jitter.put(10_000 + 160 * (i + 1), bytes([i + 1]) * 160)
    out = [jitter.pull(160) for _ in range(12 + 1 + 12)]
    played = [frame[0] for frame in out if frame is not None][12:]
    assert played == [100] + [0 if i in lost else i + 1 for i in range(12)]
