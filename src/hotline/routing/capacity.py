"""Channels and channel capacity: how much work of each kind one agent may hold at once.

A voice agent holds one call. A text agent may hold several chats or emails at once (capacity N
per channel). Voice is *exclusive*: an agent with a call gets nothing else, and a call is
offered only to an agent holding no other work — nobody chats while talking to a customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "DEFAULT_CAPACITY",
    "EXCLUSIVE_CHANNELS",
    "Channel",
    "free_slots",
    "freeze_capacity",
]


class Channel(StrEnum):
    VOICE = "voice"
    CHAT = "chat"
    SMS = "sms"
    EMAIL = "email"


EXCLUSIVE_CHANNELS: frozenset[Channel] = frozenset({Channel.VOICE})

DEFAULT_CAPACITY: Mapping[Channel, int] = MappingProxyType({Channel.VOICE: 1})


def freeze_capacity(capacity: Mapping[Channel, int] | Mapping[str, int]) -> Mapping[Channel, int]:
    """A read-only copy with `Channel` keys; raises `ValueError` naming a bad entry."""
    frozen: dict[Channel, int] = {}
    for key, slots in capacity.items():
        channel = Channel(key)
        if not isinstance(slots, int) or isinstance(slots, bool) or slots < 0:
            raise ValueError(f"capacity for {channel} must be a whole number >= 0, not {slots!r}")
        if channel in EXCLUSIVE_CHANNELS and slots > 1:
            raise ValueError(f"capacity for {channel} is at most 1 (it is exclusive)")
        frozen[channel] = slots
    return MappingProxyType(frozen)


def free_slots(
    capacity: Mapping[Channel, int], load: Mapping[Channel, int], channel: Channel
) -> int:
    """How many more interactions of `channel` an agent with `load` may take now."""
    total = sum(load.values())
    if channel in EXCLUSIVE_CHANNELS:
        return 1 if total == 0 and capacity.get(channel, 0) >= 1 else 0
    if any(load.get(c, 0) for c in EXCLUSIVE_CHANNELS):
        return 0
    return max(0, capacity.get(channel, 0) - load.get(channel, 0))
