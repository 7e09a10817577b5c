"""Preview dialing: the agent takes the next record of a campaign (callbacks kept for them
first), sees it with the script's opening filled in, dials it (click-to-dial on the
interaction core) or skips it, and finishes it with an outcome and the script's answers —
which are saved into the record's fields, all or nothing.

A taken record is `in_progress` for the agent until finished or skipped; its `next_at` holds
the lease's end, after which `release_stale` gives it back (an agent who closed the browser).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from hotline.clock import Clock
from hotline.dialer.dispositions import apply_disposition, disposition_of
from hotline.dialer.errors import DialerError, RecordNotFound
from hotline.dialer.figures import Attempt
from hotline.dialer.hygiene import DoNotCall
from hotline.dialer.model import CallRecord, Campaign, CampaignList, CampaignStatus, RecordStatus
from hotline.dialer.outcomes import (
    PERSON_OUTCOMES,
    Outcome,
    RetryPolicy,
    local_callback_at,
    schedule_callback,
)
from hotline.dialer.script import Question, apply_answers, opening_for, parse_script, walk
from hotline.dialer.selection import due_records
from hotline.dialer.windows import CallingWindow
from hotline.hours import DayRule

__all__ = ["PreviewCard", "PreviewDesk", "PreviewStore"]

LEASE_S = 900.0
AGENT_OUTCOMES = frozenset(
    {
        Outcome.CONNECTED,
        Outcome.NO_ANSWER,
        Outcome.BUSY,
        Outcome.INVALID,
        Outcome.REFUSED,
        Outcome.MACHINE,
    }
)


class PreviewStore(Protocol):
    async def campaign(self, campaign_id: str) -> Campaign: ...

    async def campaign_lists(self, campaign_id: str) -> list[CampaignList]: ...

    async def due(self, campaign_id: str, now: float, limit: int) -> list[CallRecord]: ...

    async def record(self, record_id: str) -> CallRecord | None: ...

    async def save(self, record: CallRecord, now: float) -> None: ...

    async def do_not_call(self, campaign_id: str) -> DoNotCall: ...

    async def add_dnc(
        self, phone: str, now: float, *, campaign_id: str | None = None, reason: str = ""
    ) -> str: ...

    async def release_stale(self, campaign_id: str, now: float) -> int: ...

    async def add_attempt(self, campaign_id: str, record_id: str, attempt: Attempt) -> None:
        """Log one finished dial (the campaign's figures and the pacer's windows read it)."""
        ...


@dataclass(frozen=True, slots=True)
class PreviewCard:
    """What the agent sees: the record, the opening with its merge fields filled in, and the
    questions on the path of the answers given so far (none yet)."""

    record: CallRecord
    opening: str
    questions: list[Question]
    lease_until: float


class PreviewDesk:
    def __init__(
        self,
        store: PreviewStore,
        clock: Clock,
        *,
        default_zone: str,
        holidays: Mapping[date, DayRule] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.default_zone = default_zone
        self.holidays = holidays

    async def take(self, campaign_id: str, agent_id: str, language: str) -> PreviewCard | None:
        """The next record for `agent_id`, reserved for them (None: nothing due now)."""
        campaign = await self.store.campaign(campaign_id)
        if campaign.status is not CampaignStatus.RUNNING:
            raise DialerError("the campaign is not running", field="status", value=campaign.status)
        now = self.clock.now()
        window = CallingWindow(campaign.window, default_zone=self.default_zone, days=self.holidays)
        dnc = await self.store.do_not_call(campaign_id)
        candidates = await self.store.due(campaign_id, now, 200)
        lists = await self.store.campaign_lists(campaign_id)
        for record in due_records(candidates, lists, window, now, 200, agent_id=agent_id):
            if dnc.blocks(record.phone):  # listed after the record was made
                record.status = RecordStatus.DNC
                await self.store.save(record, now)
                continue
            record.status = RecordStatus.IN_PROGRESS
            record.agent_id = agent_id
            record.next_at = now + LEASE_S
            await self.store.save(record, now)
            return self.card(campaign, record, language)
        return None

    def card(self, campaign: Campaign, record: CallRecord, language: str) -> PreviewCard:
        script = parse_script(campaign.script)
        opening = opening_for(script, record.fields, record.phone, language)
        return PreviewCard(record, opening, walk(script, {}), record.next_at)

    async def _held(self, record_id: str, agent_id: str) -> CallRecord:
        record = await self.store.record(record_id)
        if record is None:
            raise RecordNotFound(f"no record {record_id!r}", details={"field": "record_id"})
        if record.status is not RecordStatus.IN_PROGRESS:
            raise DialerError("the record is not being worked on", field="record_id")
        if record.agent_id != agent_id:
            raise DialerError("the record is another agent's", field="record_id")
        return record

    async def path(
        self, record_id: str, agent_id: str, answers: Mapping[str, Any]
    ) -> list[Question]:
        """The script's questions on the path of the answers given so far: the desk asks
        again after each answer, so a branch is decided here and nowhere else."""
        record = await self._held(record_id, agent_id)
        campaign = await self.store.campaign(record.campaign_id)
        return walk(parse_script(campaign.script), answers)

    async def skip(self, record_id: str, agent_id: str) -> None:
        """Give the record back untouched (it is due again at once)."""
        record = await self._held(record_id, agent_id)
        record.status = RecordStatus.RETRY if record.attempts else RecordStatus.PENDING
        record.agent_id = None
        record.next_at = self.clock.now()
        await self.store.save(record, self.clock.now())

    async def finish(
        self,
        record_id: str,
        agent_id: str,
        *,
        outcome: Outcome,
        answers: Mapping[str, Any] | None = None,
        callback_at: float | None = None,
        callback_local: str | None = None,
        callback_mine: bool = True,
        disposition: str | None = None,
    ) -> CallRecord:
        """The agent's word on the call: its outcome, the script's answers (saved into the
        record's fields), the campaign's disposition (which moves a connected call's record as
        its `then` says) and, when the callee asked, a callback (kept for this agent, or for
        anyone) — at `callback_at`, or at `callback_local`, a date and time in the center's
        zone as the desk's field gives it."""
        if outcome not in AGENT_OUTCOMES:
            raise DialerError("not an outcome an agent gives", field="outcome", value=outcome)
        if callback_local is not None:
            if callback_at is not None:
                raise DialerError(
                    "give the callback's time once", field="callback_local", value=callback_local
                )
            callback_at = local_callback_at(callback_local, self.default_zone)
        record = await self._held(record_id, agent_id)
        campaign = await self.store.campaign(record.campaign_id)
        now = self.clock.now()
        chosen = disposition_of(campaign, disposition) if disposition is not None else None
        if answers or outcome is Outcome.CONNECTED:
            # Having talked to the callee, the required questions are answered; other
            # outcomes (nobody to ask) may come without answers.
            record.fields = apply_answers(
                parse_script(campaign.script), record.fields, answers or {}
            )
        RetryPolicy.from_settings(campaign.retry).apply(record, outcome, now)
        if callback_at is not None:  # the callee's own time wins over the disposition's
            schedule_callback(
                record, callback_at, now, agent_id=agent_id if callback_mine else None
            )
            await self.store.save(record, now)
        elif chosen is not None:  # it moves a connected call's record only
            await apply_disposition(self.store, campaign, record, chosen, now)
        else:
            await self.store.save(record, now)
        connected = outcome is Outcome.CONNECTED and chosen is not None
        await self.store.add_attempt(
            campaign.id,
            record.id,
            Attempt(
                now,
                outcome,
                answered_at=now if outcome in PERSON_OUTCOMES else None,
                right_party=connected and chosen is not None and chosen.right_party,
                conversion=connected and chosen is not None and chosen.conversion,
            ),
        )
        return record

    async def release_stale(self, campaign_id: str) -> int:
        """Give back records whose lease ran out (their agent left without a word)."""
        return await self.store.release_stale(campaign_id, self.clock.now())
