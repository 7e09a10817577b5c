"""A progressive or predictive call's record and script at the desk: only the agent the call
was put through to sees them; the opening is filled in, answers the record holds come back,
the path follows the answers, and answers are saved into the record's fields by the preview's
rules — all or nothing, the record's status left to the dialer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from hotline.clock import FakeClock
from hotline.dialer.call_desk import CampaignCallDesk
from hotline.dialer.dispositions import CampaignCall
from hotline.dialer.errors import DialerError, RecordNotFound
from hotline.dialer.model import CallRecord, Campaign, DialMode, RecordStatus

SCRIPT: dict[str, Any] = {
    "opening_zh": "您好，{name}！",
    "opening_en": "Hello {name}, calling {phone}.",
    "questions": [
        {"key": "interested", "text_zh": "感兴趣吗？", "text_en": "Interested?",
         "type": "choice", "choices": ["yes", "no"], "required": True,
         "next": {"yes": "months", "no": None}},
        {"key": "months", "text_zh": "几个月？", "text_en": "How many months?",
         "type": "number"},
    ],
}  # fmt: skip
CAMPAIGN = Campaign(id="c1", tenant_id="t", name="渐进", mode=DialMode.PROGRESSIVE,
                    queue_id="sales", script=SCRIPT)  # fmt: skip


@dataclass
class InMemoryCallDesk:
    """The port's fake: calls placed with the agents they were put through to, and records."""

    calls: dict[str, tuple[CampaignCall, set[str]]] = field(default_factory=dict)
    records: dict[str, CallRecord] = field(default_factory=dict)
    writes: list[tuple[str, dict[str, Any], float]] = field(default_factory=list)

    async def campaign(self, campaign_id: str) -> Campaign:
        assert campaign_id == CAMPAIGN.id
        return CAMPAIGN

    async def campaign_call(self, interaction_id: str, agent_id: str) -> CampaignCall | None:
        found = self.calls.get(interaction_id)
        return found[0] if found is not None and agent_id in found[1] else None

    async def dispose_attempt(self, record_id: str, *, right_party: bool, conversion: bool) -> bool:
        return False

    async def record(self, record_id: str) -> CallRecord | None:
        found = self.records.get(record_id)
        return None if found is None else replace(found, fields=dict(found.fields))

    async def save_fields(self, record_id: str, fields: Mapping[str, Any], now: float) -> None:
        self.records[record_id].fields = dict(fields)
        self.writes.append((record_id, dict(fields), now))

    async def save(self, record: CallRecord, now: float) -> None:
        self.records[record.id] = record

    async def add_dnc(
        self, phone: str, now: float, *, campaign_id: str | None = None, reason: str = ""
    ) -> str:
        return phone


def desk_with_a_call() -> tuple[CampaignCallDesk, InMemoryCallDesk]:
    store = InMemoryCallDesk()
    store.calls["i1"] = (CampaignCall("i1", "c1", "r1"), {"a1"})
    store.records["r1"] = CallRecord(
        "r1", "c1", "l1", "+8613800138001", {"name": "王芳"}, status=RecordStatus.IN_PROGRESS
    )
    return CampaignCallDesk(store, FakeClock(1000.0)), store


async def test_the_agent_the_call_was_put_through_to_sees_the_record_and_script() -> None:
    desk, _ = desk_with_a_call()
    card = await desk.card("i1", "a1", "en")
    assert card is not None
    assert (card.call.record_id, card.record.phone) == ("r1", "+8613800138001")
    assert card.opening == "Hello 王芳, calling +8613800138001."
    assert [q.key for q in card.questions] == ["interested"]
    assert card.answers == {}
    zh = await desk.card("i1", "a1", "zh-CN")
    assert zh is not None
    assert zh.opening == "您好，王芳！"
    assert await desk.card("i1", "a2", "en") is None  # not put through to a2
    assert await desk.card("i9", "a1", "en") is None  # not a campaign call
    with pytest.raises(RecordNotFound):
        await desk.path("i1", "a2", {"interested": "yes"})
    with pytest.raises(RecordNotFound):
        await desk.answer("i1", "a2", {"interested": "no"})


async def test_answers_are_saved_into_the_records_fields_by_the_scripts_rules() -> None:
    desk, store = desk_with_a_call()
    path = await desk.path("i1", "a1", {"interested": "yes"})
    assert [q.key for q in path] == ["interested", "months"]
    for bad, where in (({}, "answers.interested"), ({"interested": "maybe"}, "answers.interested"),
                       ({"interested": "no", "months": 3}, "answers.months"),
                       ({"interested": "yes", "months": "many"}, "answers.months")):  # fmt: skip
        with pytest.raises(DialerError) as caught:
            await desk.answer("i1", "a1", bad)
        assert caught.value.details["field"] == where
    assert store.writes == []  # nothing saved
    record = await desk.answer("i1", "a1", {"interested": "yes", "months": "12"})
    assert record.fields == {"name": "王芳", "interested": "yes", "months": 12}
    assert store.writes == [("r1", record.fields, 1000.0)]
    assert store.records["r1"].status is RecordStatus.IN_PROGRESS  # the dialer's to move
    # Seen again (a reload, the wrap-up): the saved answers come back on their path.
    card = await desk.card("i1", "a1", "en")
    assert card is not None
    assert card.answers == {"interested": "yes", "months": 12}
    assert [q.key for q in card.questions] == ["interested", "months"]
