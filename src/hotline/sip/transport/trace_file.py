"""The trace stream `hotline sip trace` follows: one JSON object per SIP message, one per line.

A `MessageObserver` for `SipService(observer=...)`. Writes go to the OS page cache (small, no
fsync) so the event loop is not held up; past `max_bytes` the file rotates once to `.1`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TextIO

from hotline.sip.trace import TraceRecord

__all__ = ["JsonLinesTrace", "MultiObserver"]


class JsonLinesTrace:
    def __init__(self, path: Path, *, max_bytes: int = 50_000_000) -> None:
        self.path = path
        self.max_bytes = max_bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = path.open("a", encoding="utf-8")
        self._size = path.stat().st_size

    def observe(self, record: TraceRecord) -> None:
        line = record.to_json() + "\n"
        self._file.write(line)
        self._file.flush()
        self._size += len(line)
        if self._size > self.max_bytes:
            self._rotate()

    def _rotate(self) -> None:
        self._file.close()
        with contextlib.suppress(OSError):
            self.path.replace(self.path.with_name(self.path.name + ".1"))
        self._file = self.path.open("a", encoding="utf-8")
        self._size = 0

    def close(self) -> None:
        self._file.close()


class MultiObserver:
    """Fan a message out to several observers (trace file and a live UI, say)."""

    def __init__(self, *observers: object) -> None:
        self.observers = observers

    def observe(self, record: TraceRecord) -> None:
        for observer in self.observers:
            observer.observe(record)  # type: ignore[attr-defined]
