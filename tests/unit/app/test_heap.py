from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from hotline.server.heap import HeapWatch


@pytest.fixture
def watch() -> Iterator[HeapWatch]:
    heap = HeapWatch()
    heap.install()
    try:
        yield heap
    finally:
        heap.uninstall()
        gc.unfreeze()


def test_every_collection_is_counted_and_timed_by_generation(watch: HeapWatch) -> None:
    before = watch.collections[2]
    gc.collect()
    assert watch.collections[2] == before + 1
    assert watch.seconds[2] > 0
    assert watch.longest_s >= watch.seconds[2] / watch.collections[2]
    names = {name for name, _, _ in watch.metrics()}
    assert {"hotline_gc_collections_gen2", "hotline_gc_seconds_gen0"} <= names


def test_settling_freezes_what_lives_and_still_collects_later_cycles(watch: HeapWatch) -> None:
    kept = [object() for _ in range(1000)]
    assert watch.settle() == gc.get_freeze_count() >= len(kept)

    class Node:
        def __init__(self) -> None:
            self.me = self

    Node()  # a cycle made after start-up: garbage for the collector as before
    assert gc.collect() >= 1


def test_installing_twice_counts_once(watch: HeapWatch) -> None:
    watch.install()
    before = watch.collections[2]
    gc.collect()
    assert watch.collections[2] == before + 1
