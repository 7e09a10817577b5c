"""Frame cutting for the engine and the bounded buffer in front of aiortc's sender."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.media.webrtc.audio import FRAME_SAMPLES, FrameChunker, OutboundBuffer


def ramp(start: int, count: int) -> np.ndarray:
    return (np.arange(start, start + count) % 30000).astype(np.int16)


def test_a_20ms_packet_is_one_frame_unchanged() -> None:
    chunker = FrameChunker()
    pcm = ramp(0, 160)
    [frame] = chunker.feed(pcm)
    assert np.array_equal(frame, pcm)
    assert chunker.pending == 0


def test_other_packet_sizes_are_cut_into_whole_frames_in_order() -> None:
    chunker = FrameChunker()
    frames = chunker.feed(ramp(0, 240)) + chunker.feed(ramp(240, 80)) + chunker.feed(ramp(320, 10))
    assert [len(f) for f in frames] == [160, 160]
    assert np.array_equal(np.concatenate(frames), ramp(0, 320))
    assert chunker.pending == 10


@given(st.lists(st.integers(0, 700), max_size=40))
def test_any_sequence_of_sizes_loses_and_reorders_nothing(sizes: list[int]) -> None:
    chunker = FrameChunker()
    out: list[np.ndarray] = []
    position = 0
    for size in sizes:
        out += chunker.feed(ramp(position, size))
        position += size
    assert all(len(f) == FRAME_SAMPLES and f.dtype == np.int16 for f in out)
    assert len(out) * FRAME_SAMPLES + chunker.pending == position
    if out:
        assert np.array_equal(np.concatenate(out), ramp(0, len(out) * FRAME_SAMPLES))


def test_the_buffer_drops_the_oldest_and_keeps_tick_indices() -> None:
    buffer = OutboundBuffer(capacity=3)
    for level in range(5):
        buffer.put(np.full(160, level, np.int16))
    assert (len(buffer), buffer.dropped, buffer.delivered) == (3, 2, 5)
    got = [buffer.get() for _ in range(4)]
    assert [item[0] for item in got if item is not None] == [2, 3, 4]
    assert [int(item[1][0]) for item in got if item is not None] == [2, 3, 4]
    assert got[3] is None
    buffer.put(np.zeros(160, np.int16))
    buffer.clear()
    assert buffer.get() is None


def test_a_buffer_holds_at_least_one_frame() -> None:
    with pytest.raises(ValueError, match="at least one"):
        OutboundBuffer(capacity=0)
