"""A campaign contact's disposition: one rule for the preview card and the desktop's wrap-up of
a progressive or predictive call — it must be the campaign's, lands on the record's last
connected dial, only the agent who took the call gives it, and its `then` moves the record."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from hotline.dialer.dispositions import CampaignCall, CampaignWrapUp, dispose, disposition_of
from hotline.dialer.edit import dispositions_out, parse_dispositions
from hotline.dialer.errors import DialerError, InvalidCampaign, RecordNotFound
from hotline.dialer.model import (
    CallRecord,
    Campaign,
    DialMode,
    Disposition,
    RecordStatus,
    Then,
)
from hotline.dialer.outcomes import Outcome, RetryPolicy

SALE = Disposition("sale", "成交", "Sale", right_party=True, conversion=True)
TALKED = Disposition("talked", "已沟通", "Talked", right_party=True)
LATER = Disposition("later", "再联系", "Call again", right_party=True, then=Then.RETRY)
WRONG = Disposition("wrong", "打错", "Wrong number", then=Then.INVALID)
STOP = Disposition("stop", "勿扰", "Do not call", then=Then.DNC)
CAMPAIGN = Campaign(id="c1", tenant_id="t", name="渐进", mode=DialMode.PROGRESSIVE,
                    queue_id="sales", dispositions=(SALE, TALKED, LATER, WRONG, STOP))  # fmt: skip
POLICY = RetryPolicy.from_settings({"max_attempts": 4, "connected": {"interval_s": 7200}})
NOW = 1_000_000.0


def connected(attempts: int = 1, connects: int = 1) -> CallRecord:
    """A record whose call just connected: the outcome applied, as at the call's end."""
    record = CallRecord("r1", "c1", "l1", "+8613800138001", status=RecordStatus.IN_PROGRESS,
                        attempts=attempts - 1, outcomes={"connected": connects - 1}
                        if connects > 1 else {}, agent_id="a1")  # fmt: skip
    POLICY.apply(record, Outcome.CONNECTED, NOW)
    return record


@dataclass
class InMemoryWrapUps:
    """The port's fake: calls placed (with who was on them), connected dials per record, the
    records and the campaign's do-not-call list."""

    calls: dict[str, tuple[CampaignCall, set[str]]] = field(default_factory=dict)
    connected: dict[str, list[tuple[bool, bool]]] = field(default_factory=dict)
    records: dict[str, CallRecord] = field(default_factory=dict)
    dnc: list[tuple[str, str | None]] = field(default_factory=list)

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

    async def record(self, record_id: str) -> CallRecord | None:
        found = self.records.get(record_id)
        return None if found is None else replace(found, outcomes=dict(found.outcomes))

    async def save(self, record: CallRecord, now: float) -> None:
        self.records[record.id] = record

    async def add_dnc(
        self, phone: str, now: float, *, campaign_id: str | None = None, reason: str = ""
    ) -> str:
        self.dnc.append((phone, campaign_id))
        return phone


def a_call() -> InMemoryWrapUps:
    store = InMemoryWrapUps()
    store.calls["i1"] = (CampaignCall("i1", "c1", "r1"), {"a1"})
    store.records["r1"] = CallRecord("r1", "c1", "l1", "+8613800138001",
                                     status=RecordStatus.IN_PROGRESS)  # fmt: skip
    return store


def test_a_disposition_must_be_the_campaigns() -> None:
    assert disposition_of(CAMPAIGN, "sale") is SALE
    with pytest.raises(DialerError) as caught:
        disposition_of(CAMPAIGN, "nope")
    assert caught.value.details["field"] == "disposition"


# --- the rule: what the disposition does to the record ----------------------------------------


def test_done_leaves_a_connected_call_done() -> None:
    record = connected()
    assert dispose(record, SALE, POLICY, NOW + 60) is False
    assert record.status is RecordStatus.DONE
    assert record.agent_id is None


def test_retry_dials_a_reached_record_again_after_the_connected_interval() -> None:
    record = connected()
    assert dispose(record, LATER, POLICY, NOW + 60) is False
    assert record.status is RecordStatus.RETRY
    assert record.dialable
    assert record.next_at == NOW + 60 + 7200
    assert record.attempts == 1  # the call's end counted it; the disposition does not again


def test_retry_counts_toward_the_campaigns_maximum_of_attempts() -> None:
    record = connected(attempts=4)
    dispose(record, LATER, POLICY, NOW)
    assert record.status is RecordStatus.EXHAUSTED
    # …and toward the connected rule's own maximum (2 by default: the third connect ends it).
    record = connected(attempts=3, connects=3)
    dispose(record, LATER, RetryPolicy(), NOW)
    assert record.status is RecordStatus.EXHAUSTED


def test_invalid_takes_the_record_out_like_a_dead_number() -> None:
    record = connected()
    assert dispose(record, WRONG, POLICY, NOW) is False
    assert record.status is RecordStatus.INVALID
    assert not record.dialable


