"""A campaign contact's disposition, the one rule for what it counts as: the agent picks one of
the campaign's dispositions on the preview card or, for a progressive or predictive call, in
the desktop's wrap-up; either way it lands on the record's dial log row, where right-party
contacts and conversions are counted (`figures.py`). The record's next status comes from the
call's outcome and the campaign's retry rules (`outcomes.RetryPolicy`), applied when the call
ended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hotline.dialer.errors import DialerError, RecordNotFound
from hotline.dialer.model import Campaign, Disposition

__all__ = ["CampaignCall", "CampaignWrapUp", "WrapUpStore", "disposition_of"]


def disposition_of(campaign: Campaign, code: str) -> Disposition:
    """The campaign's disposition `code`; another code names the field."""
    chosen = next((d for d in campaign.dispositions if d.code == code), None)
    if chosen is None:
        raise DialerError("not a disposition of this campaign", field="disposition", value=code)
    return chosen


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

    async def dispose(self, interaction_id: str, agent_id: str, code: str) -> Disposition:
        """Record the agent's disposition of the call on its dial log row."""
        found, campaign = await self.call(interaction_id, agent_id)
        chosen = disposition_of(campaign, code)
        marked = await self.store.dispose_attempt(
            found.record_id, right_party=chosen.right_party, conversion=chosen.conversion
        )
        if not marked:
            # The dialer logs the call as it ends; a wrap-up a moment before finds nothing.
            raise DialerError(
                "the call is not logged yet: save again in a moment", field="disposition"
            )
        return chosen
