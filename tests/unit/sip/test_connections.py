"""The stream connection guard (ADR 0102): caps, unfinished-message and idle timeouts."""

from __future__ import annotations

from hotline.sip.connections import ConnectionGuard, ConnectionLimits

LIMITS = ConnectionLimits(max_per_source=2, max_total=3, idle_timeout_s=60, message_timeout_s=5)


def test_caps_per_source_and_in_total() -> None:
    guard = ConnectionGuard(LIMITS)
    assert guard.admit(1, "a", 0.0) is None
    assert guard.admit(2, "a", 0.0) is None
    refusal = guard.admit(3, "a", 0.0)
    assert refusal is not None
    assert refusal.reason == "per_source"
    assert guard.admit(4, "b", 0.0) is None
    refusal = guard.admit(5, "c", 0.0)
    assert refusal is not None
    assert refusal.reason == "total"
    guard.closed(1)
    guard.closed(1)  # twice is harmless
    assert guard.admit(6, "a", 0.0) is None
    assert (guard.count("a"), guard.count()) == (2, 3)


def test_unfinished_message_and_silence() -> None:
    guard = ConnectionGuard(LIMITS)
    for conn in (1, 2, 3):
        guard.admit(conn, f"h{conn}", 0.0)
    guard.activity(1, 1.0, buffered=0)  # a whole message: no longer unfinished
    guard.activity(2, 1.0, buffered=10)  # still trickling: the clock runs from the start
    # 3 sent nothing at all: unfinished since it opened.
    assert sorted(guard.expired(5.0)) == [2, 3]
    for conn in (2, 3):
        guard.closed(conn)
    assert guard.expired(30.0) == []
    assert guard.expired(61.0, is_known=lambda host: host == "h1") == []
    assert guard.expired(61.0) == [1]
    assert guard.counters()["tcp_closed_incomplete"] == 2
    assert guard.counters()["tcp_closed_idle"] == 1