def test_dnc_marks_the_record_and_asks_for_the_campaigns_list() -> None:
    record = connected()
    assert dispose(record, STOP, POLICY, NOW) is True
    assert record.status is RecordStatus.DNC
    assert not record.dialable


def test_only_a_connected_call_is_moved() -> None:
    record = CallRecord("r1", "c1", "l1", "+8613800138001", status=RecordStatus.IN_PROGRESS)
    POLICY.apply(record, Outcome.BUSY, NOW)
    before = replace(record)
    assert dispose(record, STOP, POLICY, NOW) is False
    assert record == before  # nobody asked anything: busy stays busy
    pending = CallRecord("r2", "c1", "l1", "+8613800138002", status=RecordStatus.IN_PROGRESS,
                         last_outcome="connected")  # fmt: skip
    assert dispose(pending, STOP, POLICY, NOW) is False  # dialed again since: not this call's
    assert pending.status is RecordStatus.IN_PROGRESS


def test_the_last_disposition_of_a_call_counts() -> None:
    record = connected()
    dispose(record, LATER, POLICY, NOW)
    dispose(record, SALE, POLICY, NOW)
    assert record.status is RecordStatus.DONE


# --- stored and edited -----------------------------------------------------------------------


def test_a_stored_disposition_without_then_reads_as_done() -> None:
    stored = {"code": "sale", "label_zh": "成交", "label_en": "Sale", "conversion": True}
    assert Disposition(**stored).then is Then.DONE  # type: ignore[arg-type]
    assert parse_dispositions([stored])[0].then is Then.DONE
    out = dispositions_out(replace(CAMPAIGN, dispositions=(STOP,)))
    assert out[0]["then"] == "dnc"
    assert Disposition(**out[0]) == STOP


def test_an_unknown_then_is_refused_naming_the_field() -> None:
    item = {"code": "x", "label_zh": "甲", "label_en": "X", "then": "callback"}
    with pytest.raises(InvalidCampaign) as caught:
        parse_dispositions([{"code": "ok", "label_zh": "好", "label_en": "OK"}, item])
    assert caught.value.details["field"] == "dispositions.1.then"
    assert caught.value.details["value"] == "callback"
    with pytest.raises(InvalidCampaign) as stored:
        Disposition("x", "甲", "X", then="later")  # type: ignore[arg-type]
    assert stored.value.details["field"] == "then"


# --- the wrap-up -------------------------------------------------------------------------------


async def test_the_wrap_up_marks_the_records_last_connected_dial() -> None:
    store = a_call()
    wrap = CampaignWrapUp(store)
    with pytest.raises(DialerError):  # the call's end not logged yet: nothing counted
        await wrap.dispose("i1", "a1", "sale", NOW)
    store.connected["r1"] = [(False, False), (False, False)]
    store.records["r1"] = connected()
    assert await wrap.dispose("i1", "a1", "sale", NOW) is SALE
    assert store.connected["r1"] == [(False, False), (True, True)]
    await wrap.dispose("i1", "a1", "talked", NOW)  # changed her mind: the last word counts
    assert store.connected["r1"][-1] == (True, False)


async def test_the_wrap_up_moves_the_record_in_either_order_of_the_calls_end() -> None:
    # The wrap-up first: refused and nothing moved; saved again after the end, it counts.
    early = a_call()
    wrap = CampaignWrapUp(early)
    with pytest.raises(DialerError):
        await wrap.dispose("i1", "a1", "stop", NOW)
    assert early.records["r1"].status is RecordStatus.IN_PROGRESS
    assert early.dnc == []
    early.records["r1"] = connected()
    early.connected["r1"] = [(False, False)]
    await wrap.dispose("i1", "a1", "stop", NOW + 5)
    # The end first, then the wrap-up: the same record.
    late = a_call()
    late.records["r1"] = connected()
    late.connected["r1"] = [(False, False)]
    await CampaignWrapUp(late).dispose("i1", "a1", "stop", NOW + 5)
    assert early.records["r1"] == late.records["r1"]
    assert early.records["r1"].status is RecordStatus.DNC
    assert early.dnc == late.dnc == [("+8613800138001", "c1")]


async def test_only_the_agent_on_a_campaign_call_disposes_of_it() -> None:
    store = a_call()
    store.connected["r1"] = [(False, False)]
    wrap = CampaignWrapUp(store)
    assert await wrap.find("i2", "a1") is None  # not a campaign call
    assert await wrap.find("i1", "a2") is None
    with pytest.raises(RecordNotFound):
        await wrap.dispose("i1", "a2", "sale", NOW)
    with pytest.raises(DialerError):
        await wrap.dispose("i1", "a1", "nope", NOW)
    assert store.connected["r1"] == [(False, False)]
