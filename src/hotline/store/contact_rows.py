"""Row lookups shared by the contact projection's handlers (`contact_records.py`,
`work_records.py`): a contact, the latest visit of a work item, an agent's segment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.events import EventRecord
from hotline.store.contact_batch import ContactBatch, Row

__all__ = [
    "OPEN_OUTCOMES",
    "Handler",
    "contact_row",
    "latest_segment_of_contact",
    "latest_work",
    "latest_work_of_contact",
    "queue_id_of",
    "segment_of",
    "set_contact",
    "set_segment",
    "set_work",
    "work_of",
]

Handler = Callable[[ContactBatch, EventRecord], None]

OPEN_OUTCOMES = (None, "callback")  # still the queue's: waiting, or a callback kept in line


# == lookups ================================================================================


def contact_row(b: ContactBatch, r: EventRecord) -> Row | None:
    row = b.contacts.get(r.interaction_id)
    return row if row is not None and row.tenant_id == r.tenant_id else None


def set_contact(b: ContactBatch, r: EventRecord, **values: Any) -> None:
    row = contact_row(b, r)
    if row is not None:
        b.contacts.set(row, values)


def latest_work(b: ContactBatch, r: EventRecord, work_id: str | None) -> Row | None:
    """The latest visit of a work item (version 1: the latest visit of the contact)."""
    if not work_id:
        return None
    return max(b.work.by("work_id", work_id), key=lambda w: w.seq, default=None)


def latest_work_of_contact(b: ContactBatch, r: EventRecord, **equal: Any) -> Row | None:
    """The contact's latest work item whose columns are `equal`; with `queue_id_not`, the
    latest in a queue other than that one (as SQL's `!=`, a work item without a queue is not)."""
    skip = equal.pop("queue_id_not", None)
    rows = [
        w
        for w in b.work.by("interaction_id", r.interaction_id)
        if (skip is None or (w.queue_id is not None and w.queue_id != skip))
        and all(w[k] == v for k, v in equal.items())
    ]
    return max(rows, key=lambda w: w.seq, default=None)


def set_work(b: ContactBatch, tenant_id: str, seq: int, **values: Any) -> None:
    row = b.work.get(tenant_id, seq)
    if row is not None:
        b.work.set(row, values)


def work_of(b: ContactBatch, r: EventRecord, *, queue_id: str | None, entered: bool) -> Row:
    """The work item a routing record is about; opened here when the log has no entry for it
    (a rebuild that starts mid-contact, a record of a channel that skips the queue)."""
    work_id = r.payload.get("work_id") or r.interaction_id
    row = latest_work(b, r, work_id)
    if row is not None:
        return row
    wait = float(r.payload.get("wait_s") or 0.0)
    return b.work.add(
        dict(
            tenant_id=r.tenant_id,
            seq=r.seq,
            work_id=work_id,
            interaction_id=r.interaction_id,
            queue_id=queue_id,
            via="flow",
            created_at=r.at - wait,
            entered_at=r.at - wait if entered else None,
            offers=0,
            callback=False,
        )
    )


def _newest_answered(rows: list[Row]) -> Row | None:
    return max(rows, key=lambda s: (s.answered_at, s.work_seq), default=None)


def segment_of(b: ContactBatch, r: EventRecord, agent_id: str | None) -> Row | None:
    """The agent's segment of the record's work item, else its latest segment of the contact."""
    if not agent_id:
        return None
    work_id = r.payload.get("work_id")
    if work_id:
        mine = [s for s in b.segments.by("work_id", work_id) if s.agent_id == agent_id]
        row = max(mine, key=lambda s: s.work_seq, default=None)
        if row is not None:
            return row
    return _newest_answered(
        [s for s in b.segments.by("interaction_id", r.interaction_id) if s.agent_id == agent_id]
    )


def latest_segment_of_contact(b: ContactBatch, r: EventRecord) -> Row | None:
    """The contact's last answered segment."""
    return _newest_answered(b.segments.by("interaction_id", r.interaction_id))


def set_segment(b: ContactBatch, row: Row, **values: Any) -> None:
    b.segments.set(row, values)


def queue_id_of(value: Any) -> str | None:
    return str(value) if value else None
