"""A set of members kept sorted by a key: the index behind queue lines and agent pools.

Each member has one key tuple; the set keeps `(*key, member)` entries in a sorted list, so the
best member is `first()`, a member's place in line is `rank()` (binary search), and insertion or
removal is a binary search plus one `memmove` — cheap up to tens of thousands of members, with no
stale entries to skip as a lazy heap would have.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

__all__ = ["SortedMembers"]

M = TypeVar("M")


class SortedMembers(Generic[M]):
    """Members ordered by `(*key, member)`; keys need only be comparable among themselves."""

    __slots__ = ("_entries", "_key_of")

    def __init__(self) -> None:
        self._entries: list[tuple[Any, ...]] = []
        self._key_of: dict[M, tuple[Any, ...]] = {}

    def add(self, member: M, key: tuple[Any, ...]) -> None:
        """Insert `member` with `key`, replacing its previous key if it was already present."""
        entry = (*key, member)
        if self._key_of.get(member) == entry:
            return
        self.discard(member)
        insort(self._entries, entry)
        self._key_of[member] = entry

    def discard(self, member: M) -> bool:
        entry = self._key_of.pop(member, None)
        if entry is None:
            return False
        del self._entries[bisect_left(self._entries, entry)]
        return True

    def __contains__(self, member: object) -> bool:
        return member in self._key_of

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __iter__(self) -> Iterator[M]:
        for entry in self._entries:
            yield entry[-1]

    def first(self) -> M | None:
        return self._entries[0][-1] if self._entries else None

    def at(self, index: int) -> M:
        member: M = self._entries[index][-1]
        return member

    def key(self, member: M) -> tuple[Any, ...]:
        return self._key_of[member][:-1]

    def rank(self, member: M) -> int:
        """0-based place of `member` in the order."""
        return bisect_left(self._entries, self._key_of[member])

    def count_before(self, key: tuple[Any, ...]) -> int:
        """How many members sort before `key` (a key prefix works)."""
        return bisect_left(self._entries, key)

    def iter_from(self, key: tuple[Any, ...]) -> Iterator[M]:
        """Members whose entry sorts at or after `key`, in order."""
        for i in range(bisect_left(self._entries, key), len(self._entries)):
            yield self._entries[i][-1]
