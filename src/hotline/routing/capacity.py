"""Channels and channel capacity: how much work of each kind one agent may hold at once.

A voice agent holds one call. A text agent may hold several chats or emails at once (capacity N
per channel). Voice is *exclusive* by default: an agent with a call gets nothing else, and a
call is offered only to an agent holding no other work. An agent's `Blend` relaxes that, one
direction at a time: text contacts may still be offered during a call (`text_during_call`), or
a call while the agent holds text contacts (`call_during_text`); capacity per channel still
caps each channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "DEFAULT_CAPACITY",
    "EXCLUSIVE_CHANNELS",
    "NO_BLEND",
    "Blend",
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


@dataclass(frozen=True, slots=True)
class Blend:
    """Which exclusive and shared channels one agent may hold together."""

    text_during_call: bool = False  # chats, SMS, e-mails offered while on a call
    call_during_text: bool = False  # a call offered while holding chats, SMS or e-mails


NO_BLEND = Blend()


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
    capacity: Mapping[Channel, int],
    load: Mapping[Channel, int],
    channel: Channel,
    blend: Blend = NO_BLEND,
) -> int:
    """How many more interactions of `channel` an agent with `load` may take now."""
    exclusive = sum(load.get(c, 0) for c in EXCLUSIVE_CHANNELS)
    shared = sum(load.values()) - exclusive
    if channel in EXCLUSIVE_CHANNELS:
        if exclusive or (shared and not blend.call_during_text):
            return 0
        return 1 if capacity.get(channel, 0) >= 1 else 0
    if exclusive and not blend.text_during_call:
        return 0
    return max(0, capacity.get(channel, 0) - load.get(channel, 0))
