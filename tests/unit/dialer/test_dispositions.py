"""A campaign contact's disposition: one rule for the preview card and the desktop's wrap-up of
a progressive or predictive call — it must be the campaign's, lands on the record's last
connected dial, and only the agent who took the call gives it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from hotline.dialer.dispositions import CampaignCall, CampaignWrapUp, disposition_of
from hotline.dialer.errors import DialerError, RecordNotFound
from hotline.dialer.model import Campaign, DialMode, Disposition

SALE = Disposition("sale", "成交", "Sale", right_party=True, conversion=True)
TALKED = Disposition("talked", "已沟通", "Talked", right_party=True)
CAMPAIGN = Campaign(id="c1", tenant_id="t", name="渐进", mode=DialMode.PROGRESSIVE,
                    queue_id="sales", dispositions=(SALE, TALKED))  # fmt: skip


@dataclass
class InMemoryWrapUps:
    """The port's fake: calls placed (with who was on them) and connected dials per record."""

    calls: dict[str, tuple[CampaignCall, set[str]]] = field(default_factory=dict)
    connected: dict[str, list[tuple[bool, bool]]] = field(default_factory=dict)

    async def campaign(self, campaign_id: str) -> Campaign:
        assert campaign_id == CAMPAIGN.id
        return CAMPAIGN

    async def campaign_call(self, interaction_id: str, agent_id: str) -> CampaignCall | None:
        found = self.calls.get(interaction_id)
        return found[0] if found is not None and agent_id in found[1] else None

    async def dispose_attempt(self, record_id: str, *, right_party: bool, conversion: bool) -> bool:
        dials = self.connected.get(record_id)
        if not dials:
            return False
        dials[-1] = (right_party, conversion)
        return True


def test_a_disposition_must_be_the_campaigns() -> None:
    assert disposition_of(CAMPAIGN, "sale") is SALE
    with pytest.raises(DialerError) as caught:
        disposition_of(CAMPAIGN, "nope")
    assert caught.value.details["field"] == "disposition"


async def test_the_wrap_up_marks_the_records_last_connected_dial() -> None:
    store = InMemoryWrapUps()
    store.calls["i1"] = (CampaignCall("i1", "c1", "r1"), {"a1"})
    wrap = CampaignWrapUp(store)
    with pytest.raises(DialerError):  # the call's end not logged yet: nothing counted
        await wrap.dispose("i1", "a1", "sale")
    store.connected["r1"] = [(False, False), (False, False)]
    assert await wrap.dispose("i1", "a1", "sale") is SALE
    assert store.connected["r1"] == [(False, False), (True, True)]
    await wrap.dispose("i1", "a1", "talked")  # changed her mind: the last word counts
    assert store.connected["r1"][-1] == (True, False)


async def test_only_the_agent_on_a_campaign_call_disposes_of_it() -> None:
    store = InMemoryWrapUps()
    store.calls["i1"] = (CampaignCall("i1", "c1", "r1"), {"a1"})
    store.connected["r1"] = [(False, False)]
    wrap = CampaignWrapUp(store)
    assert await wrap.find("i2", "a1") is None  # not a campaign call
    assert await wrap.find("i1", "a2") is None
    with pytest.raises(RecordNotFound):
        await wrap.dispose("i1", "a2", "sale")
    with pytest.raises(DialerError):
        await wrap.dispose("i1", "a1", "nope")
    assert store.connected["r1"] == [(False, False)]
