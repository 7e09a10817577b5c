"""One number of a campaign and where dialing it stands: its status and the fields the
retry policy and the selection read.

Times are epoch seconds; a record's `next_at` is the earliest it may be dialed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["DIALABLE", "CallRecord", "RecordStatus"]


class RecordStatus(StrEnum):
    PENDING = "pending"  # never dialed yet
    RETRY = "retry"  # dialed, to be dialed again at `next_at`
    CALLBACK = "callback"  # a callback was scheduled for `next_at`
    IN_PROGRESS = "in_progress"  # a call is being placed or talked
    DONE = "done"  # reached and finished (disposition given)
    INVALID = "invalid"  # dead number: removed from dialing
    REFUSED = "refused"  # refused too often: rested for good
    EXHAUSTED = "exhausted"  # maximum attempts reached
    DNC = "dnc"  # on a do-not-call list: never dialed
    DUPLICATE = "duplicate"  # the same number is already in the campaign


# Statuses a record can still be dialed from.
DIALABLE = frozenset({RecordStatus.PENDING, RecordStatus.RETRY, RecordStatus.CALLBACK})


@dataclass(slots=True)
class CallRecord:
    """One number of a campaign: the callee's fields, where dialing stands, and why.

    `time_zone` overrides the zone derived from the number; `agent_id` is who a callback is
    kept for (None: anyone); `outcomes` counts each outcome seen so far."""

    id: str
    campaign_id: str
    list_id: str
    phone: str
    fields: dict[str, Any] = field(default_factory=dict)
    priority: int = 0
    time_zone: str | None = None
    status: RecordStatus = RecordStatus.PENDING
    attempts: int = 0
    next_at: float = 0.0
    last_outcome: str | None = None
    last_cause: int | None = None
    agent_id: str | None = None
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def dialable(self) -> bool:
        return self.status in DIALABLE
