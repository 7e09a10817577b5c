from __future__ import annotations

import pytest

from hotline.clock import FakeClock, SystemClock
from hotline.ids import is_ulid, new_id, ulid_time


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(start=100.0)
    mono = clock.monotonic()
    assert clock.now() == 100.0
    clock.advance(32.0)
    assert clock.now() == 132.0
    assert clock.monotonic() == mono + 32.0
    clock.set(200.0)
    assert clock.now() == 200.0
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_system_clock_is_a_clock() -> None:
    clock = SystemClock()
    assert clock.now() > 1_600_000_000
    assert clock.monotonic() <= clock.monotonic()


def test_ids_sort_by_creation_even_within_one_millisecond() -> None:
    ids = [new_id(now=1_790_000_000.0) for _ in range(1000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 1000
    later = new_id(now=1_790_000_001.0)
    assert later > ids[-1]
    assert all(is_ulid(i) for i in ids)


def test_ulid_time_round_trips() -> None:
    at = 1_800_000_000.123
    assert ulid_time(new_id(now=at)) == pytest.approx(at, abs=0.002)
    assert not is_ulid("not-an-id")
    with pytest.raises(ValueError, match="not a ULID"):
        ulid_time("nope")
