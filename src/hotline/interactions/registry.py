"""`ContactRegistry`: the live contacts of one tenant, by contact and by work item.

The only shared map of the lifecycle. Collaborators receive lookups from it (`get`, `of_work`),
never the registry itself; the composition root (`center.py`) is the one place that adds and
removes contacts.
"""

from __future__ import annotations

from collections.abc import Iterator

from hotline.ids import InteractionId, WorkId
from hotline.interactions.model import Contact, WorkItem

__all__ = ["ContactRegistry"]


class ContactRegistry:
    def __init__(self) -> None:
        self._contacts: dict[InteractionId, Contact] = {}
        self._works: dict[WorkId, WorkItem] = {}
        self._by_channel: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._contacts)

    def __iter__(self) -> Iterator[Contact]:
        return iter(list(self._contacts.values()))

    def __contains__(self, contact_id: object) -> bool:
        return contact_id in self._contacts

    def add(self, contact: Contact) -> None:
        old = self._contacts.get(contact.contact_id)
        if old is not None:
            self._by_channel[old.channel] -= 1
        self._contacts[contact.contact_id] = contact
        self._by_channel[contact.channel] = self._by_channel.get(contact.channel, 0) + 1

    def remove(self, contact_id: InteractionId) -> None:
        contact = self._contacts.pop(contact_id, None)
        if contact is not None:
            self._by_channel[contact.channel] -= 1
            for work_id in contact.works:
                self._works.pop(work_id, None)

    def count(self, channel: str) -> int:
        """Live contacts of one channel (every new call asks: counted, not scanned)."""
        return self._by_channel.get(channel, 0)

    def get(self, contact_id: InteractionId | str | None) -> Contact | None:
        return self._contacts.get(InteractionId(contact_id)) if contact_id else None

    def add_work(self, work: WorkItem) -> None:
        contact = self._contacts.get(work.contact_id)
        if contact is not None:
            contact.works[work.work_id] = work
        self._works[work.work_id] = work

    def work(self, work_id: WorkId | str) -> WorkItem | None:
        return self._works.get(WorkId(work_id))

    def of_work(self, work_id: WorkId | str) -> Contact | None:
        work = self._works.get(WorkId(work_id))
        return self._contacts.get(work.contact_id) if work is not None else None
