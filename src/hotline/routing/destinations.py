"""Where an interaction goes when the router lets go of it: full, closed, max wait, overflow."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from hotline.routing.errors import InvalidRoutingConfig

__all__ = ["HANGUP", "VOICEMAIL", "Destination", "DestinationKind"]


class DestinationKind(StrEnum):
    HANGUP = "hangup"  # play the queue's message and release
    VOICEMAIL = "voicemail"  # target: mailbox (None: the queue's own)
    TRANSFER = "transfer"  # target: number or SIP URI
    QUEUE = "queue"  # target: another queue id; the caller enqueues there


@dataclass(frozen=True, slots=True)
class Destination:
    kind: DestinationKind
    target: str | None = None

    def __post_init__(self) -> None:
        if self.kind in (DestinationKind.TRANSFER, DestinationKind.QUEUE) and not self.target:
            raise InvalidRoutingConfig(f"a {self.kind} destination needs a target", field="target")

    def __str__(self) -> str:
        return self.kind.value if self.target is None else f"{self.kind.value}:{self.target}"


HANGUP: Final = Destination(DestinationKind.HANGUP)
VOICEMAIL: Final = Destination(DestinationKind.VOICEMAIL)
