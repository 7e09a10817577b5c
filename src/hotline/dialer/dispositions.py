"""A campaign contact's disposition, the one rule for what it counts as and what it does to the
record: the agent picks one of the campaign's dispositions on the preview card or, for a
progressive or predictive call, in the desktop's wrap-up; either way it lands on the record's
dial log row, where right-party contacts and conversions are counted (`figures.py`).

The record's status comes first from the call's outcome and the campaign's retry rules
(`outcomes.RetryPolicy.apply`, when the call ended; a connected call is `done`). The
disposition's `then` (`dispose`) then overrides it where it says so, in the transaction that
saves the disposition: `done` leaves it done, `retry` dials it again after the campaign's
`connected` retry interval (counting toward the maximum of attempts), `invalid` takes it out
like a dead number, `dnc` marks it `dnc` and puts the number on the campaign's do-not-call
list. It acts only on a connected call: the wrap-up is refused until the call's end is logged
(the record is locked while either is saved), so whichever is processed first, the record
ends the same. A callback is not a `then`: the card schedules it with its time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hotline.dialer.errors import DialerError, RecordNotFound
from hotline.dialer.model import CallRecord, Campaign, Disposition, RecordStatus, Then
from hotline.dialer.outcomes import Outcome, RetryPolicy

__all__ = [
    "CampaignCall",
    "CampaignWrapUp",
    "WrapUpStore",
    "apply_disposition",
    "dispose",
    "disposition_of",
]


def disposition_of(campaign: Campaign, code: str) -> Disposition:
    """The campaign's disposition `code`; another code names the field."""
    chosen = next((d for d in campaign.dispositions if d.code == code), None)
    if chosen is None:
        raise DialerError("not a disposition of this campaign", field="disposition", value=code)
    return chosen


def dispose(record: CallRecord, disposition: Disposition, policy: RetryPolicy, now: float) -> bool:
    """Move a record whose call connected (its outcome already applied) as `disposition`
    says; True when its number goes on the campaign's do-not-call list. Another outcome
    (nobody to talk to) or a record dialed again since leaves the record as it is. Given
    again (the agent changed her mind), the last disposition counts."""
    if record.last_outcome != str(Outcome.CONNECTED) or not _settled(record.status):
        return False
    record.agent_id = None
    if disposition.then is Then.RETRY:
        policy.call_again(record, now)
    elif disposition.then is Then.INVALID:
        record.status = RecordStatus.INVALID
    elif disposition.then is Then.DNC:
        record.status = RecordStatus.DNC
    else:
        record.status = RecordStatus.DONE
    return disposition.then is Then.DNC


def _settled(status: RecordStatus) -> bool:
    """What a connected call's record may be when the disposition comes: done, or moved by
    an earlier disposition of the same call (not dialed again, not in progress)."""
    return status in {
        RecordStatus.DONE,
        RecordStatus.RETRY,
        RecordStatus.EXHAUSTED,
        RecordStatus.INVALID,
        RecordStatus.DNC,
    }


@dataclass(frozen=True, slots=True)
class CampaignCall:
    """The campaign and record an outbound contact was placed for."""

    interaction_id: str
    campaign_id: str
    record_id: str


class WrapUpStore(Protocol):
    async def campaign(self, campaign_id: str) -> Campaign: ...

    async def campaign_call(self, interaction_id: str, agent_id: str) -> CampaignCall | None:
        """The campaign call `interaction_id` if `agent_id` took part in it."""
        ...

    async def dispose_attempt(self, record_id: str, *, right_party: bool, conversion: bool) -> bool:
        """Mark the record's last connected dial; False when none is logged (yet)."""
        ...

    async def record(self, record_id: str) -> CallRecord | None:
        """The record, held for this transaction (the call's end waits for it)."""
        ...

    async def save(self, record: CallRecord, now: float) -> None: ...

    async def add_dnc(
        self, phone: str, now: float, *, campaign_id: str | None = None, reason: str = ""
    ) -> str: ...


class CampaignWrapUp:
    """The wrap-up of a progressive or predictive call put through to an agent."""

    def __init__(self, store: WrapUpStore) -> None:
        self.store = store

    async def find(
        self, interaction_id: str, agent_id: str
    ) -> tuple[CampaignCall, Campaign] | None:
        """The campaign call `interaction_id` the agent took part in (None: not one)."""
        found = await self.store.campaign_call(interaction_id, agent_id)
        return None if found is None else (found, await self.store.campaign(found.campaign_id))

    async def call(self, interaction_id: str, agent_id: str) -> tuple[CampaignCall, Campaign]:
        found = await self.find(interaction_id, agent_id)
        if found is None:
            raise RecordNotFound(
                f"no campaign call {interaction_id!r}", details={"field": "interaction_id"}
            )
        return found

    async def dispose(
        self, interaction_id: str, agent_id: str, code: str, now: float
    ) -> Disposition:
        """Record the agent's disposition of the call on its dial log row and move the record
        as it says."""
        found, campaign = await self.call(interaction_id, agent_id)
        chosen = disposition_of(campaign, code)
        # Held first: the call's end, logged meanwhile, waits for this transaction.
        record = await self.store.record(found.record_id)
        if record is None:  # the campaign's records were removed since
            raise RecordNotFound(f"no record {found.record_id!r}", details={"field": "record_id"})
        marked = await self.store.dispose_attempt(
            found.record_id, right_party=chosen.right_party, conversion=chosen.conversion
        )
        if not marked:
            # The dialer logs the call as it ends; a wrap-up a moment before finds nothing.
            raise DialerError(
                "the call is not logged yet: save again in a moment", field="disposition"
            )
        await apply_disposition(self.store, campaign, record, chosen, now)
        return chosen


class _Disposes(Protocol):
    async def save(self, record: CallRecord, now: float) -> None: ...

    async def add_dnc(
        self, phone: str, now: float, *, campaign_id: str | None = None, reason: str = ""
    ) -> str: ...


async def apply_disposition(
    store: _Disposes, campaign: Campaign, record: CallRecord, chosen: Disposition, now: float
) -> None:
    """Move the record as `chosen` says and save it; a `dnc` puts its number on the campaign's
    do-not-call list (the preview card and the wrap-up alike)."""
    listed = dispose(record, chosen, RetryPolicy.from_settings(campaign.retry), now)
    await store.save(record, now)
    if listed:
        await store.add_dnc(
            record.phone, now, campaign_id=campaign.id, reason=f"disposition {chosen.code}"
        )
