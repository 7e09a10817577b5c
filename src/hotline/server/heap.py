"""The garbage collector of a long-running server: what it costs, and not paying it for start-up.

A started server holds a few hundred thousand objects that live as long as it does (modules,
SQLAlchemy's tables and compiled statements, the flows, the caller index). CPython's oldest
generation is collected whenever enough new objects have survived, and each such collection
walks every one of them — 200–400 ms measured on the 2-core machine under other work — while
the event loop stands still, so calls being set up wait and the admission rule sheds INVITEs
for loop lag (issue 14).

`settle()` runs once the server has started: one full collection, then `gc.freeze()` moves
what is left into the permanent generation, which later collections do not walk. Objects made
afterwards are collected as before (cycles included); only start-up's survivors are exempt.
`HeapWatch` times every collection through `gc.callbacks` for `/metrics`.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["HeapWatch"]

log = logging.getLogger(__name__)


class HeapWatch:
    """Counts and times the collector's passes by generation (for `/metrics`)."""

    def __init__(self) -> None:
        self.collections = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.longest_s = 0.0
        self.frozen = 0
        self._started: float | None = None

    def install(self) -> None:
        if self._on_gc not in gc.callbacks:
            gc.callbacks.append(self._on_gc)

    def uninstall(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def settle(self) -> int:
        """Collect once and freeze the survivors of start-up; returns how many were frozen."""
        gc.collect()
        gc.freeze()
        self.frozen = gc.get_freeze_count()
        log.info("start-up heap frozen: %d objects exempt from collection", self.frozen)
        return self.frozen

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        if self._started is None:
            return
        took = time.perf_counter() - self._started
        self._started = None
        generation = int(info.get("generation", 2))
        self.collections[generation] += 1
        self.seconds[generation] += took
        self.longest_s = max(self.longest_s, took)

    def metrics(self) -> Iterator[tuple[str, float, str]]:
        for generation in range(3):
            yield (
                f"hotline_gc_collections_gen{generation}",
                float(self.collections[generation]),
                f"garbage collections of generation {generation}",
            )
            yield (
                f"hotline_gc_seconds_gen{generation}",
                self.seconds[generation],
                f"seconds spent in collections of generation {generation}",
            )
        yield "hotline_gc_longest_pause_seconds", self.longest_s, "longest collection"
        yield "hotline_gc_frozen_objects", float(self.frozen), "start-up objects never walked"
