"""The record and the script of a progressive or predictive call at the desk: once the live
dialer has put an answered callee through to an agent, that agent — and only that agent —
sees the campaign's record with the call, the script's opening with its merge fields filled
in and the questions on the path of the answers so far, and saves the answers into the
record's fields. The rules are the preview card's (`script.walk`, `script.apply_answers`):
answers off the path, bad values or a missing required answer are refused, naming
`answers.<key>`, and nothing is saved.

Which call is a campaign's, and who took it, comes from the interaction log
(`WrapUpStore.campaign_call`: the call's `dialer.call.placed` and the agent's answer of it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hotline.clock import Clock
from hotline.dialer.dispositions import CampaignCall, CampaignWrapUp, WrapUpStore
from hotline.dialer.errors import RecordNotFound
from hotline.dialer.model import CallRecord, Campaign
from hotline.dialer.script import (
    Question,
    apply_answers,
    opening_for,
    parse_script,
    saved_answers,
    walk,
)

__all__ = ["CallDeskStore", "CampaignCallCard", "CampaignCallDesk"]


class CallDeskStore(WrapUpStore, Protocol):
    async def record(self, record_id: str) -> CallRecord | None:
        """The record, held for this transaction (the dialer moving it at the call's end and
        the agent's answers do not overwrite each other)."""
        ...

    async def save_fields(self, record_id: str, fields: Mapping[str, Any], now: float) -> None:
        """Write the record's fields only (its status is the dialer's)."""
        ...


@dataclass(frozen=True, slots=True)
class CampaignCallCard:
    """What the agent sees with the call: the campaign, the record, the opening filled in, the
    answers its fields already hold and the questions on their path."""

    call: CampaignCall
    campaign: Campaign
    record: CallRecord
    opening: str
    answers: dict[str, Any]
    questions: list[Question]


class CampaignCallDesk:
    def __init__(self, store: CallDeskStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.calls = CampaignWrapUp(store)

    async def _record(self, call: CampaignCall) -> CallRecord:
        record = await self.store.record(call.record_id)
        if record is None:  # the campaign's records were removed since
            raise RecordNotFound(f"no record {call.record_id!r}", details={"field": "record_id"})
        return record

    async def card(
        self, interaction_id: str, agent_id: str, language: str
    ) -> CampaignCallCard | None:
        """The record and script of `interaction_id` for the agent who took it (None: not a
        campaign call of theirs)."""
        found = await self.calls.find(interaction_id, agent_id)
        if found is None:
            return None
        call, campaign = found
        record = await self._record(call)
        script = parse_script(campaign.script)
        answers = saved_answers(script, record.fields)
        return CampaignCallCard(
            call,
            campaign,
            record,
            opening_for(script, record.fields, record.phone, language),
            answers,
            walk(script, answers),
        )

    async def path(
        self, interaction_id: str, agent_id: str, answers: Mapping[str, Any]
    ) -> list[Question]:
        """The questions on the path of `answers` (the desk asks after each answer)."""
        _, campaign = await self.calls.call(interaction_id, agent_id)
        return walk(parse_script(campaign.script), answers)

    async def answer(
        self, interaction_id: str, agent_id: str, answers: Mapping[str, Any]
    ) -> CallRecord:
        """Save the script's answers into the record's fields, all or nothing; the agent
        talked to the callee, so the required questions on the path are answered."""
        call, campaign = await self.calls.call(interaction_id, agent_id)
        record = await self._record(call)
        record.fields = apply_answers(parse_script(campaign.script), record.fields, answers)
        await self.store.save_fields(record.id, record.fields, self.clock.now())
        return record
