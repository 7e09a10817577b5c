"""Which records to dial next: due callbacks first, then the campaign's lists in their order,
each list's records taken as the list says (in order, shuffled, by priority); a record is
skipped while its retry time is ahead or its calling window is closed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from hotline.dialer.model import CallRecord, CampaignList, ListOrder, RecordStatus
from hotline.dialer.windows import CallingWindow

__all__ = ["due_records"]


def _shuffle_key(record: CallRecord) -> str:
    # Stable across restarts and nodes: a hash of the record's id, not a random draw.
    return hashlib.blake2s(record.id.encode(), digest_size=8).hexdigest()


def due_records(
    records: Iterable[CallRecord],
    lists: Sequence[CampaignList],
    window: CallingWindow,
    now: float,
    limit: int,
    *,
    agent_id: str | None = None,
) -> list[CallRecord]:
    """Up to `limit` records that may be dialed at `now`. A callback kept for one agent is
    only given to that agent (`agent_id`); pacing without an agent leaves it."""
    position = {item.list_id: (item.position, item.order) for item in lists}
    callbacks: list[CallRecord] = []
    others: list[tuple[int, str, int, int, CallRecord]] = []
    for index, record in enumerate(records):
        if not record.dialable or record.next_at > now or record.list_id not in position:
            continue
        if record.status is RecordStatus.CALLBACK:
            if record.agent_id is None or record.agent_id == agent_id:
                callbacks.append(record)
            continue
        place, order = position[record.list_id]
        shuffled = _shuffle_key(record) if order is ListOrder.RANDOM else ""
        rank = -record.priority if order is ListOrder.PRIORITY else 0
        others.append((place, shuffled, rank, index, record))
    callbacks.sort(key=lambda r: r.next_at)
    others.sort(key=lambda item: item[:4])
    out: list[CallRecord] = []
    for record in [*callbacks, *(item[4] for item in others)]:
        if len(out) >= limit:
            break
        if window.is_open(record, now):
            out.append(record)
    return out
